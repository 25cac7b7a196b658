"""The demo: feedback answered on time and late, statistics for every demo unit, and published
Decision 766 runs that read both; loading twice changes nothing."""

import pytest

from chiso.feedback import demo as feedback_demo
from chiso.feedback.demo import DEMO_CODE
from chiso.feedback.models import Feedback, Rating
from chiso.feedback.queries import feedback_by_code, figures_by_unit
from chiso.indices.models import IndexRun
from chiso.indices.services import run_recompute_matches
from chiso.services_stats import demo as services_stats_demo
from chiso.services_stats.models import ServiceStat, StatImport
from chiso.units.models import Period, Unit


@pytest.mark.django_db
def test_the_demo_shows_feedback_statistics_and_766_runs_using_both(demo_province):
    counts = (Feedback.objects.count(), Rating.objects.count(), ServiceStat.objects.count(), StatImport.objects.count(), IndexRun.objects.count())

    for period in Period.objects.all():
        # statistics for every unit of every demo period
        assert ServiceStat.objects.filter(period=period).count() == Unit.objects.active_in(period).count()
    p2023 = Period.objects.get(code="2023")
    figures = figures_by_unit(p2023)
    assert sum(f.on_time for f in figures.values()) > 0 and sum(f.late for f in figures.values()) > 0
    assert Feedback.objects.filter(state=Feedback.State.SPLIT).exists() and Feedback.objects.filter(state=Feedback.State.MERGED).exists()
    assert Feedback.objects.filter(published_at__isnull=False).exists()
    assert StatImport.objects.filter(period=p2023, replaced__isnull=False).exists()  # 2023 was corrected by a re-import

    run = IndexRun.objects.get(version__framework__code="QD766", period=p2023, block__code="department")
    assert run.status == IndexRun.Status.PUBLISHED
    assert run_recompute_matches(run)
    sources = " ".join(run.inputs["sources"])
    assert "Thống kê TTHC một cửa" in sources and "Phản ánh, kiến nghị (chiso)" in sources
    assert run.scores.filter(code="QD766").count() == Unit.objects.active_in(p2023).filter(block__code="department").count()
    assert IndexRun.objects.filter(version__framework__code="QD766", block__code="commune", status="published").exists()

    assert feedback_by_code(DEMO_CODE).state == Feedback.State.ANSWERED

    feedback_demo.load()
    services_stats_demo.load()
    assert (Feedback.objects.count(), Rating.objects.count(), ServiceStat.objects.count(), StatImport.objects.count(),
            IndexRun.objects.count()) == counts
