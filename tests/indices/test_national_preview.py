"""National results: a partial file changes only its provinces, shown first; the whole index and year
replaced only when asked; strict columns; the command's --dry-run and --replace-period; the pages."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from chiso.accounts.models import Role, User
from chiso.audit.models import AuditRecord
from chiso.core.tabular import ImportFailed
from chiso.indices.models import ExternalResult
from chiso.indices.national import national_results_import, national_results_preview

FULL = "index,year,province,score,rank\nPAR,2024,Cao Bằng,80.5,63\nPAR,2024,Hải Phòng,96.17,1\nPAR,2024,Hà Nội,90,5\n"
PARTIAL = "index,year,province,score,rank\nPAR,2024,Cao Bằng,81.5,62\nPAR,2024,Hải Phòng,96.17,1\n"

pytestmark = pytest.mark.django_db


def scores() -> dict[str, float]:
    return dict(ExternalResult.objects.filter(index_code="PAR", year=2024).values_list("province", "score"))


def test_a_partial_file_is_previewed_and_keeps_the_other_provinces():
    national_results_import(file_name="du.csv", content=FULL.encode(), by=None)
    preview = national_results_preview(file_name="bo-sung.csv", content=PARTIAL.encode())
    assert preview.counts == {"added": 0, "changed": 1, "unchanged": 1, "removed": 0}
    changed = preview.of("changed")[0]
    assert changed.subject == "PAR 2024 — Cao Bằng" and ("Điểm", "80,5", "81,5") in changed.cells
    assert scores()["Cao Bằng"] == 80.5  # a preview writes nothing
    summary = national_results_import(file_name="bo-sung.csv", content=PARTIAL.encode(), by=None, expected=preview.fingerprint)
    assert scores() == {"Cao Bằng": 81.5, "Hải Phòng": 96.17, "Hà Nội": 90}  # Hà Nội, not in the file, stays
    assert summary.preview.counts["changed"] == 1
    record = AuditRecord.objects.get(event="national_result.updated")
    assert record.details["import"]["changed"] == 1 and record.details["import"]["file"] == "bo-sung.csv"


def test_replacing_the_whole_period_removes_the_provinces_the_file_does_not_list():
    national_results_import(file_name="du.csv", content=FULL.encode(), by=None)
    national_results_import(file_name="pci.csv", content=b"index,year,province,score\nPCI,2024,Cao Bang,60\n", by=None)
    preview = national_results_preview(file_name="p.csv", content=PARTIAL.encode(), replace_period=True)
    assert preview.counts == {"added": 0, "changed": 1, "unchanged": 1, "removed": 1}
    assert preview.of("removed")[0].subject == "PAR 2024 — Hà Nội"
    national_results_import(file_name="p.csv", content=PARTIAL.encode(), by=None, replace_period=True, expected=preview.fingerprint)
    assert set(scores()) == {"Cao Bằng", "Hải Phòng"}
    assert ExternalResult.objects.filter(index_code="PCI").count() == 1  # another index: untouched
    removed = AuditRecord.objects.get(event="national_result.removed")
    assert removed.old_value == "90.0" and removed.details["province"] == "Hà Nội"


def test_a_confirmation_is_refused_when_the_results_changed_since_the_preview():
    national_results_import(file_name="du.csv", content=FULL.encode(), by=None)
    preview = national_results_preview(file_name="p.csv", content=PARTIAL.encode())
    national_results_import(file_name="x.csv", content=b"index,year,province,score\nPAR,2024,Ha Noi,91\n", by=None)
    with pytest.raises(ValidationError):
        national_results_import(file_name="p.csv", content=PARTIAL.encode(), by=None, expected=preview.fingerprint)
    assert scores()["Cao Bằng"] == 80.5


def test_a_pci_column_that_is_no_sub_index_is_refused_with_the_accepted_headers():
    table = "Tỉnh;Điểm số;Xếp hạng;Ghi chú\nCao Bằng;56,29;63;x\n"
    with pytest.raises(ImportFailed) as failure:
        national_results_import(file_name="pci.csv", content=table.encode(), index_code="PCI", year=2021, by=None)
    (problem,) = failure.value.problems
    text = str(problem)
    assert text.startswith("Tệp pci.csv, dòng 1: Cột không được chấp nhận: “Ghi chú”. Các tiêu đề cột được chấp nhận: Tỉnh, thành phố (")
    assert "Thứ hạng (Xếp hạng" in text and "entry_costs (Chi phí gia nhập thị trường, Entry costs)" in text
    assert not ExternalResult.objects.exists()


def test_the_command_dry_run_prints_the_preview_and_writes_nothing(tmp_path, capsys):
    national_results_import(file_name="du.csv", content=FULL.encode(), by=None)
    path = tmp_path / "p.csv"
    path.write_text(PARTIAL, encoding="utf-8")
    call_command("import_national_results", str(path), "--dry-run", "--replace-period")
    out = capsys.readouterr().out
    assert "Thêm mới: 0, thay đổi: 1, không đổi: 1, sẽ bị gỡ: 1." in out
    assert "[sẽ bị gỡ] PAR 2024 — Hà Nội" in out and "Điểm: 80,5 → 81,5" in out
    assert len(scores()) == 3 and scores()["Cao Bằng"] == 80.5
    call_command("import_national_results", str(path))
    assert len(scores()) == 3 and scores()["Cao Bằng"] == 81.5  # without --replace-period, Hà Nội stays
    call_command("import_national_results", str(path), "--replace-period")
    assert set(scores()) == {"Cao Bằng", "Hải Phòng"}


def test_the_page_previews_then_confirms(client, make_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    national_results_import(file_name="du.csv", content=FULL.encode(), by=None)
    client.force_login(make_user("thuky", Role.SECRETARIAT))
    html = client.post(reverse("indices:national"), {"file": SimpleUploadedFile("p.csv", PARTIAL.encode())}).content.decode()
    assert 'data-count="changed">Thay đổi: <strong>1<' in html and 'data-count="removed"' not in html
    token = html.split('name="token" value="')[1].split('"')[0]
    leader = make_user("lanhdao", Role.LEADER)
    client.force_login(leader)
    assert client.post(reverse("indices:national_confirm"), {"token": token}).status_code == 403
    assert client.post(reverse("indices:national"), {"file": SimpleUploadedFile("p.csv", PARTIAL.encode())}).status_code == 403
    client.force_login(make_user("thuky2", Role.SECRETARIAT))
    other = client.post(reverse("indices:national_confirm"), {"token": token}, follow=True).content.decode()
    assert "đã hết hạn" in other and scores()["Cao Bằng"] == 80.5  # another person's preview
    client.force_login(User.objects.get(username="thuky"))
    response = client.post(reverse("indices:national_confirm"), {"token": token}, follow=True)
    assert "Thêm mới: 0, thay đổi: 1, không đổi: 1, đã gỡ: 0." in response.content.decode()
    assert scores() == {"Cao Bằng": 81.5, "Hải Phòng": 96.17, "Hà Nội": 90}
