import pytest
import yaml
from django.core.management import call_command
from django.core.management.base import CommandError

from chiso.frameworks.models import FrameworkVersion

DOC = {"framework": {"code": "CMD", "name_vi": "Thử lệnh", "method": "composite"}, "version": {"label": "1"}, "steps": [],
       "iMeta": [{"iCode": "T", "Level": 2, "Type": "Aggregate"}, {"iCode": "x", "Level": 1, "Parent": "T", "Type": "Indicator"}]}


@pytest.mark.django_db
@pytest.mark.parametrize("suffix", ["yaml", "xlsx", "csv"])
def test_import_then_export_round_trip(tmp_path, suffix):
    source = tmp_path / "fw.yaml"
    source.write_text(yaml.safe_dump(DOC, allow_unicode=True), encoding="utf-8")
    call_command("import_framework", str(source))
    target = tmp_path / f"out.{suffix}"
    call_command("export_framework", "CMD", "1", str(target))
    assert target.stat().st_size > 0
    call_command("import_framework", str(target), "--code", "CMD")
    if suffix == "csv":  # iMeta alone carries no version metadata: a new version, same tree
        assert FrameworkVersion.objects.get(number=2).nodes.count() == 2
    else:
        assert FrameworkVersion.objects.count() == 1


@pytest.mark.django_db
def test_errors_are_command_errors(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("framework: [unclosed", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("import_framework", str(bad))
    with pytest.raises(CommandError):
        call_command("export_framework", "NONE", "1", str(tmp_path / "x.yaml"))
    assert FrameworkVersion.objects.count() == 0
