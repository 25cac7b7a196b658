"""Improvement plans: weakest indicators first, baselines from the run, and the next run shows
whether each indicator moved."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from chiso.audit.queries import history
from chiso.followup.queries import plan_progress, plan_proposals, units_plan_status
from chiso.followup.models import ImprovementPlan
from chiso.followup.services import plan_action_add, plan_action_done, plan_create, plan_submit

pytestmark = pytest.mark.django_db


def test_the_weakest_indicators_are_proposed_first(ddci_runs, units):
    run_2022, _ = ddci_runs
    choices = plan_proposals(run_2022, units["S-XD"])
    # Sở Xây dựng is last of four on i1 and on i3 (where lower is better): both weak, worst first.
    assert [c.node.code for c in choices[:2]] == ["i1", "i3"] or [c.node.code for c in choices[:2]] == ["i3", "i1"]
    assert all(c.weak for c in choices[:2]) and choices[0].rank == 4 and choices[0].of == 4
    assert not choices[-1].weak


def test_a_plan_takes_baselines_from_the_run(ddci_runs, units, officers):
    run_2022, _ = ddci_runs
    plan = plan_create(unit=units["S-XD"], run=run_2022, codes=["i3", "i1"], targets={"i3": 50.0, "i1": None}, by=officers["S-XD"])
    items = {i.code: i for i in plan.items.all()}
    assert (items["i3"].baseline_value, items["i3"].baseline_rank, items["i3"].direction, items["i3"].target_value) == (70, 4, -1, 50.0)
    assert items["i1"].baseline_value == 30 and items["i1"].name == "Tiếp cận tài liệu của sở"
    assert history(plan).filter(event="plan.created").exists()
    with pytest.raises(ValidationError):
        plan_create(unit=units["S-XD"], run=run_2022, codes=["i2"], by=officers["S-XD"])


def test_plans_are_the_units_own(ddci_runs, units, officers):
    run_2022, _ = ddci_runs
    with pytest.raises(PermissionDenied):
        plan_create(unit=units["S-XD"], run=run_2022, codes=["i1"], by=officers["S-TP"])
    with pytest.raises(ValidationError):
        plan_create(unit=units["S-XD"], run=run_2022, codes=[], by=officers["S-XD"])
    with pytest.raises(ValidationError):
        plan_create(unit=units["S-XD"], run=run_2022, codes=["DDCI"], by=officers["S-XD"])  # an aggregate, not an indicator
    plan = plan_create(unit=units["S-XD"], run=run_2022, codes=["i1"], by=officers["S-XD"])
    action = plan_action_add(item=plan.items.get(), text="Công khai văn bản", owner="Văn phòng sở", deadline=datetime.date(2023, 6, 30),
                             by=officers["S-XD"])
    for door in (lambda by: plan_action_add(item=plan.items.get(), text="Thêm", owner="Sở", deadline=datetime.date(2023, 6, 30), by=by),
                 lambda by: plan_action_done(action=action, by=by), lambda by: plan_submit(plan=plan, by=by)):
        with pytest.raises(PermissionDenied):  # accounts.permissions.may_file_plan
            door(officers["S-TP"])
    plan.refresh_from_db()
    action.refresh_from_db()
    assert plan.items.get().actions.count() == 1 and action.done_on is None and plan.submitted_at is None


def test_the_next_run_shows_whether_each_indicator_moved(ddci_runs, units, officers):
    run_2022, run_2023 = ddci_runs
    plan = plan_create(unit=units["S-XD"], run=run_2022, codes=["i1", "i3", "i2"], targets={"i1": 70.0, "i3": 45.0},
                       by=officers["S-XD"])
    following, items = plan_progress(plan)
    assert following == run_2023
    moved = {p.item.code: p for p in items}
    assert moved["i1"].moved == "better" and moved["i1"].rank_change == 1 and moved["i1"].target_met is False
    assert moved["i3"].moved == "better" and moved["i3"].target_met is True  # 40 ≤ 45 where lower is better
    assert moved["i2"].moved == "worse"


def test_a_plan_is_submitted_only_with_an_action_for_each_indicator(ddci_runs, units, officers):
    run_2022, _ = ddci_runs
    plan = plan_create(unit=units["S-XD"], run=run_2022, codes=["i1", "i3"], by=officers["S-XD"])
    first, second = plan.items.all()
    plan_action_add(item=first, text="Công khai văn bản trên trang của sở", owner="Văn phòng sở",
                    deadline=datetime.date(2023, 6, 30), by=officers["S-XD"])
    with pytest.raises(ValidationError) as error:
        plan_submit(plan=plan, by=officers["S-XD"])
    assert second.name in str(error.value)
    with pytest.raises(ValidationError) as error:
        plan_action_add(item=second, text="", owner="", deadline=None, by=officers["S-XD"])
    assert set(error.value.message_dict) == {"text", "owner", "deadline"}
    action = plan_action_add(item=second, text="Đường dây nóng phản ánh nhũng nhiễu", owner="Thanh tra sở",
                             deadline=datetime.date(2023, 9, 30), by=officers["S-XD"])
    plan_action_done(action=action, by=officers["S-XD"], day=datetime.date(2023, 9, 1))
    plan_submit(plan=plan, by=officers["S-XD"])
    plan.refresh_from_db()
    assert plan.submitted_at is not None


def test_units_without_a_plan_for_their_weak_indicators(ddci_runs, units, officers):
    run_2022, _ = ddci_runs
    plan_create(unit=units["S-XD"], run=run_2022, codes=["i1"], by=officers["S-XD"])
    status = {row.unit.code: row for row in units_plan_status(run_2022)}
    assert set(status) == {"S-XD", "S-TC", "S-TP", "S-NV"}  # every unit ranked has weakest indicators, the last one too
    assert status["S-XD"].plan is not None and status["S-TC"].plan is None
    assert status["S-XD"].weaknesses[0] in {"Tiếp cận tài liệu của sở", "Phải trả chi phí không chính thức"}


def test_a_target_must_be_better_than_the_baseline_in_the_indicators_direction(ddci_runs, units, officers):
    run_2022, _run_2023 = ddci_runs
    with translation.override("vi"), pytest.raises(ValidationError) as error:
        # i3: lower is better, baseline 70 — a higher target is no improvement; i1: higher is better, baseline 30
        plan_create(unit=units["S-XD"], run=run_2022, codes=["i3", "i1"], targets={"i3": 80.0, "i1": 30.0}, by=officers["S-XD"])
    assert set(error.value.message_dict) == {"target_i3", "target_i1"}
    assert "càng thấp càng tốt" in error.value.message_dict["target_i3"][0] and "70" in error.value.message_dict["target_i3"][0]
    assert not ImprovementPlan.objects.exists()
    plan = plan_create(unit=units["S-XD"], run=run_2022, codes=["i3", "i1"], targets={"i3": 60.0, "i1": 31.0}, by=officers["S-XD"])
    assert sorted(plan.items.values_list("target_value", flat=True)) == [31.0, 60.0]
