"""Inputs of index runs, the runs, their stored results, and published national results."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class CurrentValues(models.Manager):
    """The values in force: a value is never overwritten, a newer entry supersedes it."""

    def get_queryset(self):
        return super().get_queryset().filter(superseded_at__isnull=True)


class IndicatorValue(models.Model):
    """Giá trị chỉ tiêu — one unit's value of one indicator in a period, with where it came from.

    Every source ends here (survey indicators, appraised points, statistics, values typed in by
    the secretariat), so a run reads one unit × indicator table. Entries are never changed: a new
    value supersedes the old one, which stays (with `superseded_at`) for the runs that read it.
    """

    class SourceKind(models.TextChoices):
        SURVEY = "survey", _("Survey computation")
        ASSESSMENT = "assessment", _("PAR appraisal")
        SERVICE_STATISTICS = "service_statistics", _("One-stop-shop statistics")
        FEEDBACK = "feedback", _("Business feedback figures")
        NATIONAL = "national", _("National results")
        MANUAL = "manual", _("Entered by hand")
        FILE_IMPORT = "file_import", _("File import")
        SYNTHETIC = "synthetic", _("Synthetic (demo)")

    framework = models.ForeignKey("frameworks.Framework", on_delete=models.CASCADE, related_name="values", verbose_name=_("framework"))
    period = models.ForeignKey("units.Period", on_delete=models.PROTECT, related_name="indicator_values", verbose_name=_("period"))
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="indicator_values", verbose_name=_("unit"))
    code = models.CharField(_("indicator code"), max_length=60)
    value = models.FloatField(_("value"), null=True, blank=True)
    not_applicable = models.BooleanField(_("not applicable"), default=False)
    source_kind = models.CharField(_("kind of source"), max_length=20, choices=SourceKind.choices, default=SourceKind.MANUAL)
    # What produced it, as an audit reference (`surveys.indicatorcomputation:7`, `assessments.cycle:3`).
    produced_by = models.CharField(_("produced by"), max_length=80, blank=True)
    source = models.CharField(_("source"), max_length=255)  # the words shown beside the value
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("entered by"))
    entered_at = models.DateTimeField(_("entered at"), default=timezone.now)
    superseded_at = models.DateTimeField(_("superseded at"), null=True, blank=True, db_index=True)

    objects = CurrentValues()
    all_entries = models.Manager()

    class Meta:
        base_manager_name = "all_entries"
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        constraints = [models.UniqueConstraint(
            fields=["framework", "period", "unit", "code"], condition=models.Q(superseded_at__isnull=True),
            name="one_current_indicator_value",
        )]


class IndexRun(models.Model):
    """Lượt tính chỉ số — one computation of a framework version for a period and a block.

    A draft can be recomputed or discarded; a published run never changes. Publishing again
    makes a new run, and the old one stays visible as superseded.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        SUPERSEDED = "superseded", _("Superseded")

    version = models.ForeignKey("frameworks.FrameworkVersion", on_delete=models.PROTECT, related_name="runs", verbose_name=_("framework version"))
    period = models.ForeignKey("units.Period", on_delete=models.PROTECT, related_name="runs", verbose_name=_("period"))
    block = models.ForeignKey("units.Block", on_delete=models.PROTECT, related_name="runs", verbose_name=_("block"))
    title = models.CharField(_("title"), max_length=255)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    inputs = models.JSONField(_("inputs"))  # {"units": […], "names": […], "codes": […], "values": [[…]], "sources": {…}}
    input_checksum = models.CharField(_("input checksum"), max_length=64)
    result_checksum = models.CharField(_("result checksum"), max_length=64)
    engine_version = models.CharField(_("engine version"), max_length=40)
    steps_log = models.JSONField(_("steps log"), default=list)
    details = models.JSONField(_("details"), default=dict)  # strengths and weaknesses per unit
    reason = models.TextField(_("reason"), blank=True)
    supersedes = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="superseded_by", verbose_name=_("supersedes"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("published by"))
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    # The object whose own publication publishes this run (a PAR cycle: `assessments.cycle:12`);
    # empty for runs published from their own page.
    owner = models.CharField(_("owner"), max_length=80, blank=True)
    # The indicator value rows the run read, by id: with superseded values kept, this says exactly
    # which entries fed it.
    value_rows = models.JSONField(_("indicator values read"), default=list, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("index run")
        verbose_name_plural = _("index runs")

    def __str__(self) -> str:
        return self.title


class RunScore(models.Model):
    """One unit's score (điểm), rank (thứ hạng) and band (xếp loại) on one node of a run."""

    run = models.ForeignKey(IndexRun, on_delete=models.CASCADE, related_name="scores", verbose_name=_("run"))
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="scores", verbose_name=_("unit"))
    code = models.CharField(_("node code"), max_length=60)
    value = models.FloatField(_("value"), null=True, blank=True)
    rank = models.PositiveIntegerField(_("rank"), null=True, blank=True)
    band = models.CharField(_("band"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("run score")
        verbose_name_plural = _("run scores")
        constraints = [models.UniqueConstraint(fields=["run", "unit", "code"], name="unique_run_score")]
        indexes = [models.Index(fields=["run", "code"])]


class ExternalResult(models.Model):
    """Kết quả công bố — a national index's published result for a province and year (PCI, PAPI, PAR, SIPAS)."""

    index_code = models.CharField(_("index"), max_length=20)
    year = models.PositiveSmallIntegerField(_("year"))
    province = models.CharField(_("province"), max_length=100)
    score = models.FloatField(_("score"), null=True, blank=True)
    rank = models.PositiveSmallIntegerField(_("rank"), null=True, blank=True)
    tier = models.CharField(_("tier"), max_length=60, blank=True)
    components = models.JSONField(_("components"), default=dict, blank=True)
    source = models.CharField(_("source"), max_length=255, blank=True)

    class Meta:
        ordering = ["index_code", "-year", "rank"]
        verbose_name = _("published national result")
        verbose_name_plural = _("published national results")
        constraints = [models.UniqueConstraint(fields=["index_code", "year", "province"], name="unique_external_result")]

    def __str__(self) -> str:
        return f"{self.index_code} {self.year} {self.province}"


class RunUncertainty(models.Model):
    """How sure each rank of a run is: an uncertainty analysis or a bootstrap, kept beside the
    run (which itself never changes). The latest of each kind is the one pages show."""

    class Kind(models.TextChoices):
        METHOD = "method", _("Methodological uncertainty")  # COINr's uncertainty analysis
        SAMPLING = "sampling", _("Sampling uncertainty")  # bootstrap over respondents

    run = models.ForeignKey(IndexRun, on_delete=models.CASCADE, related_name="uncertainties", verbose_name=_("run"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    spec = models.JSONField(_("assumptions"))
    replications = models.PositiveIntegerField(_("replications"))
    seed = models.BigIntegerField(_("seed"))
    ranks = models.JSONField(_("rank statistics"))  # {unit code: {nominal, mean, median, q5, q95}}
    groups = models.JSONField(_("groups not distinguishable"), default=list, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("rank uncertainty")
        verbose_name_plural = _("rank uncertainties")


class RunAnalysis(models.Model):
    """Phân tích lượt tính — a statistical audit, a sensitivity analysis or a comparison with other
    methodological choices, computed from a run's own frozen inputs and kept beside it. The run,
    its scores and its checksums never change; a comparison is a draft, not a result."""

    class Kind(models.TextChoices):
        AUDIT = "audit", _("Statistical audit")
        SENSITIVITY = "sensitivity", _("Sensitivity analysis")
        COMPARISON = "comparison", _("Comparison of methodological choices")

    run = models.ForeignKey(IndexRun, on_delete=models.CASCADE, related_name="analyses", verbose_name=_("run"))
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    spec = models.JSONField(_("choices"), default=dict, blank=True)  # what was varied, as the form chose it
    result = models.JSONField(_("result"), default=dict)
    input_checksum = models.CharField(_("input checksum"), max_length=64)  # the run's, when computed
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("run analysis")
        verbose_name_plural = _("run analyses")
        indexes = [models.Index(fields=["run", "kind", "-created_at"])]
