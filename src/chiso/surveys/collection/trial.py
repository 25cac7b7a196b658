"""Trying a form: the respondent's pages in test mode, for the secretariat.

The same pages, relevance, constraints, lists, languages and checks as the web form
(pages.py, evaluation.py), from a questionnaire version or from a survey (whose period gives the
units lists). The answers live in the staff member's own session, one set per trial, and
nothing is written to any survey table: no draft, no response, no invitation, no count.
"""

from __future__ import annotations

from dataclasses import dataclass

from chiso.surveys.collection.answers import answers_with_values
from chiso.surveys.collection.evaluation import Evaluation, first_entries
from chiso.surveys.models import QuestionnaireVersion, Survey
from chiso.surveys.queries import units_choices

SESSION_KEY = "chiso_trials"
MAX_TRIALS = 5  # trials kept per session; the oldest goes first


@dataclass
class Trial:
    """One test run of a form: `code` names it in URLs (v12: version 12; s-ddci-2025: a survey)."""

    code: str
    version: QuestionnaireVersion
    survey: Survey | None
    period: object

    @property
    def form(self):
        return self.version.form

    def external(self) -> dict:
        # units_choices reads the period and the version only: an unsaved survey carries them
        holder = self.survey or Survey(period=self.period, version=self.version)
        return units_choices(holder, self.version, cached=True)


def trial_for(*, code: str, period) -> Trial | None:
    """The trial a URL names, or None."""
    if code.startswith("v") and code[1:].isdigit():
        # the parsed form is kept per process (QuestionnaireVersion.form): its JSON is not read again
        version = QuestionnaireVersion.objects.select_related("questionnaire").defer("survey", "xlsform", "warnings").filter(pk=int(code[1:])).first()
        return Trial(code=code, version=version, survey=None, period=period) if version and period else None
    if code.startswith("s-"):
        survey = (Survey.objects.select_related("period", "version__questionnaire").defer("version__survey", "version__xlsform", "version__warnings")
                  .filter(code=code[2:]).first())
        return Trial(code=code, version=survey.version, survey=survey, period=survey.period) if survey else None
    return None


def trial_answers(session, trial: Trial) -> dict:
    """The answers of this trial so far, with lists started and defaults filled in, as a new draft has them."""
    answers = dict(session.get(SESSION_KEY, {}).get(trial.code, {}).get("answers") or {})
    first_entries(trial.form, answers)
    return answers


def trial_store(session, trial: Trial, answers: dict) -> None:
    trials = dict(session.get(SESSION_KEY, {}))
    trials.pop(trial.code, None)
    trials[trial.code] = {"answers": answers, "version": trial.version.pk}
    while len(trials) > MAX_TRIALS:
        trials.pop(next(iter(trials)))
    session[SESSION_KEY] = trials


def trial_reset(session, trial: Trial) -> None:
    trials = dict(session.get(SESSION_KEY, {}))
    trials.pop(trial.code, None)
    session[SESSION_KEY] = trials


def trial_evaluate(trial: Trial, answers: dict, *, values: dict | None = None, addresses: list[str] | None = None) -> Evaluation:
    """The trial's answers (with one page's posted values put in) as the respondent's pages read them."""
    if values is not None:
        answers = answers_with_values(trial.form, answers, values, addresses or [])
    return Evaluation(trial.form, answers, external=trial.external())
