import io
import re

import pytest
import yaml
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from openpyxl import Workbook

from chiso.accounts.models import Role
from chiso.audit.models import AuditRecord
from chiso.core.tabular import ImportFailed
from chiso.frameworks.services import framework_import
from chiso.indices.models import IndicatorValue
from chiso.indices.services import run_create, run_publish
from chiso.indices.values_import import indicator_values_import, indicator_values_preview
from chiso.jobs.models import Job

DOC = {"framework": {"code": "P", "name_vi": "Điểm", "method": "points"}, "version": {}, "steps": [{"points": {}}],
       "iMeta": [{"iCode": "T", "Level": 2, "Type": "Aggregate", "max_points": 10},
                 {"iCode": "a", "Level": 1, "Parent": "T", "Type": "Indicator", "max_points": 6},
                 {"iCode": "b", "Level": 1, "Parent": "T", "Type": "Indicator", "max_points": 4}]}


@pytest.fixture
def version(db):
    return framework_import(file_name="p.yaml", content=yaml.safe_dump(DOC).encode(), by=None).version


def test_values_import_with_not_applicable_and_a_source(version, make_unit, period):
    make_unit("S-A"), make_unit("S-B")
    content = "uCode,uName,a,b\nS-A,Sở A,\"5,5\",N/A\nS-B,Sở B,3,4\n".encode("utf-8-sig")
    assert indicator_values_import(version=version, period=period, file_name="diem.csv", content=content, source="Biên bản Hội đồng") == 4
    b = IndicatorValue.objects.get(unit__code="S-A", code="b")
    assert b.not_applicable and b.source == "Biên bản Hội đồng"
    assert IndicatorValue.objects.get(unit__code="S-A", code="a").value == 5.5
    run = run_create(by=None, version=version, period=period, block=version.framework.values.first().unit.block)
    # S-A: 5.5 of the 6 applicable points = 91.67 %; S-B: 7 of 10 = 70 %
    scores = {s.unit.code: s.value for s in run.scores.filter(code="T")}
    assert scores["S-A"] == pytest.approx(5.5 / 6 * 100) and scores["S-B"] == pytest.approx(70)


def test_values_import_is_all_or_nothing_with_named_cells(version, make_unit, period):
    make_unit("S-A")
    content = b"uCode,a,b\nS-A,abc,1\nS-NONE,1,1\n"
    with pytest.raises(ImportFailed) as failure:
        indicator_values_import(version=version, period=period, file_name="diem.csv", content=content, source="x")
    assert [str(p) for p in failure.value.problems] == [
        "Tệp diem.csv, dòng 2, cột a: 'abc' không phải là số.",
        "Tệp diem.csv, dòng 3, cột uCode: Không có đơn vị nào có mã 'S-NONE' trong kỳ đánh giá này.",
    ]
    assert IndicatorValue.objects.count() == 0


def test_unknown_and_missing_columns_are_named_with_the_accepted_headers(version, make_unit, period):
    make_unit("S-A")
    with pytest.raises(ImportFailed) as failure:
        indicator_values_import(version=version, period=period, file_name="diem.csv", content=b"STT,Ma so,a,zz\n1,S-A,1,1\n", source="x")
    (problem,) = failure.value.problems
    text = str(problem)
    assert text.startswith("Tệp diem.csv, dòng 1: Thiếu cột: uCode (code, Mã, Mã đơn vị, Mã ĐV, Unit code).")
    assert "Cột không được chấp nhận: “Ma so”, “zz”." in text and "; a; b." in text  # the indicators, by code


def test_unit_results_page_follows_lineage_and_is_refused_to_other_officers(client, version, make_unit, make_user, period):
    a, b = make_unit("S-A"), make_unit("S-B")
    indicator_values_import(version=version, period=period, file_name="d.csv", content=b"uCode,a,b\nS-A,6,4\nS-B,1,1\n", source="x")
    run_publish(run=run_create(by=None, version=version, period=period, block=a.block), by=None)
    client.force_login(make_user("canbo", Role.UNIT_OFFICER, unit=a))
    response = client.get(reverse("indices:unit_results", args=["S-A"]))
    assert response.status_code == 200 and "100" in response.content.decode()
    assert client.get(reverse("indices:unit_results", args=["S-B"])).status_code == 403
    # Each year links to a page the officer may open: the unit's scorecard (the run's own page,
    # with its inputs and steps, is the province's; an officer met a refusal there).
    links = re.findall(r'href="([^"]+)"', response.content.decode().split("<main", 1)[1])
    run_links = [link for link in links if "/runs/" in link]
    assert run_links and all(client.get(link).status_code == 200 for link in run_links), run_links


def test_a_partial_file_is_previewed_and_leaves_the_other_values(version, make_unit, make_user, period):
    make_unit("S-A"), make_unit("S-B")
    secretariat = make_user("thuky", Role.SECRETARIAT)
    indicator_values_import(version=version, period=period, file_name="d.csv", content=b"uCode,a,b\nS-A,6,4\nS-B,1,1\n",
                            source="x", by=secretariat)
    partial = b"uCode,a\nS-A,5\nS-B,1\n"
    preview = indicator_values_preview(version=version, period=period, file_name="p.csv", content=partial, source="x")
    assert preview.counts == {"added": 0, "changed": 1, "unchanged": 1, "removed": 0}
    assert preview.of("changed")[0].cells == [("a", "6", "5")]
    assert indicator_values_import(version=version, period=period, file_name="p.csv", content=partial, source="x",
                                   by=secretariat, expected=preview.fingerprint) == 1
    current = {(v.unit.code, v.code): v.value for v in IndicatorValue.objects.all()}
    assert current == {("S-A", "a"): 5, ("S-A", "b"): 4, ("S-B", "a"): 1, ("S-B", "b"): 1}
    assert IndicatorValue.all_entries.filter(unit__code="S-A", code="a", value=6).exclude(superseded_at=None).exists()  # kept
    record = AuditRecord.objects.get(event="indicator_values.imported", reason="p.csv")
    assert record.details["changed"] == 1 and record.details["unchanged"] == 1 and record.by == secretariat


def test_replacing_the_whole_period_withdraws_the_values_the_file_does_not_give(version, make_unit, period):
    make_unit("S-A"), make_unit("S-B")
    indicator_values_import(version=version, period=period, file_name="d.csv", content=b"uCode,a,b\nS-A,6,4\nS-B,1,1\n", source="x")
    only_a = b"uCode,a\nS-A,6\n"
    preview = indicator_values_preview(version=version, period=period, file_name="p.csv", content=only_a, source="x",
                                       replace_period=True)
    assert preview.counts == {"added": 0, "changed": 0, "unchanged": 1, "removed": 1}
    assert preview.of("removed")[0].subject.endswith("· a")  # S-B's a; b is not in the file: untouched
    # a value of another indicator changed since the preview: not what the preview compared, so it still holds
    indicator_values_import(version=version, period=period, file_name="e.csv", content=b"uCode,b\nS-A,3\n", source="x")
    indicator_values_import(version=version, period=period, file_name="p.csv", content=only_a, source="x",
                            replace_period=True, expected=preview.fingerprint)
    current = {(v.unit.code, v.code) for v in IndicatorValue.objects.all()}
    assert current == {("S-A", "a"), ("S-A", "b"), ("S-B", "b")}
    assert IndicatorValue.all_entries.filter(unit__code="S-B", code="a").exclude(superseded_at=None).exists()  # on record


def test_a_confirmation_is_refused_when_the_values_changed_since_the_preview(version, make_unit, period):
    make_unit("S-A")
    preview = indicator_values_preview(version=version, period=period, file_name="p.csv", content=b"uCode,a\nS-A,6\n", source="x")
    indicator_values_import(version=version, period=period, file_name="o.csv", content=b"uCode,a\nS-A,2\n", source="y")
    with pytest.raises(ValidationError):
        indicator_values_import(version=version, period=period, file_name="p.csv", content=b"uCode,a\nS-A,6\n", source="x",
                                expected=preview.fingerprint)
    assert IndicatorValue.objects.get(unit__code="S-A", code="a").value == 2


def test_the_import_page_previews_then_confirms(client, version, make_unit, make_user, period, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    make_unit("S-A"), make_unit("S-B")
    indicator_values_import(version=version, period=period, file_name="d.csv", content=b"uCode,a,b\nS-A,6,4\nS-B,1,1\n", source="x")
    client.force_login(make_user("thuky", Role.SECRETARIAT))
    upload = SimpleUploadedFile("p.csv", b"uCode,a\nS-A,5\n")
    html = client.post(reverse("indices:values_import"), {"version": version.pk, "period": period.pk, "file": upload,
                                                          "source": "x"}).content.decode()
    assert 'data-count="changed">Thay đổi: <strong>1<' in html and "a: 6 → 5" in html
    assert IndicatorValue.objects.get(unit__code="S-A", code="a").value == 6
    token = html.split('name="token" value="')[1].split('"')[0]
    response = client.post(reverse("indices:values_import_confirm"), {"token": token}, follow=True)
    assert "1 giá trị" in response.content.decode()
    assert IndicatorValue.objects.get(unit__code="S-A", code="a").value == 5
    assert IndicatorValue.objects.get(unit__code="S-B", code="a").value == 1


def test_the_command_dry_run_and_replace_period(version, make_unit, period, tmp_path, capsys):
    make_unit("S-A"), make_unit("S-B")
    indicator_values_import(version=version, period=period, file_name="d.csv", content=b"uCode,a,b\nS-A,6,4\nS-B,1,1\n", source="x")
    path = tmp_path / "p.csv"
    path.write_bytes(b"uCode,a\nS-A,5\n")
    base = ["import_indicator_values", str(path), "--framework", "P", "--period", period.code, "--source", "x"]
    call_command(*base, "--dry-run", "--replace-period")
    out = capsys.readouterr().out
    assert "Thêm mới: 0, thay đổi: 1, không đổi: 0, sẽ bị gỡ: 1." in out and "a: 6 → 5" in out
    assert IndicatorValue.objects.get(unit__code="S-A", code="a").value == 6
    call_command(*base, "--replace-period")
    assert {(v.unit.code, v.code): v.value for v in IndicatorValue.objects.all()} == {("S-A", "a"): 5, ("S-A", "b"): 4, ("S-B", "b"): 1}


def test_a_large_values_import_runs_as_a_background_job(client, version, make_unit, make_user, period, settings, tmp_path,
                                                       django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT, settings.CHISO_IMPORT_BACKGROUND_BYTES = tmp_path, 1
    make_unit("S-A"), make_unit("S-B")
    client.force_login(make_user("thuky", Role.SECRETARIAT))
    upload = SimpleUploadedFile("p.csv", b"uCode,a,b\nS-A,6,4\nS-B,1,1\n")
    html = client.post(reverse("indices:values_import"), {"version": version.pk, "period": period.pk, "file": upload,
                                                          "source": "x"}).content.decode()
    token = html.split('name="token" value="')[1].split('"')[0]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("indices:values_import_confirm"), {"token": token})
    job = Job.objects.get(kind="indicator_values_import")
    assert response.url == reverse("jobs:detail", args=[job.pk])
    assert job.status == Job.Status.DONE and job.result["written"] == 4 and job.total == 4 and job.done == 4
    assert IndicatorValue.objects.count() == 4


# --- how typed numbers are written: Vietnamese (1.234,5) or international (1,234.5, COINr's files) ---

def _values():
    return {(v.unit.code, v.code): v.value for v in IndicatorValue.objects.select_related("unit")}


def _audit_details(file_name):
    return AuditRecord.objects.get(event="indicator_values.imported", reason=file_name).details


def test_a_vietnamese_file_reads_points_as_thousands_and_commas_as_decimals(version, make_unit, period):
    make_unit("S-A"), make_unit("S-B")
    content = 'uCode,a,b\nS-A,1.000,"0,5"\nS-B,1.000.000,2\n'.encode()
    preview = indicator_values_preview(version=version, period=period, file_name="vi.csv", content=content, source="x")
    assert any("Số được đọc theo cách viết Việt Nam" in note and "tự nhận biết" in note for note in preview.notes)
    indicator_values_import(version=version, period=period, file_name="vi.csv", content=content, source="x")
    assert _values() == {("S-A", "a"): 1000, ("S-A", "b"): 0.5, ("S-B", "a"): 1000000, ("S-B", "b"): 2}
    assert _audit_details("vi.csv")["numbers"] == "vi" and _audit_details("vi.csv")["numbers_chosen"] == "auto"


def test_an_international_file_reads_points_as_decimals_and_commas_as_thousands(version, make_unit, period):
    make_unit("S-A"), make_unit("S-B")
    content = b'uCode,a,b\nS-A,0.5,"1,234.5"\nS-B,1.000,12.75\n'  # 1.000 is one here: the file's 0.5 says how it is written
    preview = indicator_values_preview(version=version, period=period, file_name="intl.csv", content=content, source="x")
    assert any("Số được đọc theo cách viết quốc tế" in note for note in preview.notes)
    indicator_values_import(version=version, period=period, file_name="intl.csv", content=content, source="x")
    assert _values() == {("S-A", "a"): 0.5, ("S-A", "b"): 1234.5, ("S-B", "a"): 1, ("S-B", "b"): 12.75}
    assert _audit_details("intl.csv")["numbers"] == "intl"


@pytest.mark.parametrize("content, said", [
    # written both ways: one cell of each named
    (b'uCode,a,b\nS-A,"0,5",1\nS-B,3,0.25\n',
     ("0,5 (dòng 2, cột a) theo cách viết Việt Nam", "0.25 (dòng 3, cột b) theo cách viết quốc tế")),
    # only cells that read two ways (1.000: a thousand or one): the cells named, the person asked to choose
    (b"uCode,a,b\nS-A,1.000,2\nS-B,2.500,1\n", ("1.000 (dòng 2, cột a); 2.500 (dòng 3, cột a)", "Hãy chọn cách viết số")),
])
def test_a_file_that_does_not_tell_one_way_is_refused_naming_its_cells(version, make_unit, period, content, said):
    make_unit("S-A"), make_unit("S-B")
    with pytest.raises(ImportFailed) as failure:
        indicator_values_import(version=version, period=period, file_name="f.csv", content=content, source="x")
    (problem,) = failure.value.problems
    assert str(problem).startswith("Tệp f.csv: ") and all(words in str(problem) for words in said), str(problem)
    assert IndicatorValue.objects.count() == 0


@pytest.mark.parametrize("numbers, expected", [("vi", 1000), ("intl", 1)])
def test_the_chosen_way_reads_a_file_that_cannot_tell(version, make_unit, period, numbers, expected):
    make_unit("S-A")
    indicator_values_import(version=version, period=period, file_name="amb.csv", content=b"uCode,a\nS-A,1.000\n", source="x",
                            numbers=numbers)
    assert _values() == {("S-A", "a"): expected}
    assert _audit_details("amb.csv")["numbers"] == numbers and _audit_details("amb.csv")["numbers_chosen"] == numbers


def test_the_chosen_way_overrides_what_the_file_shows_and_names_the_cells_it_refuses(version, make_unit, period):
    make_unit("S-A"), make_unit("S-B")
    content = b"uCode,a\nS-A,1.000\nS-B,0.5\n"  # told by the file: international (1 and 0.5)
    with pytest.raises(ImportFailed) as failure:
        indicator_values_import(version=version, period=period, file_name="o.csv", content=content, source="x", numbers="vi")
    (problem,) = failure.value.problems
    assert str(problem).startswith("Tệp o.csv, dòng 3, cột a: 0.5") and "0,5" in str(problem)
    indicator_values_import(version=version, period=period, file_name="o.csv", content=b"uCode,a\nS-A,1.000\n", source="x",
                            numbers="vi")
    assert _values() == {("S-A", "a"): 1000}


def test_an_xlsx_of_real_numbers_needs_no_detection(version, make_unit, period):
    make_unit("S-A"), make_unit("S-B")
    book = Workbook()
    sheet = book.active
    sheet.append(["uCode", "a", "b"])
    sheet.append(["S-A", 1000, 0.5])
    sheet.append(["S-B", 1.25, "N/A"])
    buffer = io.BytesIO()
    book.save(buffer)
    preview = indicator_values_preview(version=version, period=period, file_name="so.xlsx", content=buffer.getvalue(), source="x")
    assert any("lưu dưới dạng số" in note for note in preview.notes)
    indicator_values_import(version=version, period=period, file_name="so.xlsx", content=buffer.getvalue(), source="x",
                            numbers="intl")  # a choice changes nothing for real numbers
    assert _values() == {("S-A", "a"): 1000, ("S-A", "b"): 0.5, ("S-B", "a"): 1.25, ("S-B", "b"): None}  # N/A: not applicable
    assert _audit_details("so.xlsx")["numbers"] == ""


def test_the_import_page_offers_the_way_numbers_are_written_and_keeps_it_to_the_confirmation(client, version, make_unit,
                                                                                             make_user, period, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    make_unit("S-A")
    client.force_login(make_user("thuky", Role.SECRETARIAT))
    page = client.get(reverse("indices:values_import")).content.decode()
    assert "Cách viết số" in page and "Tự nhận biết" in page and "Việt Nam (1.234,5)" in page and "Quốc tế (1,234.5)" in page
    assert 'value="auto"' in page and "checked" in page.split('value="auto"')[1].split(">")[0]
    refused = client.post(reverse("indices:values_import"), {"version": version.pk, "period": period.pk, "source": "x",
                                                             "file": SimpleUploadedFile("p.csv", b"uCode,a\nS-A,1.000\n")})
    assert refused.status_code == 400 and "Hãy chọn cách viết số" in refused.content.decode()
    html = client.post(reverse("indices:values_import"), {"version": version.pk, "period": period.pk, "source": "x", "numbers": "intl",
                                                          "file": SimpleUploadedFile("p.csv", b"uCode,a\nS-A,1.000\n")}).content.decode()
    assert "Số được đọc theo cách viết quốc tế (1,234.5), theo lựa chọn của bạn." in html and "a: 1" in html
    token = html.split('name="token" value="')[1].split('"')[0]
    client.post(reverse("indices:values_import_confirm"), {"token": token})
    assert _values() == {("S-A", "a"): 1}
    assert _audit_details("p.csv")["numbers"] == "intl"


def test_the_command_takes_the_way_numbers_are_written(version, make_unit, period, tmp_path, capsys):
    make_unit("S-A")
    path = tmp_path / "p.csv"
    path.write_bytes(b"uCode,a\nS-A,1.000\n")
    base = ["import_indicator_values", str(path), "--framework", "P", "--period", period.code, "--source", "x"]
    with pytest.raises(CommandError):
        call_command(*base)
    assert "Hãy chọn cách viết số" in capsys.readouterr().err and IndicatorValue.objects.count() == 0
    call_command(*base, "--numbers", "vi", "--dry-run")
    assert "Số được đọc theo cách viết Việt Nam" in capsys.readouterr().err
    call_command(*base, "--numbers", "vi")
    assert _values() == {("S-A", "a"): 1000}
