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

from chiso.core.sealed import SealedJSONField

from chiso.surveys.collection.formdef import FormDef


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
        expressions compiled on it) across requests; the parsed JSON is read only when this
        process has not parsed it yet (hot paths defer the `survey` field)."""
        if self.pk is None:
            return FormDef(self.survey)
        key = (self.pk, self.created_at)  # the time too: a test database may reuse a primary key
        cached = _FORMS.get(key)
        if cached is None:
            cached = FormDef(self.survey)
            if len(_FORMS) > 64:
                _FORMS.clear()
            _FORMS[key] = cached
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
    paper_double_entry = models.BooleanField(
        _("paper forms typed twice"), default=False,
        help_text=_("Two clerks type each paper form; a third settles the differences; only settled forms count."),
    )
    # media and location questions (issue 20): only a survey that is not anonymous may ask them
    anonymous = models.BooleanField(
        _("anonymous"), default=True,
        help_text=_("An anonymous survey cannot ask for a location, a photo, a recording or a file: they identify a respondent."),
    )
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

    The invitation learns one thing from the survey: its status. "Completed" is set when the
    answers are written in their batch, in shuffled order with the batch's other invitations;
    until then a SpentLink closes the link. "Surveys II" adds sample frames.
    """

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("Not started")
        IN_PROGRESS = "in_progress", _("In progress")
        COMPLETED = "completed", _("Completed")
        REVOKED = "revoked", _("Revoked")

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("survey"))
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True)
    # The typeable code's HMAC under the secret key (links.py); empty for the demo's fixed tokens.
    code_hash = models.CharField(_("code hash"), max_length=64, unique=True, null=True, blank=True)
    label = models.CharField(_("label"), max_length=255, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.NOT_STARTED)
    # Sampled respondents' links are derived from this random salt and the secret key, so the
    # same link can go out by e-mail, letter and reminder while only its hash is stored.
    link_salt = models.CharField(max_length=32, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["survey", "label", "pk"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return self.label or f"#{self.pk}"


class Draft(models.Model):
    """Answers in progress, saved on every page so a respondent can resume; deleted on submit.

    A web draft belongs to its invitation until submission; nothing of it survives submission:
    its answers move to a HeldResponse (in another transaction) and the draft is deleted.
    """

    class Channel(models.TextChoices):
        WEB = "web", _("Web")
        PAPER = "paper", _("Paper form entered by staff")

    key = models.CharField(max_length=64, unique=True)  # random; what a session refers to
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="drafts")
    version = models.ForeignKey(QuestionnaireVersion, on_delete=models.PROTECT, related_name="+")
    invitation = models.OneToOneField(Invitation, on_delete=models.CASCADE, null=True, blank=True, related_name="draft")
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.WEB)
    # Sealed (chiso.core.sealed): saved on every page, so the WAL and backups keep every version.
    answers = SealedJSONField(default=dict, blank=True)
    page = models.CharField(max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Time spent answering: the gaps between saves, each capped (a pause is not answering).
    active_seconds = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("draft")
        verbose_name_plural = _("drafts")


class Response(models.Model):
    """Phiếu trả lời — one submitted questionnaire, unlinkable to who answered it.

    No invitation, draft, user, token or address; the date only, not the time; a random id,
    so neither a join nor the order of ids reveals anything. Rows arrive in shuffled batches
    (HeldResponse), never one by one. `rated_units` lists the units rated (DDCI), each with
    its entry in `answers`.
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
    # The day its batch was written (web, paper), or the import's date of submission.
    submitted_on = models.DateField(_("submitted on"))
    # Time spent answering (web and paper drafts), for speeder checks: the lower bound of its
    # bucket (services.DURATION_BUCKETS), never the exact seconds; no time of day.
    duration_seconds = models.PositiveIntegerField(_("time spent answering (s)"), null=True, blank=True)
    idempotency_key = models.CharField(_("submission key"), max_length=64, unique=True)

    class Meta:
        # By id: random, so a listing follows no order of arrival.
        ordering = ["id"]
        verbose_name = _("response")
        verbose_name_plural = _("responses")


class HeldResponse(models.Model):
    """Phiếu chờ ghi — a submitted questionnaire waiting for its batch (docs/security.md).

    Answers are written to `Response` only in shuffled batches of at least k, so that neither
    the order of rows, their transaction ids nor the pages' counts follow arrival. Meanwhile they
    wait here, with what the response will hold and nothing more: no invitation, draft, user or
    time (not even a date: a batch's responses carry the day the batch was written), a random
    id, and the submission key that makes a double click harmless.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="held_responses", verbose_name=_("survey"))
    version = models.ForeignKey(QuestionnaireVersion, on_delete=models.PROTECT, related_name="+", verbose_name=_("questionnaire version"))
    # Sealed: written next to its draft's deletion, which names the invitation (docs/security.md).
    answers = SealedJSONField(_("answers"))
    rated_units = SealedJSONField(_("rated units"), default=list, blank=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Response.Channel.choices)
    # Imports bring their own date of submission; web and paper forms take their batch's day.
    submitted_on = models.DateField(_("submitted on"), null=True, blank=True)
    duration_seconds = models.PositiveIntegerField(_("time spent answering (s)"), null=True, blank=True)
    idempotency_key = models.CharField(_("submission key"), max_length=64, unique=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("response waiting for its batch")
        verbose_name_plural = _("responses waiting for their batch")


class SpentLink(models.Model):
    """An invitation link used to submit, kept as a mark that only the server can recognise.

    The mark is an HMAC of the invitation under the server's secret key, so a database (a dump,
    a backup) does not say which invitation has submitted answers still waiting for their batch:
    the invitation itself is not written at submission. It closes the link at once; the batch
    marks the invitation completed and removes the mark.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="+")
    mark = models.CharField(max_length=64, unique=True)

    class Meta:
        verbose_name = _("used invitation link")
        verbose_name_plural = _("used invitation links")


class OfflineKey(models.Model):
    """The submission key of a form sent by an enumerator's device (docs/surveys.md, "Offline
    collection"), kept after its batch is written so that a resend stores nothing new.

    The hashed key only: no response, user, device or time. The response itself gets a fresh
    random key with its batch, as every paper form does, so the key names no response.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=64, unique=True)

    class Meta:
        verbose_name = _("offline submission key")
        verbose_name_plural = _("offline submission keys")


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


class PaperForm(models.Model):
    """Phiếu giấy — one paper form by its number (số phiếu): typed once, or twice and settled.

    The number is the paper's, written on it when collected, not a business's. Nothing of it
    reaches the response: a settled form's answers are held like a web form's and its entries
    (with their answers) are deleted.
    """

    class Status(models.TextChoices):
        TYPING = "typing", _("Being typed")
        TO_SETTLE = "to_settle", _("Differences to settle")
        SETTLED = "settled", _("Settled and counted")

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="paper_forms", verbose_name=_("survey"))
    number = models.CharField(_("form number"), max_length=40)
    entries_required = models.PositiveSmallIntegerField(_("entries required"), default=1)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.TYPING)
    differences = models.PositiveIntegerField(_("differences"), default=0)
    settled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("settled by"))

    class Meta:
        ordering = ["survey", "number"]
        verbose_name = _("paper form")
        verbose_name_plural = _("paper forms")
        constraints = [models.UniqueConstraint(fields=["survey", "number"], name="unique_paper_form_number")]

    def __str__(self) -> str:
        return self.number


class PaperEntry(models.Model):
    """One clerk's typing of a paper form: its draft while typing, its checked answers until
    the form is settled (double entry), then deleted."""

    paper_form = models.ForeignKey(PaperForm, on_delete=models.CASCADE, related_name="entries", verbose_name=_("paper form"))
    clerk = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("entered by"))
    draft = models.OneToOneField(Draft, on_delete=models.SET_NULL, null=True, blank=True, related_name="paper_entry")
    version = models.ForeignKey(QuestionnaireVersion, on_delete=models.PROTECT, related_name="+")
    answers = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["paper_form", "pk"]
        verbose_name = _("paper form entry")
        verbose_name_plural = _("paper form entries")
        constraints = [models.UniqueConstraint(fields=["paper_form", "clerk"], name="unique_paper_entry_clerk")]


# --- Surveys II: the sample frame, the sample, contact, and the analysis of answers ---------------
#
# Identity (frames, sample members, contact) and answers (responses, flags, decisions) meet in no
# table: a sample member knows its invitation, an invitation knows only its status, and nothing
# on the answers' side refers back to either. See docs/surveys.md §7.


class SurveyAnalysis(models.Model):
    """How a survey is monitored, cleaned, weighted and scored — settings kept as data."""

    survey = models.OneToOneField(Survey, on_delete=models.CASCADE, related_name="analysis", verbose_name=_("survey"))
    min_cell = models.PositiveSmallIntegerField(
        _("anonymity threshold k"), default=5, help_text=_("Counts below k are never shown broken down by stratum, unit or day.")
    )
    min_answers_per_unit = models.PositiveIntegerField(
        _("minimum answers per rated unit"), default=30, help_text=_("Units with fewer answers are marked and not scored.")
    )
    quality = models.JSONField(_("data quality rules"), default=dict, blank=True)
    weighting = models.JSONField(_("weighting"), default=dict, blank=True)

    class Meta:
        verbose_name = _("survey analysis settings")
        verbose_name_plural = _("survey analysis settings")

    def __str__(self) -> str:
        return str(self.survey)


class SampleFrame(models.Model):
    """Khung mẫu — the list of businesses (or citizens) a sample is drawn from. Identity lives here."""

    class Kind(models.TextChoices):
        BUSINESS = "business", _("Businesses")
        CITIZEN = "citizen", _("Citizens")

    name = models.CharField(_("name"), max_length=255)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.BUSINESS)
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    entry_count = models.PositiveIntegerField(_("entries"), default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("imported by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("sample frame")
        verbose_name_plural = _("sample frames")

    def __str__(self) -> str:
        return self.name


class FrameEntry(models.Model):
    """One business (mã số thuế) or citizen of a frame."""

    frame = models.ForeignKey(SampleFrame, on_delete=models.CASCADE, related_name="entries", verbose_name=_("sample frame"))
    row = models.PositiveIntegerField(_("row in the file"))
    tax_code = models.CharField(_("tax code"), max_length=14, blank=True)
    name = models.CharField(_("name"), max_length=255)
    legal_form = models.CharField(_("legal form"), max_length=100, blank=True)
    sector = models.CharField(_("sector (VSIC)"), max_length=10, blank=True)
    sector_section = models.CharField(_("VSIC section"), max_length=1, blank=True)
    size = models.CharField(_("size"), max_length=10, blank=True)
    commune = models.CharField(_("commune"), max_length=150, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    email = models.CharField(_("e-mail"), max_length=254, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)

    class Meta:
        ordering = ["frame", "row"]
        verbose_name = _("frame entry")
        verbose_name_plural = _("frame entries")
        indexes = [models.Index(fields=["frame", "tax_code"])]

    def __str__(self) -> str:
        return self.name


class Sample(models.Model):
    """Mẫu khảo sát — a stratified random sample of a frame for one survey, with its seed."""

    class Allocation(models.TextChoices):
        PROPORTIONAL = "proportional", _("Proportional to stratum size")
        SET = "set", _("Set per stratum")

    survey = models.OneToOneField(Survey, on_delete=models.CASCADE, related_name="sample", verbose_name=_("survey"))
    frame = models.ForeignKey(SampleFrame, on_delete=models.PROTECT, related_name="samples", verbose_name=_("sample frame"))
    strata_fields = models.JSONField(_("strata"), default=list)
    allocation = models.CharField(_("allocation"), max_length=12, choices=Allocation.choices)
    size = models.PositiveIntegerField(_("sample size"))
    sizes = models.JSONField(_("sample size per stratum"), default=dict)
    replacements = models.JSONField(_("replacements per stratum"), default=dict)
    seed = models.BigIntegerField(_("random seed"))
    method = models.CharField(_("method"), max_length=60, default="numpy-pcg64-permutation-v1")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("drawn by"))
    created_at = models.DateTimeField(_("drawn at"), auto_now_add=True)

    class Meta:
        verbose_name = _("sample")
        verbose_name_plural = _("samples")

    def __str__(self) -> str:
        return str(self.survey)


class SampleMember(models.Model):
    """One sampled (or reserve) business, its invitation and how it was contacted."""

    class Role(models.TextChoices):
        PRIMARY = "primary", _("Sampled")
        REPLACEMENT = "replacement", _("Replacement")

    sample = models.ForeignKey(Sample, on_delete=models.CASCADE, related_name="members", verbose_name=_("sample"))
    entry = models.ForeignKey(FrameEntry, on_delete=models.PROTECT, related_name="+", verbose_name=_("frame entry"))
    stratum = models.CharField(_("stratum"), max_length=255)
    role = models.CharField(_("role"), max_length=12, choices=Role.choices)
    position = models.PositiveIntegerField(_("order in the replacement list"), default=0)
    active = models.BooleanField(_("to be contacted"), default=False)
    replaces = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("replaces"))
    invitation = models.OneToOneField(Invitation, on_delete=models.SET_NULL, null=True, blank=True, related_name="member", verbose_name=_("invitation"))
    emailed_at = models.DateTimeField(_("invitation e-mailed at"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("last reminder at"), null=True, blank=True)
    reminders = models.PositiveSmallIntegerField(_("reminders sent"), default=0)
    letter_at = models.DateTimeField(_("letter printed at"), null=True, blank=True)
    send_error = models.CharField(_("last sending error"), max_length=255, blank=True)
    opted_out_at = models.DateTimeField(_("opted out at"), null=True, blank=True)

    class Meta:
        ordering = ["sample", "stratum", "role", "position"]
        verbose_name = _("sample member")
        verbose_name_plural = _("sample members")
        constraints = [models.UniqueConstraint(fields=["sample", "entry"], name="unique_sample_entry")]


class MessageTemplate(models.Model):
    """Thư mời — the editable text of the invitation e-mail, the reminder and the printed letter."""

    class Kind(models.TextChoices):
        INVITATION = "invitation", _("Invitation e-mail")
        REMINDER = "reminder", _("Reminder e-mail")
        LETTER = "letter", _("Printed letter")

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="message_templates", verbose_name=_("survey"))
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    body = models.TextField(_("text"))
    # The printed letter's official heading (Decree 30/2020): the issuing body, the number and
    # symbol (số, ký hiệu) and the place before the date.
    issuer = models.CharField(_("issuing body"), max_length=255, blank=True)
    reference = models.CharField(_("number and symbol"), max_length=100, blank=True)
    place = models.CharField(_("place"), max_length=100, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("message template")
        verbose_name_plural = _("message templates")
        constraints = [models.UniqueConstraint(fields=["survey", "kind"], name="unique_message_template")]


class SurveyDay(models.Model):
    """Forms started per day, counted apart from any draft or invitation (monitoring)."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="days", verbose_name=_("survey"))
    day = models.DateField(_("day"))
    started = models.PositiveIntegerField(_("forms started"), default=0)

    class Meta:
        verbose_name = _("forms started per day")
        verbose_name_plural = _("forms started per day")
        constraints = [models.UniqueConstraint(fields=["survey", "day"], name="unique_survey_day")]


class QualityFlag(models.Model):
    """A reason to doubt one response: speeder, straight-lining, duplicate, out of range, inconsistent."""

    class Code(models.TextChoices):
        SPEEDER = "speeder", _("Speeder")
        STRAIGHT_LINING = "straight_lining", _("Straight-lining")
        DUPLICATE = "duplicate", _("Duplicate")
        OUT_OF_RANGE = "out_of_range", _("Out of range")
        INCONSISTENT = "inconsistent", _("Inconsistent")

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="flags", verbose_name=_("response"))
    code = models.CharField(_("flag"), max_length=20, choices=Code.choices)
    reason = models.TextField(_("reason"))
    created_at = models.DateTimeField(_("found at"), auto_now_add=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("quality flag")
        verbose_name_plural = _("quality flags")
        indexes = [models.Index(fields=["code"])]


class QualityDecision(models.Model):
    """The analyst's include/exclude decision on a response, with who and why. Append-only:
    the latest row is the decision in force, the earlier ones its history."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="decisions", verbose_name=_("response"))
    include = models.BooleanField(_("include"))
    reason = models.TextField(_("reason"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("decided by"))
    at = models.DateTimeField(_("decided at"), auto_now_add=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("quality decision")
        verbose_name_plural = _("quality decisions")


class IndicatorRule(models.Model):
    """Quy tắc chỉ tiêu — how answers about a unit become one framework indicator's value."""

    class Statistic(models.TextChoices):
        SHARE = "share", _("Share of answers (%)")
        MEAN = "mean", _("Mean")
        MEDIAN = "median", _("Median")

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="indicator_rules", verbose_name=_("survey"))
    framework = models.ForeignKey("frameworks.Framework", on_delete=models.CASCADE, related_name="+", verbose_name=_("framework"))
    indicator = models.CharField(_("indicator code"), max_length=60)
    question = models.CharField(_("question"), max_length=100)
    statistic = models.CharField(_("statistic"), max_length=10, choices=Statistic.choices)
    values = models.CharField(_("answers counted"), max_length=255, blank=True, help_text=_("For a share: the choices counted, e.g. 4 5, or a condition such as > 2."))
    exclude = models.CharField(_("answers left out"), max_length=255, blank=True, help_text=_("Choices left out of the denominator, e.g. khong_tra_loi."))
    row = models.PositiveIntegerField(_("row"), default=0)

    class Meta:
        ordering = ["survey", "framework", "row", "indicator"]
        verbose_name = _("indicator rule")
        verbose_name_plural = _("indicator rules")
        constraints = [models.UniqueConstraint(fields=["survey", "framework", "indicator"], name="unique_indicator_rule")]


class IndicatorComputation(models.Model):
    """One computation of the unit × indicator table from a survey, written as indicator values."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="indicator_computations", verbose_name=_("survey"))
    framework = models.ForeignKey("frameworks.Framework", on_delete=models.CASCADE, related_name="+", verbose_name=_("framework"))
    responses = models.PositiveIntegerField(_("responses used"))
    excluded = models.PositiveIntegerField(_("responses excluded"))
    weighting = models.CharField(_("weighting"), max_length=30)
    units = models.JSONField(_("units"))  # [{"unit", "n", "below_minimum", "values": {code: value}}]
    rules = models.JSONField(_("rules"))
    # The respondent-level rows the values were computed from (surveys.respondent_tables), so a
    # run's bootstrap resamples what the run used; no response id, responses in a random order.
    respondents = models.BinaryField(_("respondent table"), null=True, blank=True, editable=False)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("computed by"))
    at = models.DateTimeField(_("computed at"), auto_now_add=True)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("indicator computation")
        verbose_name_plural = _("indicator computations")
