"""Import of KoboToolbox and ODK Central exports of the same XLSForm: all or nothing, with a report."""

import io

import pytest
from openpyxl import Workbook

from chiso.core.tabular import ImportFailed
from chiso.surveys.collection.importing import responses_import
from chiso.surveys.models import Response
from chiso.surveys.services import responses_flush

RATING = ["ma_don_vi", "ten_don_vi", "minh_bach", "nang_dong", "canh_tranh", "so_lan_di_lai", "chi_phi_khong_chinh_thuc", "ty_le_chi_phi", "diem_chung"]


def kobo_export(rows, ratings) -> bytes:
    """KoboToolbox's XLSX export with XML values and headers: a main sheet and a sheet per repeat."""
    book = Workbook()
    main = book.active
    main.title = "Khảo sát DDCI 2025 – Sở, ban"
    main.append([
        "start", "end", "doanh_nghiep/loai_hinh", "doanh_nghiep/nganh_nghe", "doanh_nghiep/so_lao_dong", "doanh_nghiep/nam_thanh_lap",
        "lien_he/don_vi_lien_he", "lien_he/don_vi_lien_he/S-TC", "lien_he/don_vi_lien_he/S-XD", "lien_he/hinh_thuc_lien_he", "danh_gia_count",
        "y_kien_chung/gop_y", "_id", "_uuid", "_submission_time", "_validation_status", "_index",
    ])
    for index, row in enumerate(rows, start=1):
        main.append([
            "2025-03-01T08:00:00+07:00", "2025-03-01T08:20:00+07:00", row["loai_hinh"], "du_lich", row.get("so_lao_dong", 10), 2015,
            row["units"], int("S-TC" in row["units"]), int("S-XD" in row["units"]), "truc_tiep", len(row["units"].split()),
            row.get("gop_y", ""), 1000 + index, f"uuid-{index}", "2025-03-02T09:15:00", "", index,
        ])
    sheet = book.create_sheet("danh_gia")
    sheet.append([f"danh_gia/{name}" for name in RATING] + ["_index", "_parent_table_name", "_parent_index", "_submission__uuid"])
    for number, (parent, values) in enumerate(ratings, start=1):
        sheet.append([values.get(name, "") for name in RATING] + [number, main.title, parent, f"uuid-{parent}"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def rating(code, **more):
    values = {"ma_don_vi": code, "minh_bach": 4, "nang_dong": 3, "canh_tranh": 5, "so_lan_di_lai": 2, "chi_phi_khong_chinh_thuc": "khong", "diem_chung": 8}
    values.update(more)
    return values


@pytest.mark.django_db
def test_a_kobo_export_imports_once(ddci_survey):
    content = kobo_export(
        [{"loai_hinh": "tnhh", "units": "S-TC S-XD", "gop_y": "Tốt"}, {"loai_hinh": "htx", "units": "S-TC"}],
        [(1, rating("S-TC")), (1, rating("S-XD", chi_phi_khong_chinh_thuc="co", ty_le_chi_phi=1.5)), (2, rating("S-TC", diem_chung=3))],
    )
    result = responses_import(survey=ddci_survey, files=[("kobo.xlsx", content)], by=None)
    assert (result.created, result.already_imported, result.held) == (2, 0, 2)  # fewer than k: they wait for a batch
    assert Response.objects.count() == 0
    again = responses_import(survey=ddci_survey, files=[("kobo.xlsx", content)], by=None)
    assert (again.created, again.already_imported) == (0, 2)
    responses_flush(survey=ddci_survey, force=True)
    responses = sorted(Response.objects.all(), key=lambda r: len(r.rated_units))
    assert [r.rated_units for r in responses] == [["S-TC"], ["S-TC", "S-XD"]]
    assert responses[1].answers["danh_gia"][1]["ty_le_chi_phi"] == 1.5 and responses[1].answers["gop_y"] == "Tốt"
    assert {r.channel for r in responses} == {"import"} and {str(r.submitted_on) for r in responses} == {"2025-03-02"}
    assert "start" not in responses[0].answers  # device metadata is never stored
    again = responses_import(survey=ddci_survey, files=[("kobo.xlsx", content)], by=None)
    assert (again.created, again.already_imported) == (0, 2) and Response.objects.count() == 2


@pytest.mark.django_db
def test_odk_central_csv_files_with_a_repeat(ddci_survey):
    main = (
        "SubmissionDate,doanh_nghiep-loai_hinh,doanh_nghiep-nganh_nghe,doanh_nghiep-so_lao_dong,doanh_nghiep-nam_thanh_lap,"
        "lien_he-don_vi_lien_he,lien_he-hinh_thuc_lien_he,danh_gia_count,meta-instanceID,KEY,SubmitterID,ReviewState\n"
        "2025-04-01T10:00:00.000Z,co_phan,thuong_mai,40,2008,S-TP,truc_tuyen,1,uuid:aa,uuid:aa,5,\n"
    )
    repeat = (
        "ma_don_vi,ten_don_vi,minh_bach,nang_dong,canh_tranh,so_lan_di_lai,chi_phi_khong_chinh_thuc,ty_le_chi_phi,diem_chung,PARENT_KEY,KEY\n"
        "S-TP,Sở Tư pháp,2,2,3,4,khong,,5,uuid:aa,uuid:aa/danh_gia[1]\n"
    )
    result = responses_import(survey=ddci_survey, files=[("ddci_so_nganh.csv", main.encode()), ("ddci_so_nganh-danh_gia.csv", repeat.encode())], by=None)
    assert result.created == 1
    responses_flush(survey=ddci_survey, force=True)
    response = Response.objects.get()
    assert response.rated_units == ["S-TP"] and response.answers["danh_gia"][0]["diem_chung"] == 5
    assert str(response.submitted_on) == "2025-04-01"


@pytest.mark.django_db
def test_rejected_rows_are_reported_with_file_sheet_row_and_column_and_nothing_is_stored(ddci_survey):
    content = kobo_export(
        [{"loai_hinh": "tnhh", "units": "S-TC"}, {"loai_hinh": "xyz", "units": "S-TC", "so_lao_dong": 500000}, {"loai_hinh": "htx", "units": "S-XD"}],
        [(1, rating("S-TC")), (2, rating("S-TC")), (3, rating("S-TP", diem_chung=""))],
    )
    with pytest.raises(ImportFailed) as failure:
        responses_import(survey=ddci_survey, files=[("kobo.xlsx", content)], by=None)
    found = {}
    for p in failure.value.problems:
        found.setdefault((p.sheet, p.row, p.column), []).append(p.message)
    assert found[("Khảo sát DDCI 2025 – Sở, ban", 3, "doanh_nghiep/loai_hinh")] == ["xyz không nằm trong các lựa chọn."]
    assert found[("Khảo sát DDCI 2025 – Sở, ban", 3, "doanh_nghiep/so_lao_dong")] == ["Số lao động phải từ 0 đến 100.000."]
    assert any("S-TP" in m for m in found[("danh_gia", 4, "danh_gia/ma_don_vi")])  # a unit that was not selected
    assert ("Khảo sát DDCI 2025 – Sở, ban", 2, "doanh_nghiep/loai_hinh") not in found  # the good row is not blamed
    assert all("kobo.xlsx" in str(p) for p in failure.value.problems)
    assert Response.objects.count() == 0


@pytest.mark.django_db
def test_an_export_of_another_form_is_refused(ddci_survey):
    with pytest.raises(ImportFailed) as failure:
        responses_import(survey=ddci_survey, files=[("other.csv", "x,y\n1,2\n".encode())], by=None)
    assert "XML" in str(failure.value.problems[0]) or "câu hỏi" in str(failure.value.problems[0])
