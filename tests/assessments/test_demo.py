"""The demo's PAR cycles: 2022, 2023 and 2025 published through the run machinery; 2023 and 2025
show a unit closed as not submitted, 2025 the reform's units, a withdrawal, two explanation rounds
with working-day deadlines, a round-2 appraisal and capped bonus and penalty."""

import datetime

import pytest
from django.utils import timezone

from chiso.accounts import demo as accounts_demo
from chiso.assessments import demo as assessments_demo
from chiso.assessments import queries
from chiso.assessments import services as s
from chiso.assessments.models import Assessment, Cycle, Question
from chiso.audit.models import AuditRecord
from chiso.audit.queries import history
from chiso.frameworks import demo as frameworks_demo
from chiso.indices.models import IndexRun, IndicatorValue
from chiso.indices.services import run_recompute_matches
from chiso.units import demo as units_demo

Status = Assessment.Status
pytestmark = pytest.mark.django_db


def load():
    for loader in (units_demo.load, accounts_demo.load, frameworks_demo.load, assessments_demo.load):
        loader()


def test_every_demo_cycle_is_published_and_2025_shows_each_rule(demo_province):
    cycles = {c.period.code: c for c in Cycle.objects.select_related("period", "run")}
    assert set(cycles) == {"2022", "2023", "2025"}
    for cycle in cycles.values():
        assert set(cycle.assessments.values_list("status", flat=True)) == {Status.PUBLISHED}
        assert cycle.run.status == IndexRun.Status.PUBLISHED and run_recompute_matches(cycle.run)
    assert IndicatorValue.objects.filter(period__code="2022", framework__code="PAR-SO", source__startswith="Điểm Hội đồng").exists()
    assert cycles["2023"].assessments.filter(not_submitted=True).count() >= 3

    c2025 = cycles["2025"]
    codes = set(c2025.assessments.values_list("unit__code", flat=True))
    assert "S-NNMT" in codes and "S-DTTG" in codes and "S-KHDT" not in codes and "S-TNMT" not in codes
    assert len(codes) == 15
    left = {o.unit.code for o in queries.cycle_left_out(c2025)}
    assert left == {"S-KHDT", "S-NNPTNT", "S-TNMT", "S-GTVT", "S-TTTT", "S-LDTBXH", "S-BDT"}
    tc = c2025.assessments.get(unit__code="S-TC")
    assert history(tc).filter(event=s.Event.WITHDRAWN).count() == 1
    steps = list(queries.status_steps(tc).values_list("new_value", flat=True))
    assert steps[:3] == ["submitted", "draft", "submitted"]  # the demo dates its steps; the opening is stamped when loaded
    assert c2025.assessments.get(unit__code="S-NGV").not_submitted
    tp = c2025.assessments.get(unit__code="S-TP")
    rounds = queries.explanation_rounds(tp)
    assert [r.number for r in rounds] == [1, 2] and all(q.answer for r in rounds for q in r.questions)
    # round 2 asked on Tue 10/02/2026: five working days skip Tết (16–20/02) → Tue 24/02/2026
    assert timezone.localtime(tp.explanation_due).date() == datetime.date(2026, 2, 24)
    assert tp.items.filter(round2_points__isnull=False).count() == 2 and tp.appraisal_round == 2
    assert tp.bonus_points == 3 and tp.bonus_penalty["bonus"]["bonus.initiative"] == "1.5"
    assert c2025.assessments.get(unit__code="S-XD").penalty_points == 1
    assert Question.objects.filter(item__assessment=tp).exclude(reply="").exists()

    counts = (Cycle.objects.count(), AuditRecord.objects.count(), IndexRun.objects.count())
    load()
    assert (Cycle.objects.count(), AuditRecord.objects.count(), IndexRun.objects.count()) == counts
