"""Assessment cycles, each unit's assessment, its items and evidence, council decisions, and the audit trail.

Rows here change only through services.py, which writes the audit trail (chiso.audit).
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Cycle(models.Model):
    """Đợt đánh giá Chỉ số CCHC — one period's assessment of one block against one framework version,
    with the schedule the secretariat sets."""

    version = models.ForeignKey("frameworks.FrameworkVersion", on_delete=models.PROTECT, related_name="assessment_cycles", verbose_name=_("framework version"))
    period = models.ForeignKey("units.Period", on_delete=models.PROTECT, related_name="assessment_cycles", verbose_name=_("period"))
    block = models.ForeignKey("units.Block", on_delete=models.PROTECT, related_name="assessment_cycles", verbose_name=_("block"))
    title = models.CharField(_("title"), max_length=255)
    self_assessment_due = models.DateTimeField(_("self-assessment due"))  # hạn nộp tự đánh giá
    appraisal_due = models.DateTimeField(_("appraisal due"), null=True, blank=True)
    explanation_days = models.PositiveSmallIntegerField(_("days to explain"), default=5)
    council_due = models.DateTimeField(_("council decision due"), null=True, blank=True)
    council_size = models.PositiveSmallIntegerField(_("council members"), default=9)
    # More than this share of the council must be present (50: more than half).
    quorum_percent = models.PositiveSmallIntegerField(_("quorum (per cent of members, exceeded)"), default=50)
    survey_run = models.ForeignKey("indices.IndexRun", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("survey index run"))
    run = models.ForeignKey("indices.IndexRun", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("results run"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-period__start_date", "block__order"]
        verbose_name = _("assessment cycle")
        verbose_name_plural = _("assessment cycles")
        constraints = [models.UniqueConstraint(fields=["version", "period", "block"], name="unique_assessment_cycle")]

    def __str__(self) -> str:
        return self.title


class Assessment(models.Model):
    """Bản đánh giá — one unit's assessment in a cycle, from self-assessment to publication."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        UNDER_APPRAISAL = "under_appraisal", _("Under appraisal")
        EXPLANATION_REQUESTED = "explanation_requested", _("Explanation requested")
        EXPLAINED = "explained", _("Explained")
        APPRAISED = "appraised", _("Appraised")
        COUNCIL_DECIDED = "council_decided", _("Council decided")
        PUBLISHED = "published", _("Published")
        EXCLUDED = "excluded", _("Excluded from the cycle")

    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="assessments", verbose_name=_("cycle"))
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="assessments", verbose_name=_("unit"))
    status = models.CharField(_("status"), max_length=24, choices=Status.choices, default=Status.DRAFT)
    # Set when the secretariat reopens a late self-assessment: the unit may submit until then.
    late_until = models.DateTimeField(_("late submission allowed until"), null=True, blank=True)
    explanation_due = models.DateTimeField(_("explanation due"), null=True, blank=True)
    explanation_round = models.PositiveSmallIntegerField(_("explanation round"), default=0)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("submitted by"))
    bonus_points = models.DecimalField(_("bonus points"), max_digits=7, decimal_places=2, default=Decimal("0"))
    penalty_points = models.DecimalField(_("penalty points"), max_digits=7, decimal_places=2, default=Decimal("0"))
    decision = models.ForeignKey("CouncilDecision", on_delete=models.PROTECT, null=True, blank=True, related_name="assessments", verbose_name=_("council decision"))
    # Chưa nộp — the secretariat closed a self-assessment never submitted by the deadline.
    not_submitted = models.BooleanField(_("closed as not submitted"), default=False)
    # 1 until the first explanations come back; then 2 (phúc tra): appraisal writes the round-2 points.
    appraisal_round = models.PositiveSmallIntegerField(_("appraisal round"), default=1)
    # The council's bonus and penalty by the framework's reasons: {"bonus": {code: "1.5"}, "penalty": {...}}.
    bonus_penalty = models.JSONField(_("bonus and penalty by reason"), default=dict, blank=True)
    exclusion_reason = models.TextField(_("reason for the exclusion"), blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["cycle", "unit__name_vi"]
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        constraints = [models.UniqueConstraint(fields=["cycle", "unit"], name="unique_assessment_per_unit")]

    def __str__(self) -> str:
        return f"{self.unit} — {self.cycle}"

    @property
    def submission_due(self):
        return self.late_until or self.cycle.self_assessment_due

    @property
    def is_locked(self) -> bool:
        """Points are fixed from the council decision on; only a reopening unlocks them."""
        return self.status in (self.Status.COUNCIL_DECIDED, self.Status.PUBLISHED)


class Item(models.Model):
    """Tiêu chí thành phần — one sub-criterion of one assessment: the claim, its evidence, the
    appraisal, the explanation round and the final points.

    `part` is "self" for items the unit assesses, or the framework's `part` (e.g. "survey") for
    items whose points come from another source through a conversion rule.
    """

    SELF = "self"

    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="items", verbose_name=_("assessment"))
    node = models.ForeignKey("frameworks.Node", on_delete=models.PROTECT, related_name="+", verbose_name=_("sub-criterion"))
    code = models.CharField(_("code"), max_length=60)
    order = models.PositiveIntegerField(_("order"), default=0)
    part = models.CharField(_("part"), max_length=20, default=SELF)
    # Điểm tự đánh giá
    self_points = models.DecimalField(_("self-assessed points"), max_digits=7, decimal_places=2, null=True, blank=True)
    self_na = models.BooleanField(_("not applicable (self-assessment)"), default=False)
    self_note = models.TextField(_("note"), blank=True)
    evidence_explanation = models.TextField(_("explanation of missing evidence"), blank=True)
    # Điểm thẩm định
    appraised_points = models.DecimalField(_("appraised points"), max_digits=7, decimal_places=2, null=True, blank=True)
    appraised_na = models.BooleanField(_("not applicable (appraisal)"), default=False)
    appraisal_comment = models.TextField(_("appraisal comment"), blank=True)
    appraised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("appraised by"))
    appraised_at = models.DateTimeField(_("appraised at"), null=True, blank=True)
    # Điểm thẩm định lần 2 (phúc tra) — after the explanations; round 1 stays as it was.
    round2_points = models.DecimalField(_("round-2 points"), max_digits=7, decimal_places=2, null=True, blank=True)
    round2_na = models.BooleanField(_("not applicable (round 2)"), default=False)
    round2_comment = models.TextField(_("round-2 comment"), blank=True)
    round2_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("round 2 by"))
    round2_at = models.DateTimeField(_("round 2 at"), null=True, blank=True)
    # Giải trình
    explanation_request = models.TextField(_("explanation requested"), blank=True)
    explanation_round = models.PositiveSmallIntegerField(_("explanation round"), default=0)
    explanation = models.TextField(_("unit's explanation"), blank=True)
    explained_at = models.DateTimeField(_("explained at"), null=True, blank=True)
    # Điểm Hội đồng (only when the council changes the appraised points)
    council_adjusted = models.BooleanField(_("changed by the council"), default=False)
    council_points = models.DecimalField(_("council points"), max_digits=7, decimal_places=2, null=True, blank=True)
    council_na = models.BooleanField(_("not applicable (council)"), default=False)
    # Điểm quy đổi từ điều tra xã hội học (or another source)
    external_points = models.DecimalField(_("converted points"), max_digits=7, decimal_places=2, null=True, blank=True)
    external_source = models.CharField(_("source of converted points"), max_length=255, blank=True)
    lock_version = models.PositiveIntegerField(_("version"), default=0)  # optimistic locking
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("updated by"))

    class Meta:
        ordering = ["assessment", "order"]
        verbose_name = _("assessment item")
        verbose_name_plural = _("assessment items")
        constraints = [models.UniqueConstraint(fields=["assessment", "code"], name="unique_item_code")]

    def __str__(self) -> str:
        return f"{self.code} — {self.assessment}"

    @property
    def is_self_assessed(self) -> bool:
        return self.part == self.SELF

    @property
    def final(self) -> tuple[Decimal | None, bool]:
        """Điểm cuối cùng — (points, not applicable) as they stand: the council's, else the appraisal's;
        converted points for survey items."""
        if not self.is_self_assessed:
            return self.external_points, False
        if self.council_adjusted:
            return self.council_points, self.council_na
        if self.is_reappraised:
            return self.round2_points, self.round2_na
        return self.appraised_points, self.appraised_na

    @property
    def is_reappraised(self) -> bool:
        return self.round2_na or self.round2_points is not None

    @property
    def appraisal_now(self) -> tuple[Decimal | None, bool]:
        """The expert team's latest points: round 2 where given, else round 1."""
        if self.is_reappraised:
            return self.round2_points, self.round2_na
        return self.appraised_points, self.appraised_na

    @property
    def is_appraised(self) -> bool:
        return self.appraised_na or self.appraised_points is not None

    @property
    def is_claimed(self) -> bool:
        return self.self_na or self.self_points is not None


class Evidence(models.Model):
    """Tài liệu kiểm chứng — an uploaded file, or a reference to a document by number and date (số hiệu văn bản)."""

    class Kind(models.TextChoices):
        FILE = "file", _("File")
        DOCUMENT = "document", _("Document reference")

    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="evidence", verbose_name=_("item"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    during_explanation = models.BooleanField(_("added during explanation"), default=False)
    explanation_round = models.PositiveSmallIntegerField(_("explanation round"), default=0)  # 0: with the self-assessment
    file_path = models.CharField(_("stored file"), max_length=255, blank=True)  # under MEDIA_ROOT, random name
    original_name = models.CharField(_("file name"), max_length=255, blank=True)
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    size = models.PositiveBigIntegerField(pgettext_lazy("file", "size"), default=0)  # "dung lượng", not a business's "quy mô"
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    doc_number = models.CharField(_("document number"), max_length=100, blank=True)  # số hiệu, e.g. 123/QĐ-STC
    doc_date = models.DateField(_("document date"), null=True, blank=True)
    doc_title = models.CharField(_("document title"), max_length=500, blank=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("added by"))
    added_at = models.DateTimeField(_("added at"), default=timezone.now)
    removed_at = models.DateTimeField(_("removed at"), null=True, blank=True)
    removed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("removed by"))
    removal_reason = models.TextField(_("reason for removal"), blank=True)

    class Meta:
        ordering = ["item", "added_at", "pk"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")

    def __str__(self) -> str:
        if self.kind == self.Kind.FILE:
            return self.original_name
        date = f" ({self.doc_date:%d/%m/%Y})" if self.doc_date else ""
        return f"{self.doc_number}{date} {self.doc_title}".strip()


class Question(models.Model):
    """Câu hỏi giải trình — one round's question on one item, the unit's answer and the expert
    team's reply; every round stays, in order."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="questions", verbose_name=_("item"))
    round = models.PositiveSmallIntegerField(_("explanation round"))
    text = models.TextField(_("question"))
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("asked by"))
    asked_at = models.DateTimeField(_("asked at"))
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("answered by"))
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    reply = models.TextField(_("expert team's reply"), blank=True)
    replied_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("replied by"))
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)

    class Meta:
        ordering = ["round", "item__order"]
        verbose_name = _("explanation question")
        verbose_name_plural = _("explanation questions")
        constraints = [models.UniqueConstraint(fields=["item", "round"], name="unique_question_per_round")]

    def __str__(self) -> str:
        return f"{self.item.code} — {self.round}"


class CouncilDecision(models.Model):
    """Quyết nghị của Hội đồng thẩm định — one meeting fixing the final points of some units."""

    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="decisions", verbose_name=_("cycle"))
    meeting_date = models.DateField(_("meeting date"))
    minutes_number = models.CharField(_("minutes number"), max_length=100, blank=True)  # số biên bản
    members_total = models.PositiveSmallIntegerField(_("council members"))
    members_present = models.JSONField(_("members present"), default=list)
    quorum_percent = models.PositiveSmallIntegerField(_("quorum (per cent of members, exceeded)"))
    votes_for = models.PositiveSmallIntegerField(_("votes for"))
    votes_against = models.PositiveSmallIntegerField(_("votes against"), default=0)
    votes_abstain = models.PositiveSmallIntegerField(_("abstentions"), default=0)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by"))
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["-meeting_date", "-pk"]
        verbose_name = _("council decision")
        verbose_name_plural = _("council decisions")

    def __str__(self) -> str:
        return f"{self.cycle} — {self.meeting_date:%d/%m/%Y}"


class Affiliation(models.Model):
    """Quan hệ công tác — an appraiser belongs to (or comes from) a unit, so does not appraise it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="affiliations", verbose_name=_("appraiser"))
    unit = models.ForeignKey("units.Unit", on_delete=models.CASCADE, related_name="+", verbose_name=_("unit"))
    note = models.CharField(_("note"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("appraiser's affiliation")
        verbose_name_plural = _("appraisers' affiliations")
        constraints = [models.UniqueConstraint(fields=["user", "unit"], name="unique_affiliation")]

    def __str__(self) -> str:
        return f"{self.user} — {self.unit}"
