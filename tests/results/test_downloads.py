"""CSV downloads for Excel: a BOM, the Vietnamese variant's separators, values rounded as shown."""

import csv
import io

from chiso.results.downloads import EXCEL_VN, SHOWN_DECIMALS, STANDARD, csv_number, csv_response


def test_numbers_are_rounded_as_shown_unless_every_digit_is_asked_for():
    assert SHOWN_DECIMALS == 2
    assert csv_number(61.23456) == "61.23" and csv_number(61.23456, variant=EXCEL_VN) == "61,23"
    assert csv_number(61.23456, full_precision=True) == "61.23456"
    assert csv_number(61.23456, variant=EXCEL_VN, full_precision=True) == "61,23456"
    assert csv_number(7) == "7" and csv_number(None) == "" and csv_number(float("nan")) == ""
    assert csv_number(-0.001) == "0.00"  # never "-0.00"


def test_the_vietnamese_variant_splits_on_semicolons_and_keeps_commas_inside_cells():
    response = csv_response(["unit_name", "value", "rank"], [["Sở Tài chính, Kế hoạch", 61.23456, 1], ["=1+1", None, None]],
                            "kq.csv", variant=EXCEL_VN, numbers=(1, 2))
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff") and response["Content-Disposition"] == 'attachment; filename="kq-excel-vn.csv"'
    rows = list(csv.reader(io.StringIO(body.removeprefix("\ufeff")), delimiter=";"))
    assert rows == [["unit_name", "value", "rank"], ["Sở Tài chính, Kế hoạch", "61,23", "1"], ["'=1+1", "", ""]]


def test_the_standard_variant_is_comma_separated_with_a_bom():
    response = csv_response(["a", "b"], [["x", 1.5]], "kq.csv", variant=STANDARD, numbers=(1,))
    assert response.content.decode("utf-8") == "\ufeffa,b\r\nx,1.50\r\n"
    assert response["Content-Disposition"] == 'attachment; filename="kq.csv"'
