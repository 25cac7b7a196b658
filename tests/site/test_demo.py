"""The demo province: Cao Bằng as it is, loaded twice without duplicating anything.

The demo is loaded once for the module (`demo_province`, about 40 s); the one test that loads it
a second time checks that nothing is duplicated."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from chiso.accounts.models import Role, User
from chiso.site.demo import demo_load
from chiso.units.models import Period, Unit, UnitSuccession
from chiso.units.queries import unit_predecessor_weights


def counts():
    return (Unit.objects.count(), UnitSuccession.objects.count(), Period.objects.count(), User.objects.count())


def test_demo_loads_cao_bang_and_a_second_run_changes_nothing(demo_province, db):
    from chiso.indices.models import IndexRun

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


@pytest.mark.django_db
def test_load_demo_refuses_production_mode(settings):
    before = Unit.objects.count()
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("load_demo")
    assert Unit.objects.count() == before


def test_import_units_command_exit_status(tmp_path):
    """The real exit status of `manage.py import_units`, as a shell script would see it."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "CHISO_DEBUG": "1", "CHISO_VAR_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)  # a throw-away SQLite database of its own
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=root, env=env, check=True)
    good, bad = tmp_path / "good.csv", tmp_path / "bad.csv"
    good.write_text("code,name_vi,block\nS-A,Sở A,department\n", encoding="utf-8")
    bad.write_text("code,name_vi,block\nS-B,Sở B,nowhere\n", encoding="utf-8")
    ok = subprocess.run([sys.executable, "manage.py", "import_units", str(good)], cwd=root, env=env, capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    failed = subprocess.run([sys.executable, "manage.py", "import_units", str(bad)], cwd=root, env=env, capture_output=True, text=True)
    assert failed.returncode != 0
    assert "bad.csv" in failed.stderr and "nowhere" in failed.stderr and "Traceback" not in failed.stderr


def test_demo_has_the_shipped_frameworks_and_published_runs(demo_province, db):
    from chiso.frameworks.models import Framework
    from chiso.indices.models import ExternalResult, IndexRun
    from chiso.indices.services import run_recompute_matches

    assert set(Framework.objects.values_list("code", flat=True)) >= {
        "PAR-SO", "PAR-XA", "DDCI-SO", "DDCI-XA", "PCI", "PAPI", "SIPAS", "QD766"}
    published = IndexRun.objects.filter(status=IndexRun.Status.PUBLISHED)
    assert {(r.version.framework.code, r.period.code) for r in published} >= {
        ("DDCI-SO", "2022"), ("DDCI-SO", "2023"), ("PAR-SO", "2022")}
    assert all(run_recompute_matches(run) for run in published)
    assert ExternalResult.objects.filter(index_code="PCI", province__contains="Cao Bằng").count() == 4
