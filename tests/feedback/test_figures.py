"""A unit's figures against a hand-computed example, and the figures written as Decision 766 values."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from chiso.feedback.models import Feedback
from chiso.feedback.queries import figures_by_unit, province_figures, unit_figures
from chiso.feedback.services import (
    feedback_answer,
    feedback_dismiss,
    feedback_indicators_publish,
    feedback_merge,
    feedback_rate,
    feedback_route,
)
from chiso.indices.models import IndicatorValue

D = datetime.date
AS_OF = D(2023, 12, 31)


@pytest.fixture
def history(file_feedback, units, staff):
    """Six items to Sở Tài chính filed in 2023 (deadline 10 working days after routing):

    a: routed 01/03 (deadline 15/03), answered 08/03 — on time, 5 working days, rated 5
    b: routed 01/03, answered 15/03 — on time (the deadline day), 10 days, rated 2 (dissatisfied)
    c: routed 01/03, answered 22/03 — late, 15 days, rated 4
    d: routed 01/03, never answered — overdue
    e: routed 20/12 (deadline 04/01/2024), unanswered — not yet due at 31/12
    f: routed 01/03, answered 02/03 — on time, 1 day, not rated
    plus one merged and one set aside (not counted), and one to Sở Xây dựng, and one filed in 2022.
    """
    secretariat, officer = staff["secretariat"], staff["officer"]
    made = {}
    for key in "abcdef":
        feedback, code = file_feedback(today=D(2023, 2, 27))
        made[key] = (feedback_route(feedback=feedback, unit=units["tc"], by=secretariat,
                                    today=D(2023, 12, 20) if key == "e" else D(2023, 3, 1)), code)
    for key, day in {"a": D(2023, 3, 8), "b": D(2023, 3, 15), "c": D(2023, 3, 22), "f": D(2023, 3, 2)}.items():
        made[key] = (feedback_answer(feedback=made[key][0], text="Trả lời.", by=officer, today=day), made[key][1])
    for key, score in {"a": 5, "b": 2, "c": 4}.items():
        feedback_rate(tracked=made[key][0], answered=made[key][0], score=score, today=D(2023, 4, 1))
    duplicate, _ = file_feedback(today=D(2023, 3, 1))
    feedback_merge(feedback=duplicate, into=made["a"][0], by=secretariat)
    spam, _ = file_feedback(today=D(2023, 3, 1))
    feedback_dismiss(feedback=spam, reason="Quảng cáo", by=secretariat)
    other, _ = file_feedback(today=D(2023, 3, 1))
    feedback_route(feedback=other, unit=units["xd"], by=secretariat, today=D(2023, 3, 1))
    old, _ = file_feedback(today=D(2022, 12, 30))
    feedback_route(feedback=old, unit=units["tc"], by=secretariat, today=D(2023, 1, 3))
    return made


def test_figures_match_the_hand_computed_example(history, units, period):
    figures = unit_figures(units["tc"], period, as_of=AS_OF)
    assert (figures.count, figures.answered, figures.on_time, figures.late, figures.overdue, figures.pending) == (6, 4, 3, 1, 1, 1)
    assert figures.due == 5
    assert figures.on_time_rate == pytest.approx(100 * 3 / 5)  # 60 %
    assert figures.ratings == 3 and figures.satisfaction_rate == pytest.approx(100 * 2 / 3)  # 5 and 4 of 5, 2, 4
    # 766: (6 − {b dissatisfied, c late, d overdue}) ÷ 6
    assert figures.qd766_satisfaction_rate == pytest.approx(100 * 3 / 6)
    assert sorted(figures.response_days) == [1, 5, 10, 15] and figures.median_response_days == 7.5


def test_a_not_yet_due_item_becomes_overdue_as_days_pass(history, units, period):
    assert unit_figures(units["tc"], period, as_of=D(2024, 1, 5)).overdue == 2
    assert unit_figures(units["tc"], period, as_of=D(2024, 1, 5)).on_time_rate == pytest.approx(50.0)


def test_province_and_per_unit_figures_agree(history, units, period):
    by_unit = figures_by_unit(period, as_of=AS_OF)
    assert set(by_unit) == {units["tc"].pk, units["xd"].pk}
    assert province_figures(period, as_of=AS_OF).count == by_unit[units["tc"].pk].count + by_unit[units["xd"].pk].count == 7


def test_figures_are_written_as_decision_766_points_with_their_source(history, units, period, qd766):
    written = feedback_indicators_publish(period=period, as_of=AS_OF, by=None)
    values = {(v.unit.code, v.code): v for v in IndicatorValue.objects.filter(framework__code="QD766", period=period)}
    assert written == 4
    # G5.1 max 6 points: 60 % → 3,6; G5.2 max 6: 50 % → 3,0
    assert values[("S-TC", "G5.1")].value == pytest.approx(3.6)
    assert values[("S-TC", "G5.2")].value == pytest.approx(3.0)
    assert values[("S-TC", "G5.1")].source.startswith("Phản ánh, kiến nghị (chiso)")
    # Sở Xây dựng's one item is not yet answered but past due → 0 %
    assert values[("S-XD", "G5.1")].value == 0


def test_a_unit_without_feedback_is_not_applicable(units, period, qd766):
    feedback_indicators_publish(period=period, as_of=AS_OF, by=None)
    row = IndicatorValue.objects.get(framework__code="QD766", period=period, unit=units["tc"], code="G5.1")
    assert row.not_applicable and row.value is None
    assert not Feedback.objects.exists()


def test_only_those_who_enter_values_write_the_figures(history, units, period, qd766, staff):
    """accounts.permissions.may_enter_values: a unit officer or a leader is refused, nothing written."""
    for person in (staff["officer"], staff["leader"]):
        with pytest.raises(PermissionDenied):
            feedback_indicators_publish(period=period, as_of=AS_OF, by=person)
    assert not IndicatorValue.objects.filter(framework__code="QD766").exists()
    assert feedback_indicators_publish(period=period, as_of=AS_OF, by=staff["secretariat"]) == 4
