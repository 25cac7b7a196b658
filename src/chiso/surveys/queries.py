"""Reads about surveys: lists, counts, and responses without identity."""

from __future__ import annotations

from django.db.models import Count, Q

from .engine import Evaluation, answers_from_clean
from .models import Draft, Invitation, QuestionnaireVersion, Response, Survey
from .services import answers_with_values, units_choices_for_version


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
        "by_channel": channels,
        "drafts": Draft.objects.filter(survey=survey).count(),
    }


def responses_of(survey: Survey):
    """Responses as analysts see them: answers and rated units, no identity (there is none)."""
    return Response.objects.filter(survey=survey).select_related("version").order_by("id")


def draft_evaluate(*, draft: Draft, values: dict[str, str], addresses: list[str]) -> Evaluation:
    """The page as it would be with the posted values, saving nothing (htmx relevance updates)."""
    answers = answers_with_values(draft.version.form, draft.answers, values, addresses)
    return Evaluation(draft.version.form, answers, external=units_choices_for_version(draft.survey, draft.version))


def response_evaluation(response: Response) -> Evaluation:
    form = response.version.form
    return Evaluation(form, answers_from_clean(form, response.answers), external=units_choices_for_version(response.survey, response.version))
