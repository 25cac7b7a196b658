"""Directives and their tasks, progress reports, improvement plans, targets and statistics (their
notices are chiso.notices', their history the audit trail's).

A task's "overdue" state is never stored: it is computed from its due date and today's date in
Asia/Ho_Chi_Minh (see `Task.state`), so a task becomes overdue at local midnight without a job.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from chiso.units.models import BilingualName

from . import deadlines


class Directive(models.Model):
    """Văn bản chỉ đạo — a notice, plan or decision that assigns tasks (511/TB-UBND, 3387/KH-UBND)."""

    number = models.CharField(_("number"), max_length=60, unique=True)  # số, ký hiệu
    date = models.DateField(_("date of issue"))
    issuer = models.CharField(_("issuer"), max_length=255)  # cơ quan ban hành
    summary = models.TextField(_("summary"))  # trích yếu
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-date", "number"]
        verbose_name = _("directive")
        verbose_name_plural = _("directives")

    def __str__(self) -> str:
        return self.number


class Task(models.Model):
    """Nhiệm vụ — one task of a directive, led by one unit, with cooperating units and a deadline."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", pgettext_lazy("task", "Not started")
        IN_PROGRESS = "in_progress", pgettext_lazy("task", "In progress")
        DONE = "done", pgettext_lazy("task", "Done")
        CANCELLED = "cancelled", pgettext_lazy("task", "Cancelled")

    class DeadlineKind(models.TextChoices):
        DATE = deadlines.DATE, _("A date")
        QUARTER = deadlines.QUARTER, _("A quarter")
        QUARTERLY = deadlines.QUARTERLY, _("Quarterly")
        MONTHLY = deadlines.MONTHLY, _("Monthly")
        YEARLY = deadlines.YEARLY, _("Yearly")

    directive = models.ForeignKey(Directive, on_delete=models.PROTECT, related_name="tasks", verbose_name=_("directive"))
    number = models.CharField(_("number"), max_length=20, blank=True)  # as numbered in the directive
    order = models.PositiveIntegerField(_("order"), default=0)
    text = models.TextField(_("task"))
    lead_unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="led_tasks", verbose_name=_("lead unit"))
    cooperating_units = models.ManyToManyField("units.Unit", blank=True, related_name="cooperating_tasks", verbose_name=_("cooperating units"))
    deadline_kind = models.CharField(_("kind of deadline"), max_length=10, choices=DeadlineKind.choices, default=DeadlineKind.DATE)
    deadline = models.DateField(_("deadline"))  # a quarter's last day for a quarter; the first report's for recurring
    due_date = models.DateField(_("due date"))  # the next date something is due (moves on for recurring tasks)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.NOT_STARTED)
    percent = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    completion_requested_at = models.DateTimeField(_("completion requested at"), null=True, blank=True)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("completion confirmed by"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("assigned by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["directive", "order", "pk"]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        constraints = [
            models.CheckConstraint(condition=Q(percent__lte=100), name="task_percent_le_100"),
        ]
        indexes = [models.Index(fields=["status", "due_date"])]

    def __str__(self) -> str:
        return f"{self.directive.number} — {self.number or self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in {self.Status.NOT_STARTED, self.Status.IN_PROGRESS}

    @property
    def is_recurring(self) -> bool:
        return self.deadline_kind in deadlines.RECURRING

    def due_on(self, today: datetime.date) -> datetime.date:
        """The date shown as due: a recurring task owes the last period's report, never older ones."""
        return deadlines.recurring_due(self.deadline_kind, self.due_date, today)

    def is_overdue(self, today: datetime.date) -> bool:
        return self.is_open and self.due_date < today

    def state(self, today: datetime.date) -> str:
        """The status shown: the stored one, or "overdue" for an open task past its due date."""
        return TaskState.OVERDUE if self.is_overdue(today) else self.status

    @property
    def deadline_label(self) -> str:
        return deadlines.deadline_label(self.deadline_kind, self.deadline)

    @property
    def completed_late(self) -> bool:
        return self.status == self.Status.DONE and self.completed_on is not None and self.completed_on > self.deadline


class TaskState(models.TextChoices):
    """A task's status as people see it: the stored status, with "overdue" computed."""

    NOT_STARTED = "not_started", pgettext_lazy("task", "Not started")
    IN_PROGRESS = "in_progress", pgettext_lazy("task", "In progress")
    OVERDUE = "overdue", pgettext_lazy("task", "Overdue")
    DONE = "done", pgettext_lazy("task", "Done")
    CANCELLED = "cancelled", pgettext_lazy("task", "Cancelled")


def evidence_path(report: "ProgressReport", filename: str) -> str:
    return f"followup/evidence/{report.task.directive_id}/{report.task_id}/{filename}"


class ProgressReport(models.Model):
    """Báo cáo tiến độ — what a unit did on a task, with evidence; may ask for completion."""

    class Review(models.TextChoices):
        NONE = "", _("No confirmation asked")
        PENDING = "pending", _("Awaiting confirmation")
        CONFIRMED = "confirmed", _("Completion confirmed")
        REJECTED = "rejected", _("Completion not confirmed")

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="reports", verbose_name=_("task"))
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("reporting unit"))
    text = models.TextField(_("what was done"))
    percent = models.PositiveSmallIntegerField(_("progress (%)"))
    evidence = models.FileField(_("evidence file"), upload_to=evidence_path, blank=True, max_length=500)
    evidence_link = models.URLField(_("evidence link"), blank=True, max_length=500)
    reported_on = models.DateField(_("reported on"))
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("reported by"))
    reported_at = models.DateTimeField(_("reported at"), auto_now_add=True)
    review = models.CharField(_("confirmation"), max_length=10, choices=Review.choices, blank=True, default=Review.NONE)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("reviewed by"))
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_note = models.TextField(_("note of the reviewer"), blank=True)

    class Meta:
        ordering = ["-reported_on", "-reported_at"]
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        constraints = [models.CheckConstraint(condition=Q(percent__lte=100), name="report_percent_le_100")]

    def __str__(self) -> str:
        return f"{self.task} · {self.reported_on:%d/%m/%Y}"

    @property
    def evidence_name(self) -> str:
        return self.evidence.name.rsplit("/", 1)[-1] if self.evidence else ""


class ImprovementPlan(models.Model):
    """Kế hoạch cải thiện — a unit's plan for indicators of a published run (its baseline)."""

    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="improvement_plans", verbose_name=_("unit"))
    run = models.ForeignKey("indices.IndexRun", on_delete=models.PROTECT, related_name="improvement_plans", verbose_name=_("baseline run"))
    title = models.CharField(_("title"), max_length=255)
    directive = models.ForeignKey(Directive, on_delete=models.SET_NULL, null=True, blank=True, related_name="plans", verbose_name=_("directive"))
    submitted_at = models.DateTimeField(pgettext_lazy("plan", "submitted at"), null=True, blank=True)  # "gửi", as the plan pages say
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("improvement plan")
        verbose_name_plural = _("improvement plans")
        constraints = [models.UniqueConstraint(fields=["unit", "run"], name="one_plan_per_unit_and_run")]

    def __str__(self) -> str:
        return self.title


class PlanItem(models.Model):
    """One indicator of a plan: where the unit stood (baseline) and where it aims to be."""

    plan = models.ForeignKey(ImprovementPlan, on_delete=models.CASCADE, related_name="items", verbose_name=_("plan"))
    code = models.CharField(pgettext_lazy("followup", "indicator code"), max_length=60)
    name = models.CharField(_("indicator"), max_length=500)
    direction = models.SmallIntegerField(_("direction"), default=1)  # 1: higher is better; −1: lower is better
    baseline_value = models.FloatField(_("baseline value"), null=True, blank=True)
    baseline_rank = models.PositiveIntegerField(_("baseline rank"), null=True, blank=True)
    target_value = models.FloatField(_("target value"), null=True, blank=True)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["plan", "order"]
        verbose_name = _("plan indicator")
        verbose_name_plural = _("plan indicators")
        constraints = [models.UniqueConstraint(fields=["plan", "code"], name="unique_plan_indicator")]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"


class PlanAction(models.Model):
    """Giải pháp — one action for an indicator, with the person or office responsible and a deadline."""

    item = models.ForeignKey(PlanItem, on_delete=models.CASCADE, related_name="actions", verbose_name=_("plan indicator"))
    text = models.TextField(_("action"))
    owner = models.CharField(_("responsible"), max_length=255)
    deadline = models.DateField(_("deadline"))
    done_on = models.DateField(_("done on"), null=True, blank=True)

    class Meta:
        ordering = ["item", "deadline", "pk"]
        verbose_name = _("plan action")
        verbose_name_plural = _("plan actions")

    def __str__(self) -> str:
        return self.text[:80]

    def is_overdue(self, today: datetime.date) -> bool:
        return self.done_on is None and self.deadline < today


class Statistic(BilingualName):
    """Số liệu thống kê — a yearly series entered with its sources (new firms, online dossiers %).

    A series may stand in for a national index (`index_code`, `measure`) until its publication is
    imported: the imported result always wins over a value typed here.
    """

    class Measure(models.TextChoices):
        SCORE = "score", _("score")
        RANK = "rank", _("rank")

    code = models.SlugField(_("code"), max_length=60, unique=True)
    unit_of_measure = models.CharField(_("unit of measure"), max_length=60, blank=True)
    higher_is_better = models.BooleanField(_("higher is better"), default=True)
    index_code = models.CharField(_("national index"), max_length=20, blank=True)
    measure = models.CharField(_("measure"), max_length=10, choices=Measure.choices, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = pgettext_lazy("followup", "statistic")
        verbose_name_plural = _("statistics")
        constraints = [
            models.UniqueConstraint(fields=["index_code", "measure"], condition=~Q(index_code=""), name="one_series_per_national_measure"),
        ]


class StatisticValue(models.Model):
    """One year's value of a series, where it comes from, and whether it is still provisional."""

    statistic = models.ForeignKey(Statistic, on_delete=models.CASCADE, related_name="values", verbose_name=pgettext_lazy("followup", "statistic"))
    year = models.PositiveSmallIntegerField(_("year"))
    value = models.FloatField(_("value"))
    components = models.JSONField(_("components"), default=dict, blank=True)  # e.g. PAPI's dimensions
    provisional = models.BooleanField(_("provisional"), default=False)  # số liệu ước tính
    source = models.CharField(_("source"), max_length=255)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("entered by"))
    entered_at = models.DateTimeField(_("entered at"), auto_now=True)

    class Meta:
        ordering = ["statistic", "year"]
        verbose_name = _("statistic value")
        verbose_name_plural = _("statistic values")
        constraints = [models.UniqueConstraint(fields=["statistic", "year"], name="unique_statistic_year")]

    def __str__(self) -> str:
        return f"{self.statistic.code} {self.year}"


class Target(models.Model):
    """Chỉ tiêu — a target on the province's PAR, PAPI, PCI or SIPAS, a run's score, or a statistic."""

    class Source(models.TextChoices):
        NATIONAL = "national", _("Published national result")
        RUN = "run", _("Index run of the province")
        STATISTIC = "statistic", _("Statistic series")
        SERVICES = "services", _("One-stop-shop statistics")  # chiso.services_stats: online %, on time %, …

    class Measure(models.TextChoices):
        SCORE = "score", _("score")
        RANK = "rank", _("rank")
        COMPONENT = "component", _("component score")

    class Rule(models.TextChoices):
        INCREASE = "increase", _("better than the baseline")
        CHANGE_BY = "change_by", _("better by at least")
        AT_LEAST = "at_least", _("at least")
        AT_MOST = "at_most", _("at most")
        ALL_COMPONENTS_UP = "all_components_up", _("better on every component")

    title = models.CharField(_("wording of the target"), max_length=500)
    directive = models.ForeignKey(Directive, on_delete=models.SET_NULL, null=True, blank=True, related_name="targets", verbose_name=_("directive"))
    source = models.CharField(_("where the actual value comes from"), max_length=10, choices=Source.choices)
    index_code = models.CharField(_("national index"), max_length=20, blank=True)  # PCI, PAPI, PAR, SIPAS
    measure = models.CharField(_("measure"), max_length=10, choices=Measure.choices, default=Measure.SCORE)
    component = models.CharField(_("component"), max_length=100, blank=True)
    framework = models.ForeignKey("frameworks.Framework", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("framework"))
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("unit"))
    node_code = models.CharField(_("node code"), max_length=60, blank=True)
    statistic = models.ForeignKey(Statistic, on_delete=models.PROTECT, null=True, blank=True, related_name="targets", verbose_name=pgettext_lazy("followup", "statistic"))
    rate = models.CharField(_("one-stop-shop rate"), max_length=30, blank=True)  # e.g. online_rate; the unit, if any, is `unit`
    baseline_year = models.PositiveSmallIntegerField(_("baseline year"), null=True, blank=True)
    baseline_value = models.FloatField(_("baseline value"), null=True, blank=True)  # blank: read from the source
    target_year = models.PositiveSmallIntegerField(_("target year"))
    rule = models.CharField(_("rule"), max_length=20, choices=Rule.choices)
    amount = models.FloatField(_("amount"), null=True, blank=True)  # 2 (ranks), 98 (%)
    order = models.PositiveIntegerField(_("order"), default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["target_year", "order", "pk"]
        verbose_name = pgettext_lazy("followup", "target")
        verbose_name_plural = _("targets")

    def __str__(self) -> str:
        return self.title
