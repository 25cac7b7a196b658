"""The demo: Notice 511/TB-UBND with its seven tasks and some progress, plans of three departments
for their weakest DDCI indicators, and targets for PAR, PAPI and PCI with actual values."""

import datetime

import pytest

from chiso.site.demo import LOADERS
from chiso.followup import demo as followup_demo
from chiso.audit.models import AuditRecord
from chiso.followup.models import Directive, ImprovementPlan, ProgressReport, Statistic, Target, Task
from chiso.notices.models import Notice
from chiso.followup.queries import plan_proposals, statistics_year_on_year
from chiso.followup.targets import targets_evaluate


def counts():
    return [m.objects.count() for m in (Directive, Task, ProgressReport, ImprovementPlan, Target, Statistic, Notice, AuditRecord)]


@pytest.mark.django_db
def test_the_demo_holds_the_notice_plans_and_targets(demo_province):
    assert followup_demo.load in LOADERS
    notice = Directive.objects.get(number="511/TB-UBND")
    tasks = list(notice.tasks.order_by("order"))
    assert [t.number for t in tasks] == ["1", "2", "3", "4", "5", "6", "7"]
    assert tasks[4].text.startswith("Các sở, ban, ngành, UBND các huyện, thành phố khẩn trương xây dựng kế hoạch triển khai")
    assert tasks[4].text.endswith("đưa ra giải pháp cụ thể để cải thiện các chỉ số được doanh nghiệp đánh giá thấp.")
    assert all(t.lead_unit_id for t in tasks)
    # Some progress: one task confirmed done on time, one awaiting confirmation, others reported on.
    on_30_june_2023 = {t.number: t.state(datetime.date(2023, 6, 30)) for t in tasks}
    assert on_30_june_2023["4"] == "done" and not tasks[3].completed_late
    assert on_30_june_2023["5"] == "overdue" and on_30_june_2023["1"] == "in_progress"
    assert ProgressReport.objects.filter(review="pending", task=tasks[6]).exists()

    plans = ImprovementPlan.objects.filter(run__version__framework__code="DDCI-SO", submitted_at__isnull=False)
    assert plans.count() == 3
    for plan in plans:
        weakest = [c.node.code for c in plan_proposals(plan.run, plan.unit)][:2]
        assert sorted(plan.items.values_list("code", flat=True)) == sorted(weakest)
        assert all(item.actions.exists() for item in plan.items.all())

    evaluations = targets_evaluate(Target.objects.filter(directive=notice))
    measured = {e.target.index_code for e in evaluations if e.actual is not None and e.baseline is not None}
    assert measured >= {"PAR", "PAPI", "PCI"}
    firms = next(f for f in statistics_year_on_year() if f.statistic.code == "doanh-nghiep-thanh-lap-moi")
    assert (firms.value, firms.previous, firms.percent) == (171, 143, 19.58)  # "+19,58 %", computed from the two

    before = counts()
    followup_demo.load()
    assert counts() == before
