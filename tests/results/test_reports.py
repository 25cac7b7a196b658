"""PDF scorecards and reports read back with pdftotext, the XLSX of every level, the batch job."""

import io
import shutil
import subprocess
import zipfile

import pytest
from django.utils import translation
from openpyxl import load_workbook

from chiso.accounts.models import Role
from chiso.jobs.models import Job
from chiso.results.queries import ranking_get, scorecard_get
from chiso.results.reports import report_pdf, results_workbook, scorecard_pdf
from chiso.results.services import scorecards_batch_start

pytestmark = pytest.mark.django_db


def pdf_text(content: bytes) -> str:
    if not shutil.which("pdftotext"):
        pytest.fail("pdftotext not found: install poppler-utils (see README.md)")
    return subprocess.run(["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True).stdout.decode()


def test_a_scorecard_pdf_is_one_a4_page_in_vietnamese(sample):
    with translation.override("vi"):
        card = scorecard_get(sample.ddci_2023, sample.units["S-D"])
        content = scorecard_pdf(card)
    assert content.startswith(b"%PDF")
    text = pdf_text(content)
    assert text.count("\f") == 1  # one page
    assert "Sở Xây dựng" in text and "Tính minh bạch" in text and "Năm 2022" in text
    assert f"{card.row.score:.2f}".replace(".", ",") in text
    assert "Hạng" in text or "Thứ hạng" in text


def test_the_province_report_has_every_block_the_method_and_checksums(sample):
    runs = [sample.ddci_2023, sample.districts]
    with translation.override("vi"):
        text = pdf_text(report_pdf(runs, "DDCI Năm 2023"))
    for run in runs:
        assert run.result_checksum[:16] in text.replace("\n", "")
    assert "Sở Tài chính" in text and "Huyện Hòa An" in text
    assert "Kế hoạch 01/KH-UBND" in text  # the legal basis, in the method note
    assert "Chuẩn hóa" in text  # the steps, in words


def test_the_workbook_has_every_level_and_the_raw_values(sample):
    book = load_workbook(io.BytesIO(results_workbook([sample.ddci_2023])), read_only=True)
    names = book.sheetnames
    assert names[1:4] == ["1 department L3", "1 department L2", "1 department L1"] and len(names) == 5
    about = list(book[names[0]].iter_rows(values_only=True))
    assert about[1][-1] == sample.ddci_2023.result_checksum
    top = list(book["1 department L3"].iter_rows(values_only=True))
    assert top[0][2] == "DDCI" and top[1][0] == "S-A" and top[1][3] == 1  # value, then rank
    raw = list(book[names[-1]].iter_rows(values_only=True))
    inputs = sample.ddci_2023.inputs
    assert list(raw[0][2:]) == inputs["codes"]
    assert [list(r[2:]) for r in raw[1:]] == inputs["values"]


def test_all_scorecards_of_a_run_in_a_background_job(sample, make_user, django_capture_on_commit_callbacks, settings):
    with django_capture_on_commit_callbacks(execute=True):
        job = scorecards_batch_start(run=sample.ddci_2023, by=make_user("lanhdao", Role.LEADER))
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and job.done == job.total == 4
    archive = zipfile.ZipFile(settings.MEDIA_ROOT / job.output_file)
    names = sorted(archive.namelist())
    assert names == ["001-S-A.pdf", "002-S-B.pdf", "003-S-C.pdf", "004-S-D.pdf"]
    assert "Sở Y tế" in pdf_text(archive.read("003-S-C.pdf"))
    assert len(ranking_get(sample.ddci_2023).rows) == 4
