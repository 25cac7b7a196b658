"""Reads about surveys: lists, counts, and responses without identity."""

from __future__ import annotations

from django.core.cache import caches
from django.db.models import Count, Prefetch, Q
from django.utils.translation import gettext as _

from chiso.units.models import Unit

from chiso.surveys.collection.answers import answers_differences, answers_flat, answers_with_values
from chiso.surveys.collection.evaluation import Evaluation, answers_from_clean
from chiso.surveys.collection.formdef import Choice
from chiso.surveys.models import (
    Draft,
    HeldResponse,
    Invitation,
    PaperForm,
    QualityDecision,
    QualityFlag,
    QuestionnaireVersion,
    Response,
    SampleFrame,
    SampleMember,
    Survey,
)


def surveys_list():
    return Survey.objects.select_related("period", "version__questionnaire").annotate(
        response_count=Count("responses", distinct=True)
    )


def versions_list():
    return QuestionnaireVersion.objects.select_related("questionnaire", "created_by").defer("xlsform", "survey")


def survey_summary(survey: Survey) -> dict:
    """Counts only: how many invited, started, completed, and responses by channel."""
    invitations = Invitation.objects.filter(survey=survey).aggregate(
        total=Count("pk"),
        not_started=Count("pk", filter=Q(status=Invitation.Status.NOT_STARTED)),
        in_progress=Count("pk", filter=Q(status=Invitation.Status.IN_PROGRESS)),
        completed=Count("pk", filter=Q(status=Invitation.Status.COMPLETED)),
    )
    channels = dict(Response.objects.filter(survey=survey).values_list("channel").annotate(n=Count("pk")))
    return {
        "invitations": invitations,
        "responses": sum(channels.values()),
        "by_channel": {Response.Channel(code).label: n for code, n in channels.items()},  # "Trực tuyến: 343", not "web: 343"
        # Forms started and not yet among the responses: drafts, and answers waiting for their
        # batch (so that one submission changes no count on the page).
        "drafts": Draft.objects.filter(survey=survey).count() + HeldResponse.objects.filter(survey=survey).count(),
    }


def responses_of(survey: Survey):
    """Responses as analysts see them: answers and rated units, no identity (there is none)."""
    return Response.objects.filter(survey=survey).select_related("version").order_by("id")


# A unit added to a period reaches respondents' forms within this many seconds: the list is
# read on every page and every submission, and it changes a few times a year.
UNITS_CACHE_SECONDS = 60


def units_choices(survey: Survey, version: QuestionnaireVersion | None = None, *, cached: bool = False) -> dict[str, list[Choice]]:
    """The units a respondent may pick, per units_<block>.csv list of the form (the survey's
    version unless another is given): the period's units. `cached`: a copy up to a minute old
    will do (the respondent's pages and submission); analysis and imports read the table."""
    period = survey.period
    external = {}
    for block in sorted((version or survey.version).form.units_blocks()):
        key = f"chiso:units-choices:{period.pk}:{period.start_date}:{period.end_date}:{block}"
        choices = caches["local"].get(key) if cached else None  # this process's copy (settings.CACHES)
        if choices is None:
            units = Unit.objects.active_in(period).filter(block__code=block).order_by("name_vi").values_list("code", "name_vi", "name_en")
            choices = [
                Choice(name=code, label={"Vietnamese (vi)": name_vi, "English (en)": name_en or name_vi}) for code, name_vi, name_en in units
            ]
            caches["local"].set(key, choices, UNITS_CACHE_SECONDS)
        external[f"units_{block}.csv"] = choices
    return external


def draft_evaluate(*, draft: Draft, values: dict[str, str], addresses: list[str]) -> Evaluation:
    """The page as it would be with the posted values, saving nothing (htmx relevance updates)."""
    answers = answers_with_values(draft.version.form, draft.answers, values, addresses)
    return Evaluation(draft.version.form, answers, external=units_choices(draft.survey, draft.version, cached=True))


def response_evaluation(response: Response) -> Evaluation:
    form = response.version.form
    return Evaluation(form, answers_from_clean(form, response.answers), external=units_choices(response.survey, response.version))


# --- Surveys II -----------------------------------------------------------------------------

def frames_list():
    return SampleFrame.objects.select_related("created_by")


def sample_members(sample, *, stratum: str = ""):
    """Sampled businesses with their contact state (identity: the secretariat only)."""
    members = SampleMember.objects.filter(sample=sample, active=True).select_related("entry", "invitation")
    if stratum:
        members = members.filter(stratum=stratum)
    return members.order_by("stratum", "role", "position", "entry__name")


# Where an invitation stands, furthest first. "Completed" is the invitation's status, which its
# batch sets (docs/security.md): a submission waiting for its batch still reads "opened".
INVITATION_STATES = ("completed", "revoked", "opted_out", "opened", "bounced", "sent", "created")


def invitation_state(invitation: Invitation, member=None) -> str:
    if invitation.status == Invitation.Status.COMPLETED:
        return "completed"
    if invitation.status == Invitation.Status.REVOKED:
        return "revoked"
    if member is not None and member.opted_out_at:
        return "opted_out"
    if invitation.status == Invitation.Status.IN_PROGRESS:
        return "opened"
    if member is not None and member.send_error:
        return "bounced"
    if member is not None and (member.emailed_at or member.letter_at):
        return "sent"
    return "created"


def _state_since(state: str, invitation: Invitation, member) -> object:
    """When the invitation came to its state, where chiso keeps that: made, sent, reminded,
    opted out. Opening and completing keep no time (docs/security.md): None."""
    if state == "created":
        return invitation.created_at
    if state == "sent" and member is not None:
        return max(t for t in (member.emailed_at, member.letter_at, member.reminded_at) if t)
    if state == "opted_out" and member is not None:
        return member.opted_out_at
    return None


def invitations_status(survey: Survey) -> list[dict]:
    """Each invitation of the survey with its business (if sampled), where it stands and since
    when. Nothing here is looked up on the answers' side: answers waiting for their batch leave
    an invitation "opened" until the batch marks it completed."""
    members = {m.invitation_id: m for m in SampleMember.objects.filter(sample__survey=survey, invitation__isnull=False).select_related("entry")}
    rows = []
    for invitation in Invitation.objects.filter(survey=survey).only("pk", "label", "status", "created_at", "link_salt").order_by("label", "pk"):
        member = members.get(invitation.pk)
        state = invitation_state(invitation, member)
        rows.append({
            "invitation": invitation, "member": member, "name": member.entry.name if member else invitation.label,
            "tax_code": member.entry.tax_code if member else "", "stratum": member.stratum if member else "",
            "state": state, "since": _state_since(state, invitation, member), "reminders": member.reminders if member else 0,
            "error": member.send_error if member else "",
            "can_resend": state in ("created", "sent", "opened", "bounced") and member is not None and bool(member.entry.email),
            "can_revoke": state not in ("completed", "revoked"),
            "can_print": state not in ("completed", "revoked", "opted_out") and bool(invitation.link_salt),
        })
    return rows


def paper_forms_overview(survey: Survey, user) -> dict:
    """The numbered paper forms not yet settled: waiting for their second entry, or for a third
    person to settle their differences; and how many are settled."""
    open_forms = list(
        PaperForm.objects.filter(survey=survey).exclude(status=PaperForm.Status.SETTLED)
        .annotate(typed=Count("entries", filter=Q(entries__answers__isnull=False)), mine=Count("entries", filter=Q(entries__clerk=user)))
        .order_by("number")
    )
    return {
        "to_settle": [f for f in open_forms if f.status == PaperForm.Status.TO_SETTLE],
        "typing": [f for f in open_forms if f.status == PaperForm.Status.TYPING],
        "settled": PaperForm.objects.filter(survey=survey, status=PaperForm.Status.SETTLED).count(),
    }


def _value_shown(form, external: dict, element, value) -> str:
    if value in (None, "", []):
        return "—"
    if element is not None and element.is_select:
        choices = external.get(element.itemset_file, []) if element.itemset_file else form.choices.get(element.list_name or "", [])
        names = {c.name: form.text(c.label) for c in choices}
        return ", ".join(f"{names[v]} ({v})" if v in names else v for v in str(value).split())
    return str(value)


def paper_form_differences(paper_form) -> list[dict]:
    """Where the two entries of a form typed twice differ, question by question, as typed."""
    entries = list(paper_form.entries.select_related("version").order_by("pk"))
    if len(entries) < 2 or any(e.answers is None for e in entries):
        return []
    first, second = entries[0], entries[1]
    form = first.version.form
    external = units_choices(paper_form.survey, first.version)
    a, b = answers_flat(first.answers), answers_flat(second.answers)
    rows = []
    for address in answers_differences(first.answers, second.answers):
        element = form.elements.get(address.rsplit("/", 1)[-1])
        rows.append({
            "address": address, "label": form.text(element.label) if element is not None else address,
            "first": _value_shown(form, external, element, a.get(address)), "second": _value_shown(form, external, element, b.get(address)),
        })
    return rows


def flagged_responses(survey: Survey, *, code: str = ""):
    """Responses with at least one flag (or of one flag), their flags and decisions."""
    responses = Response.objects.filter(survey=survey, flags__isnull=False)
    if code:
        responses = responses.filter(flags__code=code)
    return (
        responses.distinct().order_by("id")
        .prefetch_related(Prefetch("flags", queryset=QualityFlag.objects.order_by("code")),
                          Prefetch("decisions", queryset=QualityDecision.objects.select_related("by").order_by("-at", "-pk")))
    )


def quality_counts(survey: Survey) -> dict:
    return dict(QualityFlag.objects.filter(response__survey=survey).values_list("code").annotate(n=Count("response", distinct=True)))


def survey_anonymity_refusal(survey: Survey) -> str | None:
    """Why the survey's anonymity can no longer change, or None. It changes only before anyone
    began answering: a respondent was told one or the other on the first page."""
    if Response.objects.filter(survey=survey).exists() or HeldResponse.objects.filter(survey=survey).exists():
        return _("Answers have been given under the current setting: it can no longer change.")
    if Draft.objects.filter(survey=survey).exists() or PaperForm.objects.filter(survey=survey).exists():
        return _("Someone has begun answering under the current setting: it can no longer change.")
    return None
