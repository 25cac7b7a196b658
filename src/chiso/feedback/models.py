"""Business and citizen feedback (phản ánh, kiến nghị), its handling, and the working-day calendar.

Anonymity is in the shape of these tables, as for survey responses: a `Feedback` row holds no
address, no user agent, no account and only the date it was filed; the tracking code is kept
as a hash; the filer's contact details, when given, live in `FilerContact`, which only the
secretariat's pages read. Attachments are stored under neutral names. See docs/feedback.md.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from chiso.units.models import BilingualName


class Holiday(BilingualName):
    """Ngày nghỉ lễ, Tết — a weekday off, or (is_day_off False) a weekend day worked in exchange (làm bù)."""

    date = models.DateField(_("date"), unique=True)
    is_day_off = models.BooleanField(
        _("day off"), default=True, help_text=_("Untick for a Saturday or Sunday that is worked in exchange for another day.")
    )

    class Meta:
        ordering = ["date"]
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} — {self.name}"


class FeedbackType(BilingualName):
    """Loại phản ánh, kiến nghị — a topic, with the working days the unit has to answer it."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    response_days = models.PositiveSmallIntegerField(_("working days to answer"), default=10)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("offered on the public form"), default=True)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("feedback type")
        verbose_name_plural = _("feedback types")


class Feedback(models.Model):
    """Phản ánh, kiến nghị — one issue filed by a business, a citizen or an association, and its handling."""

    class FilerKind(models.TextChoices):
        BUSINESS = "business", _("Business")
        CITIZEN = "citizen", _("Citizen")
        ASSOCIATION = "association", _("Business association (on behalf of members)")

    class State(models.TextChoices):
        RECEIVED = "received", _("Received, awaiting routing")
        ASSIGNED = "assigned", _("With the responsible unit")
        ANSWERED = "answered", _("Answered")
        SPLIT = "split", _("Split into parts")
        MERGED = "merged", _("Merged with another")
        DISMISSED = "dismissed", _("Not handled")

    number = models.CharField(pgettext_lazy("feedback", "number"), max_length=20, unique=True)  # PA-2023-00012, for staff
    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    tracking_hash = models.CharField(_("tracking code hash"), max_length=64, unique=True, null=True, blank=True)
    type = models.ForeignKey(FeedbackType, on_delete=models.PROTECT, related_name="feedback", verbose_name=pgettext_lazy("feedback", "type"))
    title = models.CharField(pgettext_lazy("feedback", "title"), max_length=200)
    text = models.TextField(_("content"))
    filer_kind = models.CharField(_("filed by"), max_length=20, choices=FilerKind.choices, default=FilerKind.BUSINESS)
    on_behalf_of = models.CharField(_("on behalf of"), max_length=255, blank=True)  # an association's members
    anonymous = models.BooleanField(_("anonymous"), default=False)
    consent_publish = models.BooleanField(_("may be published without identity"), default=False)
    filed_on = models.DateField(_("filed on"))  # a date only: a time of day could be matched to an access log
    unit_suggested = models.ForeignKey(
        "units.Unit", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("unit named by the filer")
    )
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.RECEIVED)
    unit = models.ForeignKey(
        "units.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="feedback", verbose_name=_("responsible unit")
    )
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="parts", verbose_name=_("split from")
    )
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="merged", verbose_name=_("merged into")
    )
    assigned_on = models.DateField(_("routed on"), null=True, blank=True)
    deadline = models.DateField(pgettext_lazy("feedback", "deadline"), null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(_("escalation level"), default=0)
    answer = models.TextField(_("answer"), blank=True)
    answered_on = models.DateField(_("answered on"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("answered by")
    )
    dismissed_reason = models.TextField(_("reason for not handling"), blank=True)
    public_summary = models.TextField(_("published summary"), blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        ordering = ["-filed_on", "-number"]
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        indexes = [models.Index(fields=["unit", "filed_on"]), models.Index(fields=["state", "deadline"])]
        constraints = [
            models.CheckConstraint(condition=~Q(state="assigned") | Q(unit__isnull=False, deadline__isnull=False), name="feedback_assigned_has_unit"),
            models.CheckConstraint(condition=~Q(state="merged") | Q(merged_into__isnull=False), name="feedback_merged_has_target"),
        ]

    def __str__(self) -> str:
        return f"{self.number} — {self.title}"

    @property
    def is_counted(self) -> bool:
        """Counted in a unit's figures: routed to it (answered or not)."""
        return self.state in (self.State.ASSIGNED, self.State.ANSWERED)


class FilerContact(models.Model):
    """Thông tin liên hệ — who filed, seen by the secretariat only and never by the units.

    An anonymous filing has no row here at all.
    """

    feedback = models.OneToOneField(Feedback, on_delete=models.CASCADE, related_name="contact", verbose_name=_("feedback"))
    name = models.CharField(pgettext_lazy("person", "name"), max_length=200, blank=True)
    organisation = models.CharField(_("business or association"), max_length=255, blank=True)
    tax_code = models.CharField(_("tax code"), max_length=20, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("filer's contact details")
        verbose_name_plural = _("filers' contact details")

    def __str__(self) -> str:
        return str(self.feedback.number)


class Attachment(models.Model):
    """Tệp đính kèm — checked by its content, stored under a random name, shown under a neutral one."""

    feedback = models.ForeignKey(Feedback, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("feedback"))
    file = models.CharField(_("stored file"), max_length=255)  # relative to MEDIA_ROOT
    display_name = models.CharField(_("name"), max_length=100)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(pgettext_lazy("file", "size"))  # "dung lượng", not a business's "quy mô"
    sha256 = models.CharField(_("SHA-256"), max_length=64)

    class Meta:
        ordering = ["feedback", "pk"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.display_name


class Rating(models.Model):
    """Đánh giá mức độ hài lòng — the filer's rating of one answer (1 very dissatisfied … 5 very satisfied).

    `via` is the item whose tracking code was used: the same item, the item that was split, or
    an item merged into the answered one, so each filer rates each answer once.
    """

    class Score(models.IntegerChoices):
        VERY_DISSATISFIED = 1, _("Very dissatisfied")
        DISSATISFIED = 2, _("Dissatisfied")
        NEUTRAL = 3, _("Neither satisfied nor dissatisfied")
        SATISFIED = 4, _("Satisfied")
        VERY_SATISFIED = 5, _("Very satisfied")

    feedback = models.ForeignKey(Feedback, on_delete=models.CASCADE, related_name="ratings", verbose_name=_("answered feedback"))
    via = models.ForeignKey(Feedback, on_delete=models.CASCADE, related_name="+", verbose_name=_("rated through"))
    score = models.PositiveSmallIntegerField(_("rating"), choices=Score.choices)
    rated_on = models.DateField(_("rated on"))

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        constraints = [
            models.UniqueConstraint(fields=["feedback", "via"], name="one_rating_per_filer"),
            models.CheckConstraint(condition=Q(score__gte=1) & Q(score__lte=5), name="rating_1_to_5"),
        ]
