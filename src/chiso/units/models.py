"""Province, blocks, units, lineage and periods."""

import datetime

from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class BilingualName(models.Model):
    """A Vietnamese name first, an English one for the English pages."""

    name_vi = models.CharField(_("name (Vietnamese)"), max_length=255)
    name_en = models.CharField(_("name (English)"), max_length=255, blank=True)

    class Meta:
        abstract = True

    @property
    def name(self) -> str:
        if (get_language() or "vi").startswith("en") and self.name_en:
            return self.name_en
        return self.name_vi

    def __str__(self) -> str:
        return self.name


class Province(BilingualName):
    """Tỉnh — the province this installation serves (one row)."""

    code = models.CharField(_("code"), max_length=20, unique=True)

    class Meta:
        verbose_name = _("province")
        verbose_name_plural = _("provinces")


class Block(BilingualName):
    """Khối — a group of units ranked together (departments, districts, communes, …).

    Blocks are data: a province may add its own (e.g. public service units).
    """

    code = models.SlugField(_("code"), max_length=40, unique=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("block")
        verbose_name_plural = _("blocks")


class UnitQuerySet(models.QuerySet):
    def active_between(self, start: datetime.date, end: datetime.date):
        """Units that existed on at least one day of [start, end]."""
        return self.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=end)).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=start)
        )

    def active_in(self, period: "Period"):
        return self.active_between(period.start_date, period.end_date)


class Unit(BilingualName):
    """Đơn vị — a department, central agency, district or commune that is assessed.

    Two codes: `code` is chiso's key, unique and never reused (pages, the API, every import of
    values name a unit by it); `official_code` is the national statistics office's code (mã đơn vị
    hành chính), which the 2025 reform hands on from a former commune to the new one formed from it.
    An official code therefore names one unit only together with a day: no two units that hold
    it may overlap in time (checked by the services and the import).
    """

    code = models.CharField(_("code"), max_length=40, unique=True)
    official_code = models.CharField(_("official code"), max_length=20, blank=True, db_index=True)
    block = models.ForeignKey(Block, on_delete=models.PROTECT, related_name="units", verbose_name=_("block"))
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("parent unit")
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    objects = UnitQuerySet.as_manager()

    class Meta:
        ordering = ["block__order", "name_vi"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_from__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="unit_valid_to_after_valid_from",
            )
        ]

    def is_active_on(self, day: datetime.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day <= self.valid_to)


class UnitSuccession(models.Model):
    """Kế thừa — a predecessor unit's results carry into a successor from a date.

    `share` is the predecessor's weight in the successor's comparison baseline: a commune
    formed from one former district has share 1; a department formed by merging two has
    one row per predecessor (shares chosen by the secretariat, e.g. 0.5 and 0.5).
    """

    class Kind(models.TextChoices):
        MERGE = "merge", _("merger")
        SPLIT = "split", _("split")
        RENAME = "rename", _("renaming")

    predecessor = models.ForeignKey(
        Unit, on_delete=models.CASCADE, related_name="succeeded_by", verbose_name=_("predecessor")
    )
    successor = models.ForeignKey(
        Unit, on_delete=models.CASCADE, related_name="succeeds", verbose_name=_("successor")
    )
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.MERGE)
    share = models.DecimalField(_("share"), max_digits=6, decimal_places=4, default=1)

    class Meta:
        ordering = ["date", "successor__code", "predecessor__code"]
        verbose_name = _("unit succession")
        verbose_name_plural = _("unit lineage")
        constraints = [
            models.UniqueConstraint(fields=["predecessor", "successor"], name="unique_succession"),
            models.CheckConstraint(condition=Q(share__gt=0) & Q(share__lte=1), name="succession_share_in_0_1"),
            models.CheckConstraint(condition=~Q(predecessor=models.F("successor")), name="succession_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.predecessor.code} → {self.successor.code} ({self.date:%d/%m/%Y})"


class Period(models.Model):
    """Kỳ đánh giá — an assessment period, usually a calendar year.

    The secretariat says which blocks are assessed in it and which frameworks apply; a closed
    period is kept as it was (its settings no longer change until it is reopened).
    """

    code = models.CharField(_("code"), max_length=20, unique=True)
    year = models.PositiveSmallIntegerField(_("year"))
    name_vi = models.CharField(_("name (Vietnamese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    blocks = models.ManyToManyField(Block, blank=True, related_name="periods", verbose_name=_("blocks assessed"))
    frameworks = models.ManyToManyField(
        "frameworks.Framework", blank=True, related_name="periods", verbose_name=_("frameworks that apply")
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        ordering = ["-start_date"]
        verbose_name = _("period")
        verbose_name_plural = _("periods")
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=models.F("start_date")), name="period_end_after_start")
        ]

    @property
    def name(self) -> str:
        if (get_language() or "vi").startswith("en") and self.name_en:
            return self.name_en
        return self.name_vi

    def __str__(self) -> str:
        return self.name

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None
