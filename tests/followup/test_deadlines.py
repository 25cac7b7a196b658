"""Deadlines as offices write them: dates, quarters in Roman or Arabic numerals, "hằng quý"."""

import datetime

import pytest
from django.utils import translation

from chiso.followup import deadlines
from chiso.followup.deadlines import Deadline, deadline_label, deadline_parse, quarterly_due_after_report

D = datetime.date
NOTICE_DAY = D(2023, 3, 13)


@pytest.mark.parametrize("text, expected", [
    ("31/03/2023", Deadline("date", D(2023, 3, 31))),
    ("2023-04-30", Deadline("date", D(2023, 4, 30))),
    ("Quý I/2023", Deadline("quarter", D(2023, 3, 31))),
    ("quý II năm 2023", Deadline("quarter", D(2023, 6, 30))),
    ("Q3/2023", Deadline("quarter", D(2023, 9, 30))),
    ("QUÝ IV/2023", Deadline("quarter", D(2023, 12, 31))),
    ("Quy 4 - 2023", Deadline("quarter", D(2023, 12, 31))),
    ("Hằng quý", Deadline("quarterly", D(2023, 3, 31))),
    ("hàng quý", Deadline("quarterly", D(2023, 3, 31))),
    ("quarterly", Deadline("quarterly", D(2023, 3, 31))),
])
def test_deadlines_are_read_as_offices_write_them(text, expected):
    assert deadline_parse(text, start=NOTICE_DAY) == expected


def test_a_date_object_from_a_spreadsheet_is_a_date():
    assert deadline_parse(datetime.datetime(2023, 5, 1), start=NOTICE_DAY) == Deadline("date", D(2023, 5, 1))


@pytest.mark.parametrize("text", ["sớm", "Quý V/2023", "31/02/2023", "Q1", ""])
def test_anything_else_is_refused_with_the_accepted_forms(text):
    with translation.override("vi"), pytest.raises(ValueError) as error:
        deadline_parse(text, start=NOTICE_DAY)
    assert "Quý I/2023" in str(error.value) or "Thiếu thời hạn" in str(error.value)


def test_quarter_ends():
    assert [deadlines.quarter_end(2024, q) for q in (1, 2, 3, 4)] == [D(2024, 3, 31), D(2024, 6, 30), D(2024, 9, 30), D(2024, 12, 31)]
    assert deadlines.quarter_end_of(D(2024, 2, 29)) == D(2024, 3, 31)


@pytest.mark.parametrize("due, reported, expected", [
    (D(2023, 3, 31), D(2023, 3, 25), D(2023, 6, 30)),  # reported in the quarter due: the next one is due
    (D(2023, 3, 31), D(2023, 4, 10), D(2023, 6, 30)),  # late, still settles the quarter that was due
    (D(2023, 6, 30), D(2023, 3, 30), D(2023, 6, 30)),  # before the quarter due started: settles nothing more
    (D(2023, 12, 31), D(2023, 12, 20), D(2024, 3, 31)),
])
def test_a_quarterly_report_settles_the_quarter_due(due, reported, expected):
    assert quarterly_due_after_report(due, reported) == expected


def test_labels_in_vietnamese():
    with translation.override("vi"):
        assert deadline_label("quarter", D(2023, 3, 31)) == "Quý I/2023"
        assert deadline_label("quarterly", D(2023, 3, 31)) == "Hằng quý"
        assert deadline_label("date", D(2023, 4, 30)) == "30/04/2023"
