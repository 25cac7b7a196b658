"""Reads about feedback: who sees what, the filer's view, the published answers, and the figures
per unit and period (count, answered on time %, satisfaction %, median response days)."""

from __future__ import annotations

import datetime
import statistics
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chiso.accounts.models import Role
from chiso.accounts.permissions import PROVINCIAL_ROLES
from chiso.formats.collation import vietnamese_sorted
from chiso.units.models import Period, Unit

from .models import Feedback, FilerContact, Rating
from .tracking_codes import tracking_hash
from .workdays import WorkCalendar

SATISFIED = (Rating.Score.SATISFIED, Rating.Score.VERY_SATISFIED)
DISSATISFIED = (Rating.Score.VERY_DISSATISFIED, Rating.Score.DISSATISFIED)

# Which figures (attributes of Figures) a framework takes as which criteria is the framework
# version's data: its file's `sources: feedback:` section (Decision 766 group 5: "PAKN xử lý đúng
# hạn" and "hài lòng xử lý PAKN", formulas in vn-indices.md §7), read through
# chiso.frameworks.queries.source_map.


# --- who sees what ------------------------------------------------------------------------------

def user_sees_contacts(user) -> bool:
    """Only the secretariat reads filers' contact details: not the units, not even administrators."""
    return user.is_authenticated and user.is_active and user.role == Role.SECRETARIAT


def feedback_visible_to(user) -> QuerySet[Feedback]:
    base = Feedback.objects.select_related("type", "unit", "unit_suggested")
    if user.is_superuser or user.role in PROVINCIAL_ROLES:
        return base
    if user.role == Role.UNIT_OFFICER and user.unit_id:
        # A unit sees what was routed to it, never what waits for routing or went elsewhere.
        return base.filter(unit_id=user.unit_id, state__in=[Feedback.State.ASSIGNED, Feedback.State.ANSWERED])
    return base.none()


def contact_for(user, feedback: Feedback) -> FilerContact | None:
    if not user_sees_contacts(user):
        return None
    root = feedback.parent or feedback
    return FilerContact.objects.filter(feedback=root).first()


def feedback_list(user, *, state: str = "", unit: Unit | None = None, overdue: bool = False, today: datetime.date | None = None):
    items = feedback_visible_to(user)
    if state:
        items = items.filter(state=state)
    if unit is not None:
        items = items.filter(unit=unit)
    if overdue:
        items = items.filter(state=Feedback.State.ASSIGNED, deadline__lt=today or timezone.localdate())
    return items.order_by("-filed_on", "-number")


def feedback_by_code(code: str) -> Feedback | None:
    if not code.strip():
        return None
    return Feedback.objects.filter(tracking_hash=tracking_hash(code)).first()


def published_answers() -> QuerySet[Feedback]:
    return (
        Feedback.objects.filter(published_at__isnull=False, state=Feedback.State.ANSWERED, consent_publish=True)
        .select_related("type", "unit").order_by("-published_at")
    )


# --- figures --------------------------------------------------------------------------------------

@dataclass
class Figures:
    """One unit's (or the province's) feedback figures for a period, as of a day.

    count: items routed to the unit and filed in the period (parts of a split count, merged and
    set-aside items do not); due: answered, or unanswered past the deadline; on_time: answered by
    the deadline. on_time_rate = on_time ÷ due (an item not yet due is left out until it is).
    satisfaction_rate = ratings "satisfied" or "very satisfied" ÷ ratings.
    qd766_satisfaction_rate = (count − items late or rated dissatisfied) ÷ count (766's formula,
    with an item not yet due counted as fine). median_response_days: working days from routing
    to answer, over answered items.
    """

    count: int = 0
    answered: int = 0
    on_time: int = 0
    late: int = 0
    overdue: int = 0  # unanswered past the deadline
    pending: int = 0  # unanswered, not yet due
    ratings: int = 0
    satisfied: int = 0
    dissatisfied_items: int = 0
    bad_items: int = 0  # late, overdue or rated dissatisfied (766)
    response_days: list[int] = field(default_factory=list)

    @property
    def due(self) -> int:
        return self.answered + self.overdue

    @property
    def on_time_rate(self) -> float | None:
        return 100 * self.on_time / self.due if self.due else None

    @property
    def satisfaction_rate(self) -> float | None:
        return 100 * self.satisfied / self.ratings if self.ratings else None

    @property
    def qd766_satisfaction_rate(self) -> float | None:
        return 100 * (self.count - self.bad_items) / self.count if self.count else None

    @property
    def median_response_days(self) -> float | None:
        return statistics.median(self.response_days) if self.response_days else None

    def as_dict(self) -> dict:
        return {
            "count": self.count, "answered": self.answered, "on_time": self.on_time, "late": self.late,
            "overdue": self.overdue, "pending": self.pending, "ratings": self.ratings,
            "on_time_rate": self.on_time_rate, "satisfaction_rate": self.satisfaction_rate,
            "qd766_satisfaction_rate": self.qd766_satisfaction_rate, "median_response_days": self.median_response_days,
        }

    def add(self, item: Feedback, as_of: datetime.date, calendar: WorkCalendar) -> None:
        self.count += 1
        bad = False
        if item.state == Feedback.State.ANSWERED:
            self.answered += 1
            if item.answered_on <= item.deadline:
                self.on_time += 1
            else:
                self.late += 1
                bad = True
            self.response_days.append(calendar.between(item.assigned_on, item.answered_on))
        elif item.deadline < as_of:
            self.overdue += 1
            bad = True
        else:
            self.pending += 1
        scores = [r.score for r in item.ratings.all()]
        self.ratings += len(scores)
        self.satisfied += sum(1 for s in scores if s in SATISFIED)
        if any(s in DISSATISFIED for s in scores):
            self.dissatisfied_items += 1
            bad = True
        self.bad_items += bad


def _counted(period: Period):
    return (
        Feedback.objects.filter(
            state__in=[Feedback.State.ASSIGNED, Feedback.State.ANSWERED],
            filed_on__gte=period.start_date, filed_on__lte=period.end_date,
        )
        .only("pk", "unit_id", "state", "assigned_on", "deadline", "answered_on")
        .prefetch_related(Prefetch("ratings", queryset=Rating.objects.only("feedback_id", "score")))
    )


def _calendar(period: Period, as_of: datetime.date) -> WorkCalendar:
    return WorkCalendar(period.start_date, max(period.end_date, as_of) + datetime.timedelta(days=120))


def figures_by_unit(period: Period, *, as_of: datetime.date | None = None) -> dict[int, Figures]:
    """unit id → Figures, for units with at least one counted item."""
    as_of = as_of or timezone.localdate()
    calendar = _calendar(period, as_of)
    out: dict[int, Figures] = {}
    for item in _counted(period):
        out.setdefault(item.unit_id, Figures()).add(item, as_of, calendar)
    return out


def unit_figures(unit: Unit, period: Period, *, as_of: datetime.date | None = None) -> Figures:
    """The figures of one unit and period — what targets and indicators read."""
    as_of = as_of or timezone.localdate()
    calendar = _calendar(period, as_of)
    figures = Figures()
    for item in _counted(period).filter(unit=unit):
        figures.add(item, as_of, calendar)
    return figures


def province_figures(period: Period, *, as_of: datetime.date | None = None) -> Figures:
    as_of = as_of or timezone.localdate()
    calendar = _calendar(period, as_of)
    figures = Figures()
    for item in _counted(period):
        figures.add(item, as_of, calendar)
    return figures


def figures_table(period: Period, *, as_of: datetime.date | None = None) -> list[tuple[Unit, Figures]]:
    by_unit = figures_by_unit(period, as_of=as_of)
    units = vietnamese_sorted(Unit.objects.filter(pk__in=list(by_unit)).select_related("block"),
                              key=lambda u: u.name_vi, before=lambda u: u.block.order)
    return [(unit, by_unit[unit.pk]) for unit in units]


def counts_by_state(user) -> dict[str, int]:
    rows = feedback_visible_to(user).values("state").annotate(n=Count("pk"))
    return {row["state"]: row["n"] for row in rows}


def overdue_count(user, today: datetime.date | None = None) -> int:
    return feedback_visible_to(user).filter(
        Q(state=Feedback.State.ASSIGNED) & Q(deadline__lt=today or timezone.localdate())
    ).count()


def feedback_nav_items(user) -> list[tuple[str, str]]:
    """The feedback entries of the main navigation for this user."""
    if user.is_superuser or user.role in PROVINCIAL_ROLES or (user.role == Role.UNIT_OFFICER and user.unit_id):
        return [(reverse("feedback:list"), _("Feedback"))]
    return []


def answers_for_filer(tracked: Feedback) -> list[Feedback]:
    """The items whose answers the holder of `tracked`'s code receives (and may rate)."""
    if tracked.state == Feedback.State.SPLIT:
        return list(tracked.parts.select_related("unit", "type").order_by("number"))
    if tracked.state == Feedback.State.MERGED:
        target = tracked.merged_into
        while target.state == Feedback.State.MERGED and target.merged_into_id:
            target = target.merged_into
        return [target]
    return [tracked]


def tracked_ratings(tracked: Feedback) -> list[int]:
    """The items the holder of `tracked`'s code has already rated."""
    return list(Rating.objects.filter(via=tracked).values_list("feedback_id", flat=True))
