"""Every importer bounded and clear: a zip bomb, a 50 MB file, a byte Windows-1258 does not define
(0x81) and a NUL byte each end in a Vietnamese message naming the file (and where it can, the row and
column) before anything is parsed or written; never a 500, a hang or a killed worker."""

import io
import re
import zipfile
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from chiso.accounts.models import Role
from chiso.core.tabular import ImportFailed
from chiso.followup.importing import tasks_import
from chiso.frameworks.services import framework_import
from chiso.indices.national import national_results_import
from chiso.indices.values_import import indicator_values_import
from chiso.services_stats.importing import service_stats_import
from chiso.surveys.collection.importing import responses_import
from chiso.surveys.collection.xlsform import xlsform_parse
from chiso.surveys.fieldwork.frames import frame_import
from chiso.surveys.fieldwork.indicators import indicator_rules_import
from chiso.surveys.services import questionnaire_import
from chiso.units.importing import units_import

FIFTY_MB = 50 * 1024 * 1024
UCL_BIOMASS = Path("/work/shared/reference-data/xlsforms-real/pyxform-bug_example_xls/UCL_Biomass_Plot_Form.xlsx")


@pytest.fixture(scope="module")
def zip_bomb() -> bytes:
    """An XLSX whose sheet XML expands from well under a megabyte to 128 MB of repeated bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>')
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            chunk = b"<c/>" * (1 << 20)
            for _ in range(32):
                sheet.write(chunk)
    content = buffer.getvalue()
    assert len(content) < 1024 * 1024
    return content


@pytest.fixture(scope="module")
def fifty_mb() -> bytes:
    """A valid CSV of 50 MB: a header and rows."""
    row = b"X-0001,Don vi,department,,,\n"
    return b"code,name_vi,block,parent_code,valid_from,valid_to\n" + row * (FIFTY_MB // len(row) + 1)


def cp1258_with_0x81(cp1258) -> bytes:
    return cp1258("code,name_vi,block\nS-TC,Sở Tài chính,department\n") + b"X-A,X\x81,commune\n"


def nul_byte() -> bytes:
    return b"code,name_vi,block\nS-TC,S\x00TC,department\n"


def _xlsx_with_nul() -> bytes:
    """An XLSX whose cell holds a NUL character reference, which no XML may hold."""
    workbook = Workbook()
    workbook.active.title = "survey"
    workbook.active.append(["type", "name", "label"])
    workbook.active.append(["text", "q1", "PLACEHOLDER"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename).replace(b"PLACEHOLDER", b"Q&#0;1")
            target.writestr(info.filename, data)
    return out.getvalue()


# Each importer as its service is called, with stand-ins for the objects it reads after the file:
# the file is refused before any of them is touched.
def _units(name, content):
    return units_import(files=[(name, content)], by=None)


def _service_stats(name, content):
    return service_stats_import(period=None, file_name=name, content=content, by=None)


def _tasks(name, content):
    return tasks_import(directive=None, file_name=name, content=content, by=None)


def _indicator_values(name, content):
    return indicator_values_import(version=None, period=None, file_name=name, content=content, source="Sở Nội vụ")


def _national(name, content):
    return national_results_import(file_name=name, content=content, index_code="PCI", year=2024, by=None)


def _frame(name, content):
    return frame_import(name="Khung", file_name=name, content=content, by=None)


def _responses(name, content):
    return responses_import(survey=SimpleNamespace(version=SimpleNamespace(form=None)), files=[(name, content)], by=None)


def _indicator_rules(name, content):
    return indicator_rules_import(survey=None, framework=None, file_name=name, content=content)


def _framework(name, content):
    return framework_import(file_name=name, content=content, by=None)


def _xlsform(name, content):
    return questionnaire_import(file_name=name, content=content, check_only=True, by=None)


IMPORTERS = {
    "units": _units, "service_stats": _service_stats, "tasks": _tasks, "indicator_values": _indicator_values,
    "national_results": _national, "frame": _frame, "responses": _responses, "indicator_rules": _indicator_rules,
    "framework": _framework, "xlsform": _xlsform,
}
TEXT_IMPORTERS = [kind for kind in IMPORTERS if kind != "xlsform"]  # an XLSForm is a workbook, never a CSV


def _refused(kind, name, content):
    with pytest.raises(ImportFailed) as failure:
        IMPORTERS[kind](name, content)
    problems = failure.value.problems
    assert problems and all(p.file == name for p in problems)
    return problems


@pytest.mark.django_db
@pytest.mark.parametrize("kind", list(IMPORTERS))
def test_a_zip_bomb_is_refused_before_it_is_opened(kind, zip_bomb):
    (problem, *_rest) = _refused(kind, "bomb.xlsx", zip_bomb)
    assert "CHISO_IMPORT_MAX_UNCOMPRESSED_BYTES" in problem.message or "CHISO_IMPORT_MAX_COMPRESSION_RATIO" in problem.message
    assert "sổ tính" in problem.message  # Vietnamese first


@pytest.mark.django_db
@pytest.mark.parametrize("kind", list(IMPORTERS))
def test_a_50_mb_file_is_refused_by_its_size(kind, fifty_mb):
    (problem,) = _refused(kind, "big.xlsx" if kind == "xlsform" else "big.csv", fifty_mb)
    assert f"CHISO_UPLOAD_MAX_BYTES_{kind.upper()}" in problem.message and "50,0\xa0MB" in problem.message


@pytest.mark.django_db
@pytest.mark.parametrize("kind", TEXT_IMPORTERS)
def test_0x81_in_windows_1258_is_reported_by_row_and_column(kind, cp1258):
    name = "data.yaml" if kind == "framework" else "data.csv"
    content = cp1258_with_0x81(cp1258)
    if kind == "framework":  # a framework's YAML reports the line and the character
        content = cp1258("framework:\n  code: CCHC\n  name_vi: Chỉ số\n") + b"  name_en: \x81\n"
    (problem,) = _refused(kind, name, content)
    assert "0x81" in problem.message and "Windows-1258" in problem.message
    assert (problem.row, problem.column) == ((4, "12") if kind == "framework" else (3, "name_vi"))


@pytest.mark.django_db
@pytest.mark.parametrize("kind", TEXT_IMPORTERS)
def test_a_nul_byte_is_reported_by_row_and_column(kind):
    name = "data.yaml" if kind == "framework" else "data.csv"
    content = b"framework:\n  code: CC\x00HC\n" if kind == "framework" else nul_byte()
    (problem,) = _refused(kind, name, content)
    assert "NUL" in problem.message
    assert (problem.row, problem.column) == ((2, "11") if kind == "framework" else (2, "name_vi"))


@pytest.mark.parametrize("kind", ["xlsform", "frame"])
def test_a_nul_character_in_a_workbook_is_a_damaged_sheet(kind):
    (problem,) = _refused(kind, "form.xlsx", _xlsx_with_nul())
    assert problem.sheet == "survey" and "Tệp bị hỏng" in problem.message


@pytest.mark.django_db
def test_an_xlsform_whose_sheets_claim_every_cell_reads_what_it_holds():
    workbook = Workbook()
    survey = workbook.active
    survey.title = "survey"
    survey.append(["type", "name", "label"])
    survey.append(["text", "ho_ten", "Họ và tên"])
    settings_sheet = workbook.create_sheet("settings")
    settings_sheet.append(["form_title", "form_id", "version"])
    settings_sheet.append(["Phiếu", "phieu", "1"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename.startswith("xl/worksheets/sheet"):
                data = re.sub(rb'<dimension ref="[^"]+"/>', b'<dimension ref="A1:XFD1048576"/>', data)
                data = data.replace(b"</sheetData>", b'<row r="1048576"/></sheetData>')
            target.writestr(info.filename, data)
    result = IMPORTERS["xlsform"]("phieu.xlsx", out.getvalue())
    assert result.parsed.form_id == "phieu"


@pytest.mark.django_db
@pytest.mark.skipif(not UCL_BIOMASS.exists(), reason="pyxform's real workbooks are not beside the checkout")
def test_pyxforms_biomass_workbook_is_read_without_reading_every_claimed_cell():
    try:
        parsed = xlsform_parse(UCL_BIOMASS.name, UCL_BIOMASS.read_bytes())
    except ImportFailed as failure:  # chiso may refuse what it cannot run, but as a list of problems
        assert all(p.file == UCL_BIOMASS.name for p in failure.problems)
    else:
        assert parsed.survey["children"]


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["xlsform", "units", "framework"])
def test_a_truncated_workbook_is_damaged(kind):
    workbook = Workbook()
    workbook.active.append(["code", "name_vi", "block"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    content = buffer.getvalue()
    (problem,) = _refused(kind, "cut.xlsx", content[: len(content) // 2])
    assert "Tệp bị hỏng hoặc không phải là sổ tính Excel" in problem.message
    assert "xls," not in problem.message.lower().replace(" ", "")  # not pyxform's list of file types


@pytest.mark.django_db
def test_an_old_xls_is_refused_alike_by_every_table_importer():
    for kind in TEXT_IMPORTERS:
        if kind == "framework":
            continue
        (problem,) = _refused(kind, "old.xls", b"\xd0\xcf\x11\xe0" + b"\x00" * 600)
        assert ".xls" in problem.message and problem.row is None, kind


@pytest.mark.django_db
def test_a_yaml_framework_with_aliases_is_refused():
    content = b"framework: &a {code: X}\nversion: *a\niMeta: []\n"
    (problem,) = _refused("framework", "f.yaml", content)
    assert problem.row == 2 and "&" in problem.message


# --- the pages: a clear 400 with the message, before the file is read --------------------------

@pytest.fixture
def clerk_client(client, make_user):
    client.force_login(make_user("thuky", Role.SECRETARIAT))
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("url, field, extra, name", [
    ("units:import", "files", {}, "big.csv"),
    ("surveys:frame_upload", "file", {"name": "Khung", "kind": "business", "duplicates": "merge"}, "big.csv"),
    ("surveys:questionnaire_upload", "file", {}, "big.xlsx"),
])
def test_the_pages_answer_400_with_the_limit(clerk_client, settings, url, field, extra, name):
    settings.CHISO_UPLOAD_MAX_BYTES = {"units": 1000, "frame": 1000, "xlsform": 1000}
    upload = SimpleUploadedFile(name, b"code,name_vi,block\n" + b"A,B,department\n" * 200)
    response = clerk_client.post(reverse(url), {field: upload, **extra})
    assert response.status_code == 400
    text = response.content.decode()
    assert "CHISO_UPLOAD_MAX_BYTES_" in text and name in text


@pytest.mark.django_db
def test_the_unit_page_reports_0x81_by_row_and_column(clerk_client, cp1258):
    response = clerk_client.post(reverse("units:import"), {"files": SimpleUploadedFile("donvi.csv", cp1258_with_0x81(cp1258))})
    assert response.status_code == 400
    text = response.content.decode()
    assert "0x81" in text and "dòng 3" in text and "name_vi" in text
