"""The demo's PAR cycles: 2022 published through the run machinery, 2023 in progress."""

import pytest

from chiso.accounts import demo as accounts_demo
from chiso.assessments import demo as assessments_demo
from chiso.audit.models import AuditRecord
from chiso.audit.queries import history
from chiso.assessments.models import Assessment, Cycle
from chiso.frameworks import demo as frameworks_demo
from chiso.indices.models import IndexRun, IndicatorValue
from chiso.indices.services import run_recompute_matches
from chiso.units import demo as units_demo

Status = Assessment.Status
pytestmark = pytest.mark.django_db


def load():
    for loader in (units_demo.load, accounts_demo.load, frameworks_demo.load, assessments_demo.load):
        loader()


def test_par_2022_is_published_and_par_2023_is_in_progress():
    load()
    c2022, c2023 = Cycle.objects.get(period__code="2022"), Cycle.objects.get(period__code="2023")
    assert set(c2022.assessments.values_list("status", flat=True)) == {Status.PUBLISHED}
    assert c2022.run.status == IndexRun.Status.PUBLISHED and run_recompute_matches(c2022.run)
    assert IndicatorValue.objects.filter(period__code="2022", framework__code="PAR-SO", source__startswith="Điểm Hội đồng").exists()
    statuses = list(c2023.assessments.values_list("status", flat=True))
    assert statuses.count(Status.EXPLANATION_REQUESTED) == 1
    assert Status.SUBMITTED in statuses and Status.APPRAISED in statuses and Status.DRAFT in statuses
    assert c2023.assessments.get(unit__code="S-TP").status == Status.EXPLANATION_REQUESTED
    own = c2023.assessments.get(unit__code="S-TC")
    assert own.status == Status.DRAFT and own.items.filter(self_points__isnull=False).exists()
    assert own.items.filter(part="self", self_points__isnull=True, self_na=False).exists()  # still to do
    assert c2023.run is None
    counts = (Cycle.objects.count(), AuditRecord.objects.count(), IndexRun.objects.count())
    load()
    assert (Cycle.objects.count(), AuditRecord.objects.count(), IndexRun.objects.count()) == counts
