"""The quarterly progress report of a directive's tasks by unit, as XLSX and PDF."""

import datetime
import io
import shutil
import subprocess

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from chiso.followup.reports import directive_report, directive_report_pdf, directive_report_xlsx
from chiso.followup.services import progress_report_create, task_cancel, task_completion_confirm
from chiso.units.models import Province

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def progress(make_task, officers, secretariat, notice):
    Province.objects.create(code="CB", name_vi="Tỉnh Cao Bằng")
    on_time = make_task(lead="S-XD", deadline="Quý I/2023", text="Cụ thể hóa Kế hoạch CCHC năm 2023")
    late = make_task(lead="S-XD", deadline="31/03/2023", text="Xây dựng kế hoạch DDCI năm 2023")
    running = make_task(lead="S-NV", deadline="31/12/2023", text="Hoàn thành Kế hoạch số 3387/KH-UBND", cooperating=["S-TC"])
    overdue = make_task(lead="S-NV", deadline="30/04/2023", text="Tuyên truyền CCHC")
    cancelled = make_task(lead="S-TP", deadline="31/12/2023", text="Nhiệm vụ đã gộp")
    make_task(lead="S-TP", deadline="31/12/2023", text="Tăng cường tương tác với doanh nghiệp")
    for task, day in ((on_time, D(2023, 3, 30)), (late, D(2023, 4, 12))):
        report = progress_report_create(task=task, by=officers[task.lead_unit.code], text="Đã ban hành kế hoạch", percent=100,
                                        ask_completion=True, evidence_link="https://caobang.gov.vn/kh", reported_on=day)
        task_completion_confirm(report=report, by=secretariat)
    progress_report_create(task=running, by=officers["S-NV"], text="Đạt 60% khối lượng", percent=60, reported_on=D(2023, 6, 1))
    progress_report_create(task=running, by=officers["S-TC"], text="Đã bố trí kinh phí", percent=100, reported_on=D(2023, 6, 5))
    progress_report_create(task=overdue, by=officers["S-NV"], text="Đang in tờ rơi", percent=30, reported_on=D(2023, 4, 20))
    task_cancel(task=cancelled, by=secretariat, reason="Gộp vào nhiệm vụ khác")
    return notice


def test_the_report_counts_as_a_quarterly_report_does(progress, notice):
    report = directive_report(notice, D(2023, 6, 30))
    counts = {code: count for code, _label, count in report.counts}
    assert counts == {"done_on_time": 1, "done_late": 1, "in_progress": 1, "overdue": 1, "not_started": 1, "cancelled": 1}
    assert [s.unit.code for s in report.sections] == ["S-NV", "S-TP", "S-XD"]  # by unit name
    assert [s.numeral for s in report.sections] == ["I", "II", "III"]
    running = next(r for r in report.sections[0].rows if r.task.text.startswith("Hoàn thành"))
    assert running.result == "Đạt 60% khối lượng"  # the lead unit's report, not the cooperating unit's later one
    with translation.override("vi"):
        assert report.quarter_label == "Quý II/2023"


def test_xlsx_has_the_offices_layout(progress, notice):
    with translation.override("vi"):
        content = directive_report_xlsx(directive_report(notice, D(2023, 6, 30)))
    sheet = load_workbook(io.BytesIO(content)).active
    cells = [str(c) for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    assert "TỈNH CAO BẰNG" in cells and "BÁO CÁO" in cells
    assert any("511/TB-UBND" in c and "13/03/2023" in c for c in cells)
    assert "Sở Nội vụ" in cells and "III" in cells and "Hoàn thành quá hạn" in cells and "Quá hạn, chưa hoàn thành" in cells


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="pdftotext (poppler-utils) reads the PDF back")
def test_pdf_reads_back_in_vietnamese(progress, notice, tmp_path):
    with translation.override("vi"):
        pdf = directive_report_pdf(directive_report(notice, D(2023, 6, 30)))
    assert pdf.startswith(b"%PDF")
    path = tmp_path / "bao-cao.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "BÁO CÁO" in text and "Sở Xây dựng" in text and "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text


def test_downloads_for_provincial_roles_only(progress, notice, client, leader, officers):
    client.force_login(leader)
    xlsx = client.get(reverse("followup:report_file", args=[notice.pk, "xlsx"]))
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "bao-cao-511-TB-UBND" in xlsx["Content-Disposition"]
    assert client.get(reverse("followup:report_file", args=[notice.pk, "doc"])).status_code == 404
    client.force_login(officers["S-XD"])
    assert client.get(reverse("followup:report_file", args=[notice.pk, "xlsx"])).status_code == 403
