"""`manage.py import_units` as a shell script sees it."""

from chiso.units.models import Unit


def test_import_units_command_exit_status(tmp_path, manage):
    """The exit status of `manage.py import_units`, as a shell script would see it."""
    good, bad = tmp_path / "good.csv", tmp_path / "bad.csv"
    good.write_text("code,name_vi,block\nS-A,Sở A,department\n", encoding="utf-8")
    bad.write_text("code,name_vi,block\nS-B,Sở B,nowhere\n", encoding="utf-8")
    ok = manage("import_units", str(good))
    assert ok.returncode == 0, ok.stderr
    assert Unit.objects.filter(code="S-A").exists()
    failed = manage("import_units", str(bad))
    assert failed.returncode != 0
    assert "bad.csv" in failed.stderr and "nowhere" in failed.stderr and "Traceback" not in failed.stderr
    assert not Unit.objects.filter(code="S-B").exists()
