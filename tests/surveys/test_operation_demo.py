"""The demo's survey operation: frame, sample, invitations sent, two years of responses, quality
flags, and an indicator table that the engine turns into the DDCI-SO 2025 ranking."""

import pytest
from django.core import mail

from chiso.indices.models import IndexRun, IndicatorValue
from chiso.surveys import demo_operation
from chiso.surveys.models import (
    IndicatorComputation, Invitation, QualityDecision, QualityFlag, Response, Sample, SampleFrame, SampleMember, Survey,
)


@pytest.mark.django_db
def test_the_demo_operation_ends_in_a_ddci_ranking_and_loads_twice_the_same(blocks):
    from chiso.accounts import demo as accounts_demo
    from chiso.frameworks.demo import DATA
    from chiso.frameworks.services import framework_import
    from chiso.surveys import demo as surveys_demo
    from chiso.units import demo as units_demo

    units_demo.load()
    accounts_demo.load()
    framework_import(file_name="ddci_departments.yaml", content=(DATA / "ddci_departments.yaml").read_bytes())
    surveys_demo.load()
    demo_operation.load()
    counts = (SampleFrame.objects.count(), SampleMember.objects.count(), Invitation.objects.count(), Response.objects.count(),
              QualityFlag.objects.count(), IndexRun.objects.count(), len(mail.outbox))
    demo_operation.load()
    assert (SampleFrame.objects.count(), SampleMember.objects.count(), Invitation.objects.count(), Response.objects.count(),
            QualityFlag.objects.count(), IndexRun.objects.count(), len(mail.outbox)) == counts

    frame = SampleFrame.objects.get()
    assert frame.entry_count == demo_operation.FRAME_SIZE
    sample = Sample.objects.get(survey__code="ddci-2025-so-nganh")
    assert sample.size == demo_operation.SAMPLE_SIZE and sample.seed == demo_operation.SEED
    sent = SampleMember.objects.filter(sample=sample, emailed_at__isnull=False).count()
    assert sent > 200 and len(mail.outbox) == sent  # the invitations went through the mail backend
    assert Invitation.objects.filter(member__sample=sample, status=Invitation.Status.COMPLETED).exists()
    years = {s.period.code: s.responses.count() for s in Survey.objects.filter(code__in=["ddci-2025-so-nganh", "ddci-2023-so-nganh"])}
    assert years["2023"] >= demo_operation.RESPONSES["2023"] and years["2025"] >= demo_operation.RESPONSES["2025"]
    flagged = set(QualityFlag.objects.values_list("code", flat=True))
    assert {"speeder", "straight_lining", "duplicate", "out_of_range", "inconsistent"} <= flagged
    assert QualityDecision.objects.filter(include=False).exists()

    computation = IndicatorComputation.objects.get(survey__code="ddci-2025-so-nganh")
    assert computation.weighting == "raking" and computation.excluded > 0
    assert any(u["below_minimum"] for u in computation.units) and any(not u["below_minimum"] for u in computation.units)
    assert IndicatorValue.objects.filter(period__code="2025", code="tr4", source__startswith="Khảo sát ddci-2025-so-nganh").count() == len(computation.units)
    run = IndexRun.objects.get(version__framework__code="DDCI-SO", period__code="2025")
    assert run.status == IndexRun.Status.DRAFT
    ranked = dict(run.scores.filter(code="DDCI").values_list("unit__code", "rank"))
    scored = {u["unit"] for u in computation.units if not u["below_minimum"]}
    assert set(ranked) == scored and sorted(ranked.values()) == list(range(1, len(scored) + 1))
