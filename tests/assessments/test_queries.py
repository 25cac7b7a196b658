"""The assessment reads: the by-criterion rows take their `editable` flag from the one rule
(action_refusal, behind actions_allowed), not from a second copy of it."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from chiso.assessments import queries
from chiso.assessments import services as s

from .conftest import assessment_of, claim_all

pytestmark = pytest.mark.django_db


def test_criterion_rows_editable_is_the_appraise_action_of_actions_allowed(cycle, people, units):
    a = assessment_of(cycle, "S-A")
    claim_all(a, people["officer"], {"F1.2": Decimal("1.25")})
    s.assessment_submit(assessment=a, by=people["officer"])  # S-B stays a draft
    s.affiliation_declare(user=people["expert2"], unit=units[0], by=people["secretariat"])
    for who in ("expert", "expert2", "council", "secretariat", "officer", "leader"):
        user = people[who]
        rows = queries.criterion_rows(cycle, "F1.2", user)
        assert len(rows) == 2
        for row in rows:
            assert row.editable == ("appraise" in queries.actions_allowed(user, row.item.assessment)), (who, row.item.assessment.unit.code)
    rows = {r.item.assessment.unit.code: r.editable for r in queries.criterion_rows(cycle, "F1.2", people["expert"])}
    assert rows == {"S-A": True, "S-B": False}
    rows = {r.item.assessment.unit.code: (r.editable, r.conflict) for r in queries.criterion_rows(cycle, "F1.2", people["expert2"])}
    assert rows == {"S-A": (False, True), "S-B": (False, False)}


def test_criterion_rows_follow_a_change_of_the_rule(cycle, people, monkeypatch):
    """Were the rule to refuse (a deadline, a new condition), the row follows: no copy to forget."""
    a = assessment_of(cycle, "S-A")
    claim_all(a, people["officer"])
    s.assessment_submit(assessment=a, by=people["officer"])
    assert [r.editable for r in queries.criterion_rows(cycle, "F1.1", people["expert"]) if r.item.assessment_id == a.pk] == [True]
    rule = queries.action_refusal

    def stricter(user, assessment, action, now=None, **kwargs):
        if action == "appraise":
            return ValidationError("closed", code="deadline")
        return rule(user, assessment, action, now, **kwargs)

    monkeypatch.setattr(queries, "action_refusal", stricter)
    assert "appraise" not in queries.actions_allowed(people["expert"], a)
    assert [r.editable for r in queries.criterion_rows(cycle, "F1.1", people["expert"]) if r.item.assessment_id == a.pk] == [False]
