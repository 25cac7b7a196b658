"""One-stop-shop statistics (thống kê hồ sơ thủ tục hành chính): per unit and period, imported
from the one-stop system's exports, with the column mapping of each export format and a
record of every import."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from chiso.formats.numbers import said

from .fields import COUNT_FIELDS


class SourceFormat(models.Model):
    """Định dạng tệp nguồn — how one system's export names its columns: {field: header}."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    mapping = models.JSONField(_("column mapping"), default=dict)
    sheet = models.CharField(_("sheet"), max_length=100, blank=True, help_text=_("Leave empty to read the first sheet."))
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("updated by"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("source format")
        verbose_name_plural = _("source formats")

    def __str__(self) -> str:
        return self.name


class StatImport(models.Model):
    """Lần nhập — one import of a period's file: who, when, what it added, changed and (when it
    replaced the whole period) removed. Append-only."""

    period = models.ForeignKey("units.Period", on_delete=models.PROTECT, related_name="stat_imports", verbose_name=_("period"))
    source_format = models.ForeignKey(SourceFormat, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("source format"))
    file_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    totals = models.JSONField(_("totals"), default=dict)
    replaced = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("replaced import"))
    replaced_totals = models.JSONField(_("totals replaced"), default=dict, blank=True)
    replace_period = models.BooleanField(_("replaced the whole period"), default=False)
    counts = models.JSONField(_("units added, changed, unchanged, removed"), default=dict, blank=True)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("imported by"))
    imported_at = models.DateTimeField(_("imported at"), auto_now_add=True)

    class Meta:
        ordering = ["-imported_at", "-pk"]
        verbose_name = _("statistics import")
        verbose_name_plural = _("statistics imports")

    def __str__(self) -> str:
        return f"{self.period} — {self.file_name}"


class ServiceStat(models.Model):
    """Số liệu hồ sơ TTHC — one unit's dossier counts in one period."""

    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="service_stats", verbose_name=_("unit"))
    period = models.ForeignKey("units.Period", on_delete=models.PROTECT, related_name="service_stats", verbose_name=_("period"))
    source = models.ForeignKey(StatImport, on_delete=models.PROTECT, related_name="stats", verbose_name=_("import"))
    received_online_full = models.PositiveIntegerField(COUNT_FIELDS[0][2], default=0)
    received_online_partial = models.PositiveIntegerField(COUNT_FIELDS[1][2], default=0)
    received_in_person = models.PositiveIntegerField(COUNT_FIELDS[2][2], default=0)
    received_post = models.PositiveIntegerField(COUNT_FIELDS[3][2], default=0)
    processed_early = models.PositiveIntegerField(COUNT_FIELDS[4][2], default=0)
    processed_on_time = models.PositiveIntegerField(COUNT_FIELDS[5][2], default=0)
    processed_late = models.PositiveIntegerField(COUNT_FIELDS[6][2], default=0)
    pending = models.PositiveIntegerField(COUNT_FIELDS[7][2], default=0)
    digitised = models.PositiveIntegerField(COUNT_FIELDS[8][2], default=0)
    results_electronic = models.PositiveIntegerField(COUNT_FIELDS[9][2], default=0)
    fee_bearing = models.PositiveIntegerField(COUNT_FIELDS[10][2], null=True, blank=True)
    paid_online = models.PositiveIntegerField(COUNT_FIELDS[11][2], default=0)
    synced = models.PositiveIntegerField(COUNT_FIELDS[12][2], default=0)

    class Meta:
        ordering = ["period", "unit__block__order", "unit__name_vi"]
        verbose_name = _("one-stop-shop statistic")
        verbose_name_plural = _("one-stop-shop statistics")
        constraints = [models.UniqueConstraint(fields=["unit", "period"], name="unique_service_stat")]

    def __str__(self) -> str:
        return f"{self.unit} — {self.period}"


class RateTarget(models.Model):
    """Chỉ tiêu — the least a rate should reach (e.g. on-time > 98 %, Cao Bằng plan 2163/KH-UBND);
    for every period and block unless narrowed. Units below it are highlighted."""

    class Measure(models.TextChoices):
        ON_TIME = "on_time_rate", _("Settled early or on time %")
        ONLINE = "online_rate", _("Received online %")
        ONLINE_FULL = "online_full_rate", _("Received fully online %")
        DIGITISATION = "digitisation_rate", _("Digitised %")
        ELECTRONIC_RESULTS = "electronic_result_rate", _("Electronic results %")
        ONLINE_PAYMENT = "online_payment_rate", _("Paid online %")
        SYNC = "sync_rate", _("Synchronised to the national portal %")

    measure = models.CharField(_("rate"), max_length=30, choices=Measure.choices)
    minimum = models.FloatField(_("target (%)"))
    strict = models.BooleanField(_("strictly above"), default=False)
    period = models.ForeignKey("units.Period", on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("period"))
    block = models.ForeignKey("units.Block", on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("block"))
    source = models.CharField(_("source"), max_length=255, blank=True)

    class Meta:
        ordering = ["measure"]
        verbose_name = _("rate target")
        verbose_name_plural = _("rate targets")

    def __str__(self) -> str:
        return f"{self.get_measure_display()} {'>' if self.strict else '≥'} {said(self.minimum)}"

    def met_by(self, value: float | None) -> bool | None:
        if value is None:
            return None
        return value > self.minimum if self.strict else value >= self.minimum
