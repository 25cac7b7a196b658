"""Import of a directive's tasks from a table: all or nothing, every problem located, closest names suggested."""

import datetime

import pytest
from django.utils import translation

from chiso.core.tabular import ImportFailed
from chiso.followup.importing import tasks_import
from chiso.followup.models import Task
from chiso.notices.models import Notice

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def vietnamese():
    with translation.override("vi"):
        yield


GOOD = [
    (1, "Hoàn thành Kế hoạch số 3387/KH-UBND", "Sở Nội vụ", "Sở Tài chính; Sở Văn hóa, Thể thao và Du lịch", "31/12/2023"),
    (2, "Cụ thể hóa Kế hoạch CCHC năm 2023 của đơn vị", "S-XD", "", "Quý I/2023"),
    (3, "Tăng cường tương tác với doanh nghiệp", "sở xây dựng", "So Tu phap\nSở Tài chính", "hằng quý"),
    (4, "Xây dựng kế hoạch DDCI năm 2023", "Sở Tư pháp", "", datetime.datetime(2023, 4, 30)),
]


def test_a_table_of_tasks_is_imported_and_assigned(notice, units, officers, tasks_workbook):
    assert tasks_import(directive=notice, file_name="nhiem-vu.xlsx", content=tasks_workbook(GOOD), by=None) == 4
    tasks = list(Task.objects.order_by("order"))
    assert [t.number for t in tasks] == ["1", "2", "3", "4"]
    assert {u.code for u in tasks[0].cooperating_units.all()} == {"S-TC", "S-VHTTDL"}  # a name with commas survives
    assert [t.deadline_kind for t in tasks] == ["date", "quarter", "quarterly", "date"]
    assert tasks[2].lead_unit.code == "S-XD" and tasks[3].deadline == datetime.date(2023, 4, 30)
    assert Notice.objects.filter(kind="task.assigned", user=officers["S-XD"]).count() == 2


def test_csv_from_excel_works_too(notice, units):
    content = "STT;Nhiệm vụ;Đơn vị chủ trì;Thời hạn\n1;Tuyên truyền CCHC;Sở Nội vụ;Q2/2023\n".encode("utf-8-sig")
    assert tasks_import(directive=notice, file_name="nhiem-vu.csv", content=content, by=None) == 1


def test_unknown_units_get_the_closest_names_and_nothing_is_saved(notice, units, tasks_workbook):
    rows = [
        (1, "Nhiệm vụ tốt", "Sở Nội vụ", "", "31/12/2023"),
        (2, "Nhiệm vụ có lỗi chính tả", "Sở Xây dựg", "", "31/12/2023"),
        (3, "Nhiệm vụ có đơn vị phối hợp lạ", "Sở Nội vụ", "Sở Tài chánh; Ban Không Tồn Tại Gì Cả", "31/12/2023"),
        (4, "Nhiệm vụ hạn sớm", "Sở Nội vụ", "", "01/01/2023"),
        (5, "Nhiệm vụ không có chủ trì", "", "", "31/12/2023"),
        (6, "Nhiệm vụ hạn lạ", "Sở Nội vụ", "", "sớm nhất có thể"),
    ]
    with pytest.raises(ImportFailed) as failure:
        tasks_import(directive=notice, file_name="nhiem-vu.xlsx", content=tasks_workbook(rows), by=None)
    problems = {(p.row, p.column): p for p in failure.value.problems}
    typo = problems[(3, "Đơn vị chủ trì")]
    assert typo.file == "nhiem-vu.xlsx" and typo.sheet == "Nhiệm vụ"
    assert "Sở Xây dựg" in typo.message and "Sở Xây dựng" in typo.message
    cooperating = [p.message for p in failure.value.problems if p.row == 4]
    assert any("Sở Tài chính" in m for m in cooperating) and any("Ban Không Tồn Tại Gì Cả" in m for m in cooperating)
    assert "13/03/2023" in problems[(5, "Thời hạn")].message
    assert "chủ trì" in problems[(6, "Đơn vị chủ trì")].message
    assert "Quý I/2023" in problems[(7, "Thời hạn")].message
    assert (2, "Đơn vị chủ trì") not in problems
    assert Task.objects.count() == 0 and Notice.objects.count() == 0


def test_a_table_without_the_needed_columns(notice, tasks_workbook):
    with pytest.raises(ImportFailed) as failure:
        tasks_import(directive=notice, file_name="sai.xlsx", content=tasks_workbook([(1, "x")], header=("STT", "Nội dung")), by=None)
    assert "Đơn vị chủ trì" in str(failure.value) and "Thời hạn" in str(failure.value)


def test_a_unit_that_did_not_exist_on_the_directives_date(notice, make_unit, tasks_workbook):
    make_unit("S-NNMT", name_vi="Sở Nông nghiệp và Môi trường", valid_from=datetime.date(2025, 3, 1))
    with pytest.raises(ImportFailed) as failure:
        tasks_import(directive=notice, file_name="t.xlsx", content=tasks_workbook([(1, "x", "Sở Nông nghiệp và Môi trường", "", "31/12/2023")]), by=None)
    assert "13/03/2023" in str(failure.value)
