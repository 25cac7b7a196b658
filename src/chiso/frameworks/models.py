"""Frameworks, their versions and the nodes of each version's tree."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from chiso.units.models import BilingualName


class Framework(BilingualName):
    """Bộ chỉ số — an index such as the PAR Index of departments, the DDCI, PCI or PAPI."""

    class Method(models.TextChoices):
        COMPOSITE = "composite", _("Composite (normalise, weight, aggregate)")
        POINTS = "points", _("Points (capped sums of points)")

    code = models.CharField(_("code"), max_length=40, unique=True)
    method = models.CharField(_("method"), max_length=20, choices=Method.choices, default=Method.COMPOSITE)

    class Meta:
        ordering = ["code"]
        verbose_name = _("framework")
        verbose_name_plural = _("frameworks")


class FrameworkVersion(models.Model):
    """One version of a framework, as a decision (quyết định) fixed it for some years.

    A version is frozen once a run has used it; a change then makes a new version.
    """

    class WeightsPolicy(models.TextChoices):
        RENORMALISE = "renormalise", _("Warn and renormalise within each parent")
        REFUSE = "refuse", _("Refuse weights that do not sum to 1 within a parent")

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="versions", verbose_name=_("framework"))
    number = models.PositiveIntegerField(_("version"))
    label = models.CharField(_("label"), max_length=100, blank=True)
    legal_basis = models.CharField(_("legal basis"), max_length=255, blank=True)  # số quyết định
    decision_date = models.DateField(_("decision date"), null=True, blank=True)
    applies_from = models.PositiveSmallIntegerField(_("applies from (year)"), null=True, blank=True)
    applies_to = models.PositiveSmallIntegerField(_("applies to (year)"), null=True, blank=True)
    blocks = models.JSONField(_("blocks"), default=list, blank=True)  # block codes, or "province"
    source = models.TextField(_("source"), blank=True)
    to_confirm = models.JSONField(_("to be confirmed against the decision"), default=list, blank=True)
    steps = models.JSONField(_("engine steps"), default=list, blank=True)
    # {source: {figure: criterion code or [codes]}}: which figures of the one-stop-shop statistics
    # ("service_statistics") and of feedback ("feedback") this version takes as which criteria.
    sources = models.JSONField(_("figures taken from other sources"), default=dict, blank=True)
    weights_policy = models.CharField(
        _("weights policy"), max_length=20, choices=WeightsPolicy.choices, default=WeightsPolicy.RENORMALISE
    )
    content_hash = models.CharField(_("content hash"), max_length=64, editable=False)
    frozen_at = models.DateTimeField(_("frozen at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("created by")
    )

    class Meta:
        ordering = ["framework__code", "-number"]
        verbose_name = _("framework version")
        verbose_name_plural = _("framework versions")
        constraints = [models.UniqueConstraint(fields=["framework", "number"], name="unique_framework_version")]

    @property
    def is_frozen(self) -> bool:
        return self.frozen_at is not None

    def __str__(self) -> str:
        label = f" ({self.label})" if self.label else ""
        return f"{self.framework.code} v{self.number}{label}"


class Node(BilingualName):
    """Một nút của cây — a field, criterion, sub-criterion, pillar or indicator."""

    class Type(models.TextChoices):
        INDICATOR = "Indicator", _("Indicator")
        AGGREGATE = "Aggregate", _("Aggregate")
        GROUP = "Group", _("Group")
        DENOMINATOR = "Denominator", _("Denominator")
        OTHER = "Other", _("Other")

    version = models.ForeignKey(FrameworkVersion, on_delete=models.CASCADE, related_name="nodes", verbose_name=_("version"))
    code = models.CharField(_("code"), max_length=60)
    parent_code = models.CharField(_("parent code"), max_length=60, blank=True)
    level = models.PositiveSmallIntegerField(_("level"), null=True, blank=True)
    type = models.CharField(_("type"), max_length=20, choices=Type.choices, default=Type.INDICATOR)
    order = models.PositiveIntegerField(_("order"), default=0)
    direction = models.SmallIntegerField(_("direction"), default=1)  # 1 thuận, −1 nghịch
    weight = models.FloatField(_("weight"), null=True, blank=True)
    max_points = models.FloatField(_("maximum points"), null=True, blank=True)
    unit_of_measure = models.CharField(_("unit of measure"), max_length=60, blank=True)
    target = models.FloatField(_("target"), null=True, blank=True)
    goalpost_lower = models.FloatField(_("lower goalpost"), null=True, blank=True)
    goalpost_upper = models.FloatField(_("upper goalpost"), null=True, blank=True)
    bands = models.CharField(_("bands"), max_length=255, blank=True)
    guidance = models.TextField(_("scoring guidance"), blank=True)
    evidence_required = models.BooleanField(_("evidence required"), default=False)
    points_step = models.FloatField(_("points step"), null=True, blank=True)
    na_allowed = models.BooleanField(_("not applicable allowed"), default=False)
    to_confirm = models.BooleanField(_("to be confirmed"), default=False)
    extra = models.JSONField(_("other columns"), default=dict, blank=True)

    class Meta:
        ordering = ["version", "order"]
        verbose_name = _("framework node")
        verbose_name_plural = _("framework nodes")
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="unique_node_code")]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"
