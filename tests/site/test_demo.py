"""The demo province: Cao Bằng as it is, loaded twice without duplicating anything.

The demo is loaded once per test process (`demo_province` in tests/conftest.py, about 40 s); the
one test that loads it a second time checks that nothing is duplicated."""

import pytest
from django.urls import reverse

from chiso.accounts.models import Role, User
from chiso.assessments.models import Assessment
from chiso.assessments.services import assessment_reopen
from chiso.audit.models import AuditRecord
from chiso.frameworks.models import Framework, FrameworkVersion
from chiso.indices.models import ExternalResult, IndexRun
from chiso.indices.services import run_recompute_matches
from chiso.site.demo import demo_load
from chiso.units.models import Period, Unit, UnitSuccession
from chiso.units.queries import unit_predecessor_weights


def counts():
    return (Unit.objects.count(), UnitSuccession.objects.count(), Period.objects.count(), User.objects.count(),
            FrameworkVersion.objects.count(), AuditRecord.objects.count())


def test_demo_loads_cao_bang_and_a_second_run_changes_nothing(demo_province, db):
    first = counts()
    names = dict(Unit.objects.values_list("code", "name_vi"))
    runs = IndexRun.objects.count()
    demo_load()
    assert counts() == first
    assert dict(Unit.objects.values_list("code", "name_vi")) == names
    assert IndexRun.objects.count() == runs
    assert Unit.objects.filter(block__code="district").count() == 10
    communes = Unit.objects.filter(block__code="commune")
    assert communes.count() == 56
    assert communes.filter(name_vi__startswith="Phường").count() == 3
    assert {p.code for p in Period.objects.all()} == {"2022", "2023", "2025"}
    assert Unit.objects.get(code="S-TC").name_vi == "Sở Tài chính"


def test_every_commune_stands_for_former_districts_in_2023(demo_province, db):
    p2023 = Period.objects.get(code="2023")
    for commune in Unit.objects.filter(block__code="commune"):
        weights = unit_predecessor_weights(commune, p2023)
        assert weights, commune.code
        assert {u.block.code for u in weights} == {"district"}
        assert sum(weights.values()) == pytest.approx(1.0)


def test_one_demo_account_per_role(demo_province, db):
    roles = set(User.objects.values_list("role", flat=True))
    assert roles == set(Role.values)
    officer = User.objects.get(username="canbo.sotaichinh")
    assert officer.unit.code == "S-TC" and officer.check_password("chiso-demo-2025")
    commune_officer = User.objects.get(username="canbo.xa")
    assert commune_officer.unit.block.code == "commune"


def test_demo_has_the_shipped_frameworks_and_published_runs(demo_province, db):
    assert set(Framework.objects.values_list("code", flat=True)) >= {
        "PAR-SO", "PAR-XA", "DDCI-SO", "DDCI-XA", "PCI", "PAPI", "SIPAS", "QD766"}
    published = IndexRun.objects.filter(status=IndexRun.Status.PUBLISHED)
    assert {(r.version.framework.code, r.period.code) for r in published} >= {
        ("DDCI-SO", "2022"), ("DDCI-SO", "2023"), ("PAR-SO", "2022")}
    assert all(run_recompute_matches(run) for run in published)
    assert ExternalResult.objects.filter(index_code="PCI", province__contains="Cao Bằng").count() == 4


def test_home_lists_the_par_assessment_work_due_with_overdue_first(demo_province, db, client):
    # Every demo cycle is published; the secretariat reopens one unit's, which goes back to the experts.
    published = Assessment.objects.filter(unit__code="S-TC", status=Assessment.Status.PUBLISHED).order_by("-cycle__period__year").first()
    assessment_reopen(assessment=published, by=User.objects.get(username="thuky"), reason="Thanh tra phát hiện sai sót")
    client.force_login(User.objects.get(username="thamdinh"))
    response = client.get(reverse("home"))
    due = response.context["summary"]["assessments_due"]
    assert [d.assessment.unit.code for d in due] == ["S-TC"]
    assert 'id="due"' in response.content.decode()
    client.force_login(User.objects.get(username="canbo.sotaichinh"))
    assert all(d.assessment.unit.code == "S-TC" for d in client.get(reverse("home")).context["summary"]["assessments_due"])
    client.force_login(User.objects.get(username="lanhdao"))
    assert client.get(reverse("home")).context["summary"]["assessments_due"] == []
