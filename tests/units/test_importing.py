import io

import pytest
from openpyxl import Workbook

from chiso.core.tabular import ImportFailed
from chiso.units.importing import units_import
from chiso.units.models import Unit, UnitSuccession

pytestmark = pytest.mark.usefixtures("blocks")

UNITS = """code,name_vi,name_en,block,parent_code,valid_from,valid_to
H-HOAAN,Huyện Hòa An,Hòa An District,district,,,30/06/2025
X-HOAAN,Xã Hòa An,Hòa An Commune,commune,,01/07/2025,
S-TC,Sở Tài chính,Department of Finance,department,,,
"""
LINEAGE = """predecessor_code,successor_code,date,kind,share
H-HOAAN,X-HOAAN,01/07/2025,merge,1
"""


def run(*files):
    return units_import(files=[(name, text.encode("utf-8") if isinstance(text, str) else text) for name, text in files], by=None)


def messages(failure):
    # Vietnamese is the first language of every message, so the tests read it.
    return [str(p) for p in failure.value.problems]


@pytest.mark.django_db
def test_import_creates_units_and_lineage_and_a_second_run_changes_nothing():
    summary = run(("units.csv", UNITS), ("lineage.csv", LINEAGE))
    assert (summary.units_created, summary.lineage_created) == (3, 1)
    commune = Unit.objects.get(code="X-HOAAN")
    assert commune.block.code == "commune" and str(commune.valid_from) == "2025-07-01"
    assert UnitSuccession.objects.get().predecessor.code == "H-HOAAN"
    again = run(("units.csv", UNITS), ("lineage.csv", LINEAGE))
    assert not again.changed
    assert (again.units_unchanged, again.lineage_unchanged) == (3, 1)
    assert Unit.objects.count() == 3


@pytest.mark.django_db
def test_import_updates_by_code():
    run(("units.csv", UNITS))
    summary = run(("units.csv", UNITS.replace("Sở Tài chính,", "Sở Tài chính tỉnh Cao Bằng,")))
    assert (summary.units_created, summary.units_updated, summary.units_unchanged) == (0, 1, 2)
    assert Unit.objects.get(code="S-TC").name_vi == "Sở Tài chính tỉnh Cao Bằng"


@pytest.mark.django_db
def test_vietnamese_headers_and_one_workbook_with_two_sheets():
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Mã", "Tên", "Khối", "Mã cấp trên"])
    sheet.append(["H-A", "Huyện A", "Huyện, thành phố", ""])
    sheet.append(["X-A1", "Xã A1", "district", "H-A"])
    lineage = workbook.create_sheet("Kế thừa")
    lineage.append(["Mã đơn vị trước", "Mã đơn vị sau", "Ngày", "Hình thức", "Tỷ lệ"])
    lineage.append(["X-A1", "H-A", "01/01/2020", "sáp nhập", "0,5"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    summary = run(("donvi.xlsx", buffer.getvalue()))
    assert summary.units_created == 2 and summary.lineage_created == 1
    assert Unit.objects.get(code="X-A1").parent.code == "H-A"
    assert str(UnitSuccession.objects.get().share) == "0.5000"


@pytest.mark.django_db
@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "cp1258"])
def test_excel_encodings_import_with_names_intact(encoding, cp1258):
    run(("units.csv", cp1258(UNITS) if encoding == "cp1258" else UNITS.encode(encoding)))
    assert Unit.objects.get(code="H-HOAAN").name_vi == "Huyện Hòa An"


@pytest.mark.django_db
def test_missing_and_misnamed_columns_are_named():
    with pytest.raises(ImportFailed) as failure:
        run(("units.csv", "code,nmae_vi,block\nA,B,department\n"))
    (message,) = messages(failure)
    assert "units.csv" in message and "name_vi" in message and "nmae_vi" in message
    assert Unit.objects.count() == 0


@pytest.mark.django_db
def test_every_problem_is_reported_with_row_and_column_and_nothing_is_written():
    bad = UNITS + "S-TC,Sở Tài chính lần hai,,department,,,\nX-B,Xã B,,commune,H-NONE,2025-13-01,\nX-C,Xã C,,nowhere,,,\n"
    with pytest.raises(ImportFailed) as failure:
        run(("units.csv", bad))
    text = messages(failure)
    assert any("dòng 5" in m and "S-TC" in m and "dòng 4" in m for m in text), text  # duplicate, first seen in row 4
    assert any("dòng 6" in m and "valid_from" in m and "2025-13-01" in m for m in text), text
    assert any("dòng 7" in m and "block" in m and "nowhere" in m for m in text), text
    assert any("dòng 6" in m and "parent_code" in m and "H-NONE" in m for m in text), text
    assert Unit.objects.count() == 0


@pytest.mark.django_db
def test_unknown_parent_and_cycles():
    with pytest.raises(ImportFailed) as failure:
        run(("units.csv", "code,name_vi,block,parent_code\nA,A,department,ZZZ\n"))
    assert "ZZZ" in messages(failure)[0] and "dòng 2" in messages(failure)[0]
    with pytest.raises(ImportFailed) as failure:
        run(("units.csv", "code,name_vi,block,parent_code\nA,A,department,B\nB,B,department,A\n"))
    assert len(messages(failure)) == 2 and all("quay vòng" in m for m in messages(failure))


@pytest.mark.django_db
def test_lineage_problems_name_the_lineage_file():
    with pytest.raises(ImportFailed) as failure:
        run(("units.csv", UNITS), ("lineage.csv", "predecessor_code,successor_code,date,share\nH-HOAAN,X-NONE,01/07/2025,1.5\n"))
    text = messages(failure)
    assert any("lineage.csv" in m and "share" in m for m in text), text
    assert any("lineage.csv" in m and "X-NONE" in m for m in text), text
    assert Unit.objects.count() == 0 and UnitSuccession.objects.count() == 0


@pytest.mark.django_db
def test_a_file_that_is_neither_list_says_which_columns_it_has():
    with pytest.raises(ImportFailed) as failure:
        run(("notes.csv", "ghi chú,ngày\nx,y\n"))
    assert "ghi chú" in messages(failure)[0]


@pytest.mark.django_db
def test_valid_to_before_valid_from():
    with pytest.raises(ImportFailed) as failure:
        run(("units.csv", "code,name_vi,block,valid_from,valid_to\nA,A,department,01/07/2025,30/06/2025\n"))
    assert "valid_to" in messages(failure)[0]
