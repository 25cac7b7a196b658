"""The demo's survey operation: frame, sample, invitations sent, two years of responses, quality
flags, and an indicator table that the engine turns into the DDCI-SO 2025 ranking; invitations in
every status, a paper batch typed twice with one difference settled, a searchable commune list."""

from collections import Counter

import pytest
from django.core import mail
from django.core.management import call_command

from chiso.accounts import demo as accounts_demo
from chiso.audit.models import AuditRecord
from chiso.frameworks.demo import DATA
from chiso.frameworks.services import framework_import
from chiso.indices.models import IndexRun, IndicatorValue
from chiso.surveys import demo_operation
from chiso.surveys import demo as surveys_demo
from chiso.surveys.collection.offline import offline_surveys
from chiso.surveys.collection.pages import LONG_LIST, pages_relevant, widgets
from chiso.surveys.models import (
    Draft, IndicatorComputation, Invitation, PaperForm, QualityDecision, QualityFlag, Response, Sample, SampleFrame, SampleMember, Survey,
)
from chiso.surveys.queries import INVITATION_STATES, invitations_status
from chiso.surveys.services import evaluation_for
from chiso.units import demo as units_demo


@pytest.mark.django_db
def test_the_demo_operation_ends_in_a_ddci_ranking_and_loads_twice_the_same(blocks):
    units_demo.load()
    accounts_demo.load()
    framework_import(file_name="ddci_departments.yaml", content=(DATA / "ddci_departments.yaml").read_bytes(), by=None)
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
    # the invitations, and the two sent again, went through the mail backend
    assert sent > 200 and len(mail.outbox) == sent + demo_operation.CONTACT["resent"]
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

    # Invitations in every status of the invitations page, each reached through its service.
    states = Counter(row["state"] for row in invitations_status(sample.survey))
    assert set(states) == set(INVITATION_STATES)
    assert states["revoked"] == demo_operation.CONTACT["revoked"] and states["bounced"] == demo_operation.CONTACT["bounced"]
    assert states["created"] == surveys_demo.DEMO_INVITATIONS  # the demo's fixed-token links, never sent
    assert states["opened"] == Draft.objects.filter(invitation__survey=sample.survey).count() > 0
    assert SampleMember.objects.filter(sample=sample, send_error__contains="5.1.1").count() == demo_operation.CONTACT["bounced"]
    assert AuditRecord.objects.filter(event="invitation.revoked").count() == demo_operation.CONTACT["revoked"]
    assert AuditRecord.objects.filter(event="invitation.resent").count() == demo_operation.CONTACT["resent"]

    # The paper batch: five forms typed twice, one difference settled by a third person, a batch
    # of five paper responses; one more form waits to be settled.
    forms = {f.number: f for f in PaperForm.objects.filter(survey=sample.survey)}
    assert {n: f.status for n, f in forms.items()} == {
        "PB-001": "settled", "PB-002": "settled", "PB-003": "settled", "PB-004": "settled", "PB-005": "settled", "PB-006": "to_settle",
    }
    assert forms["PB-003"].settled_by.username == "thuky" and forms["PB-003"].differences == 1 and forms["PB-001"].settled_by is None
    assert forms["PB-006"].entries.count() == 2 and {e.clerk.username for e in forms["PB-006"].entries.all()} == {"nhaplieu1", "nhaplieu2"}
    assert Response.objects.filter(survey=sample.survey, channel=Response.Channel.PAPER).count() == demo_operation.PAPER_FORMS
    assert sample.survey.paper_double_entry


@pytest.mark.django_db
def test_the_demo_communes_survey_shows_the_communes_as_a_searchable_list(blocks, capsys):
    units_demo.load()
    accounts_demo.load()
    surveys_demo.load()
    survey = Survey.objects.get(code=surveys_demo.DEMO_COMMUNE_SURVEY)
    assert survey.is_open and survey.open_link
    evaluation = evaluation_for(survey=survey, version=survey.version, answers={})
    found = [w for page in pages_relevant(evaluation) for w in widgets(page, evaluation) if w.address == "don_vi_lien_he"]
    assert len(found) == 1 and found[0].kind == "long_list" and len(found[0].choices) > LONG_LIST
    assert "Phường Thục Phán" in {label for _name, label in found[0].choices}
    # The enumerator app lists it, and the printed notes say where to find everything.
    assert survey in offline_surveys()
    call_command("demo_logins")
    out = capsys.readouterr().out
    assert f"/s/open/{survey.open_key}/" in out and "/surveys/enumerator/" in out and "Offline" in out
