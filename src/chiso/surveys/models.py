"""Questionnaires, surveys, invitations, drafts and responses.

Anonymity is in the shape of these tables, not in the pages: a `Response` has no foreign key
to an invitation, a draft or a user, no token, no time of day and a random primary key, so no
join or ordering links a respondent to their answers. See docs/surveys.md.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


_FORMS: dict = {}


class Questionnaire(models.Model):
    """Phiếu khảo sát — one XLSForm `form_id`, with its versions."""

    form_id = models.CharField(_("form id"), max_length=100, unique=True)
    title = models.CharField(_("title"), max_length=255)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["form_id"]
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")

    def __str__(self) -> str:
        return self.title


class QuestionnaireVersion(models.Model):
    """One uploaded XLSForm: pyxform's survey dict and the workbook as it was uploaded."""

    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.PROTECT, related_name="versions", verbose_name=_("questionnaire"))
    version = models.CharField(_("version"), max_length=100)
    title = models.CharField(_("title"), max_length=255)
    survey = models.JSONField(_("parsed form"))
    xlsform = models.BinaryField(_("XLSForm workbook"))
    file_name = models.CharField(_("file name"), max_length=255)
    warnings = models.JSONField(_("warnings"), default=list, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("uploaded by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["questionnaire__form_id", "-created_at"]
        verbose_name = _("questionnaire version")
        verbose_name_plural = _("questionnaire versions")
        constraints = [models.UniqueConstraint(fields=["questionnaire", "version"], name="unique_questionnaire_version")]

    @cached_property
    def form(self):
        """The parsed form. A stored version never changes, so each process keeps it (and the
        expressions compiled on it) across requests."""
        from .form import FormDef

        if self.pk is None:
            return FormDef(self.survey)
        cached = _FORMS.get(self.pk)
        if cached is None or cached.survey != self.survey:
            cached = FormDef(self.survey)
            if len(_FORMS) > 64:
                _FORMS.clear()
            _FORMS[self.pk] = cached
        return cached

    def __str__(self) -> str:
        return f"{self.title} ({self.version})"


class Survey(models.Model):
    """Đợt khảo sát — one questionnaire put to respondents in one period, between two times."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    title_vi = models.CharField(_("title (Vietnamese)"), max_length=255)
    title_en = models.CharField(_("title (English)"), max_length=255, blank=True)
    period = models.ForeignKey("units.Period", on_delete=models.PROTECT, related_name="surveys", verbose_name=_("period"))
    version = models.ForeignKey(QuestionnaireVersion, on_delete=models.PROTECT, related_name="surveys", verbose_name=_("questionnaire version"))
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))
    open_link = models.BooleanField(
        _("open link"), default=False, help_text=_("Anyone with the survey's open link may answer (e.g. SIPAS at a one-stop shop).")
    )
    open_key = models.CharField(_("open link key"), max_length=40, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-opens_at", "code"]
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        constraints = [models.CheckConstraint(condition=Q(closes_at__gt=models.F("opens_at")), name="survey_closes_after_opening")]

    @property
    def title(self) -> str:
        if (get_language() or "vi").startswith("en") and self.title_en:
            return self.title_en
        return self.title_vi

    def state(self, now=None) -> str:
        now = now or timezone.now()
        if now < self.opens_at:
            return "scheduled"
        if now >= self.closes_at:
            return "closed"
        return "open"

    @property
    def is_open(self) -> bool:
        return self.state() == "open"

    def __str__(self) -> str:
        return self.title


class Invitation(models.Model):
    """Lời mời — one sampled respondent's single-use access. Only a hash of the token is kept.

    The invitation learns one thing from the survey: its status. "Surveys II" adds sample frames.
    """

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("Not started")
        IN_PROGRESS = "in_progress", _("In progress")
        COMPLETED = "completed", _("Completed")

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("survey"))
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True)
    label = models.CharField(_("label"), max_length=255, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.NOT_STARTED)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["survey", "label", "pk"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return self.label or f"#{self.pk}"


class Draft(models.Model):
    """Answers in progress, saved on every page so a respondent can resume; deleted on submit.

    A web draft belongs to its invitation until submission; nothing of it survives submission.
    """

    class Channel(models.TextChoices):
        WEB = "web", _("Web")
        PAPER = "paper", _("Paper form entered by staff")

    key = models.CharField(max_length=64, unique=True)  # random; what a session refers to
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="drafts")
    version = models.ForeignKey(QuestionnaireVersion, on_delete=models.PROTECT, related_name="+")
    invitation = models.OneToOneField(Invitation, on_delete=models.CASCADE, null=True, blank=True, related_name="draft")
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.WEB)
    answers = models.JSONField(default=dict, blank=True)
    page = models.CharField(max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("draft")
        verbose_name_plural = _("drafts")


class Response(models.Model):
    """Phiếu trả lời — one submitted questionnaire, unlinkable to who answered it.

    No invitation, draft, user, token or address; the date only, not the time; a random id,
    so neither a join nor the order of ids reveals anything. `rated_units` lists the units
    rated (DDCI), each with its entry in `answers`.
    """

    class Channel(models.TextChoices):
        WEB = "web", _("Web")
        PAPER = "paper", _("Paper")
        IMPORT = "import", _("Imported")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="responses", verbose_name=_("survey"))
    version = models.ForeignKey(QuestionnaireVersion, on_delete=models.PROTECT, related_name="responses", verbose_name=_("questionnaire version"))
    answers = models.JSONField(_("answers"))
    rated_units = models.JSONField(_("rated units"), default=list, blank=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    submitted_on = models.DateField(_("submitted on"))
    idempotency_key = models.CharField(_("submission key"), max_length=64, unique=True)

    class Meta:
        # By id: random, so a listing follows no order of arrival.
        ordering = ["id"]
        verbose_name = _("response")
        verbose_name_plural = _("responses")


class PaperEntryLog(models.Model):
    """Who typed in paper forms, counted per day — kept apart from the responses they typed."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("entered by"))
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="paper_entries", verbose_name=_("survey"))
    day = models.DateField(_("day"))
    count = models.PositiveIntegerField(_("forms entered"), default=0)

    class Meta:
        ordering = ["-day"]
        verbose_name = _("paper entry log")
        verbose_name_plural = _("paper entry logs")
        constraints = [models.UniqueConstraint(fields=["user", "survey", "day"], name="unique_paper_entry_day")]


class SurveyEvent(models.Model):
    """Audit of the secretariat's actions on a survey (open, close, extend, import)."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="events")
    code = models.CharField(max_length=40)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    old_value = models.CharField(max_length=255, blank=True)
    new_value = models.CharField(max_length=255, blank=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-at"]
