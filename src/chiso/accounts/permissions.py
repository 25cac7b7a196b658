"""Who may see what. Every view and API endpoint asks here, so the rule lives in one place.

A unit officer sees the internal data of their own unit only; the provincial roles see
every unit. Officers are refused (403) rather than redirected, so nothing is inferred.
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from chiso.assessments.models import Affiliation
from chiso.units.models import Unit

from .models import AppraisalBody, Role

PROVINCIAL_ROLES = frozenset({Role.SECRETARIAT, Role.APPRAISER, Role.LEADER, Role.ANALYST, Role.ADMINISTRATOR})
MANAGING_ROLES = frozenset({Role.SECRETARIAT, Role.ADMINISTRATOR})  # set up units, periods, frameworks
STAFF_ROLES = PROVINCIAL_ROLES | {Role.UNIT_OFFICER}  # every role with an account's pages (feedback lists)
SURVEY_VIEWING_ROLES = frozenset({Role.SECRETARIAT, Role.ADMINISTRATOR, Role.ANALYST, Role.LEADER})  # a survey, its monitoring
SURVEY_ANSWER_ROLES = frozenset({Role.SECRETARIAT, Role.ADMINISTRATOR, Role.ANALYST})  # answers, never identities
CONFIRMING_ROLES = MANAGING_ROLES | {Role.LEADER}  # follow-up: the assigning side confirms a task done


def user_can_see_unit(user, unit: Unit) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if is_provincial(user):
        return True
    return user.role == Role.UNIT_OFFICER and user.unit_id == unit.pk


def units_visible_to(user):
    if is_provincial(user):
        return Unit.objects.all()
    if user.role == Role.UNIT_OFFICER and user.unit_id:
        return Unit.objects.filter(pk=user.unit_id)
    return Unit.objects.none()


def user_manages(user) -> bool:
    return user.is_authenticated and (user.role in MANAGING_ROLES or user.is_superuser)


def is_provincial(user) -> bool:
    """A provincial role (not a unit officer): sees every unit, the directives, the figures per unit."""
    return user.is_authenticated and (user.is_superuser or user.role in PROVINCIAL_ROLES)


def is_leader(user) -> bool:
    return user.is_authenticated and user.role == Role.LEADER


def may_see_survey_answers(user) -> bool:
    """A survey's responses, their quality, indicators, exports and analysis settings (answers,
    never identities): the secretariat, the analyst (and administrators); not leaders."""
    return user.is_authenticated and (user.is_superuser or user.role in SURVEY_ANSWER_ROLES)


def may_confirm_tasks(user) -> bool:
    """Confirm or return a follow-up task reported done: the assigning side and leaders."""
    return user.is_authenticated and (user.is_superuser or user.role in CONFIRMING_ROLES)


def may_analyse_run(user, run=None) -> bool:
    """Audit an index run, compare it with other methodological choices and start its uncertainty
    and sensitivity analyses: the analyst and the secretariat (and administrators). A draft run
    stays the secretariat's working copy. None of this changes the run itself."""
    if not (user.is_authenticated and user.is_active):
        return False
    if not (user_manages(user) or user.role == Role.ANALYST):
        return False
    return run is None or run.status != "draft" or user_manages(user)


def unit_access_check(user, unit: Unit) -> None:
    if not user_can_see_unit(user, unit):
        raise PermissionDenied


def role_required(*roles: str):
    """Login required, and one of `roles` (superusers pass)."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(request, *args, **kwargs):
            if not (request.user.is_superuser or request.user.role in roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def may_manage_periods(user) -> bool:
    """Create, edit, close and reopen assessment periods: the secretariat (and administrators)."""
    return user_manages(user)


def may_manage_units(user) -> bool:
    """Import, edit and end units and their lineage: the secretariat (and administrators)."""
    return user_manages(user)


def may_import_national_results(user) -> bool:
    """Import published PCI, PAPI, PAR Index and SIPAS results: the secretariat (and administrators)."""
    return user_manages(user)


def may_manage_frameworks(user) -> bool:
    """Import frameworks and their versions: the secretariat (and administrators). `None` is the
    system (the demo loader, `manage.py import_framework`)."""
    return user is None or user_manages(user)


def frameworks_check(user) -> None:
    if not may_manage_frameworks(user):
        raise PermissionDenied


def may_manage_surveys(user) -> bool:
    """Questionnaires, surveys, invitations, samples, paper forms and imported responses: the
    secretariat (and administrators). `None` is the system (the demo loader, a command)."""
    return user is None or user_manages(user)


def surveys_check(user) -> None:
    if not may_manage_surveys(user):
        raise PermissionDenied


def may_manage_runs(user) -> bool:
    """Compute, publish and discard index runs and enter indicator values: the secretariat (and
    administrators). `None` is the system itself (the demo loader, a scheduled job), never a request."""
    return user is None or user_manages(user)


def runs_check(user) -> None:
    if not may_manage_runs(user):
        raise PermissionDenied


def may_enter_values(user) -> bool:
    """Write indicator values (typed in, imported, or computed from a survey): the secretariat, the
    analyst who computes a survey's indicators (and administrators); `None` is the system."""
    return user is None or user_manages(user) or (user.is_authenticated and user.is_active and user.role == Role.ANALYST)


def values_check(user) -> None:
    if not may_enter_values(user):
        raise PermissionDenied


def may_manage_accounts(user) -> bool:
    """Create user accounts and give them their role: administrators. `None` is the system (the demo
    loader, a command); the admin's own user form and `createsuperuser` do not pass here (the admin
    records its changes itself, audit.admin.AuditedAdmin)."""
    return user is None or (user.is_authenticated and user.is_active and (user.is_superuser or user.role == Role.ADMINISTRATOR))


def accounts_check(user) -> None:
    if not may_manage_accounts(user):
        raise PermissionDenied


def may_handle_feedback(user) -> bool:
    """Route, split, merge, set aside, publish and withdraw businesses' feedback: the secretariat (and
    administrators). `None` is the system (the demo loader). Answering is the unit's (or the
    secretariat's, for an answer received on paper): feedback.services.user_may_answer."""
    return user is None or user_manages(user)


def feedback_check(user) -> None:
    if not may_handle_feedback(user):
        raise PermissionDenied


def may_manage_service_stats(user) -> bool:
    """Import or enter one-stop-shop statistics, save the column mappings of their source formats
    and write their rates as indicator values: the secretariat (and administrators). `None` is the
    system (the demo loader, `manage.py import_service_stats`, a background import)."""
    return user is None or user_manages(user)


def service_stats_check(user) -> None:
    if not may_manage_service_stats(user):
        raise PermissionDenied


def may_manage_followup(user) -> bool:
    """The assigning side of follow-up: record directives, assign, import, cancel and hand over their
    tasks, set targets and record statistics: the secretariat (and administrators). `None` is the
    system (the demo loader, the daily digest that hands tasks of ended units over)."""
    return user is None or user_manages(user)


def followup_check(user) -> None:
    if not may_manage_followup(user):
        raise PermissionDenied


def may_file_plan(user, unit: Unit) -> bool:
    """File and change an improvement plan: the unit's own officers; the secretariat (and
    administrators) for any unit. `None` is the system (the demo loader)."""
    if user is None:
        return True
    if not (user.is_authenticated and user.is_active):
        return False
    return user_manages(user) or (user.role == Role.UNIT_OFFICER and user.unit_id == unit.pk)


def may_see_small_survey_groups(user) -> bool:
    """See a survey's responses in groups smaller than its anonymity threshold k (a filtered set,
    a count in a breakdown): the analyst (and administrators). The roles below — the secretariat,
    which knows who was invited and who answered, and leaders — see no group under k
    (docs/security.md)."""
    return user.is_authenticated and user.is_active and (user.is_superuser or user.role in (Role.ANALYST, Role.ADMINISTRATOR))


def may_set_survey_analysis(user) -> bool:
    """Set how a survey's answers are analysed (its anonymity threshold k, the minimum answers per
    unit, quality rules, weighting): the secretariat and the analyst (and administrators)."""
    return user is not None and may_enter_values(user)


# The PAR Index assessment (Chỉ số CCHC): the secretariat (and administrators) run cycles; the
# expert team (Tổ chuyên viên) appraises; the appraisal council (Hội đồng thẩm định) decides; a unit
# officer works on their own unit's assessment only. An appraiser tied to a unit (Affiliation) does
# not appraise it.


def is_secretariat(user) -> bool:
    return user_manages(user)  # the same rule, in the PAR Index's words


def is_expert(user) -> bool:
    """A member of the expert team. An appraiser with no body named counts as one."""
    return user.is_authenticated and user.role == Role.APPRAISER and user.appraisal_body != AppraisalBody.COUNCIL


def is_council(user) -> bool:
    return user.is_authenticated and user.role == Role.APPRAISER and user.appraisal_body == AppraisalBody.COUNCIL


def is_officer_of(user, unit) -> bool:
    return user.is_authenticated and user.role == Role.UNIT_OFFICER and user.unit_id == unit.pk


def has_conflict(user, unit) -> bool:
    return Affiliation.objects.filter(user=user, unit=unit).exists()


def conflicted_unit_ids(user) -> set[int]:
    return set(Affiliation.objects.filter(user=user).values_list("unit_id", flat=True))


def may_view_assessment(user, assessment) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if is_provincial(user):
        return True
    return is_officer_of(user, assessment.unit)


def may_view_evidence(user, assessment) -> bool:
    """Evidence files are the unit's internal documents: the unit, the appraisers and the secretariat."""
    return is_officer_of(user, assessment.unit) or is_secretariat(user) or (
        user.is_authenticated and user.role == Role.APPRAISER
    )


def may_send_assessment_notices(user, assessment) -> bool:
    """Tell whoever has the next step of a PAR assessment (notices.services.par_notices), right after
    a step someone made: that person sees the assessment. `None` is the system (the demo loader)."""
    return user is None or may_view_assessment(user, assessment)


def may_appraise(user, assessment) -> bool:
    return is_expert(user) and not has_conflict(user, assessment.unit)


class TemplatePermissions:
    """`may` in every template (site.context_processors.layout): the same questions the views ask,
    so a page never shows a link its view would refuse. `{% if may.manage_surveys %}`."""

    QUESTIONS = {
        "manage_surveys": may_manage_surveys,
        "see_survey_answers": may_see_survey_answers,
        "provincial": is_provincial,
        "lead": is_leader,
    }

    def __init__(self, user):
        self._user = user

    def __getattr__(self, name):
        try:
            question = self.QUESTIONS[name]
        except KeyError:
            raise AttributeError(name) from None
        return bool(self._user is not None and question(self._user))
