"""National results as VCCI and UNDP publish them: VCCI's summary sheet of sorted (province, score) pairs,
UNDP's PAPI workbook with two header rows, Vietnamese headers, provinces as printed, junk rows; and a
province over the years through the 2025 merger.

The workbooks are built here from the published values in src/chiso/indices/data/national/ (SOURCE.md
there): the layout is VCCI's and UNDP's, the numbers are theirs."""

import csv
import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from chiso.accounts.models import Role
from chiso.audit.queries import history
from chiso.core.tabular import ImportFailed
from chiso.indices.models import ExternalResult
from chiso.indices.national import national_results_import, province_name, province_results

NATIONAL = Path(__file__).resolve().parents[2] / "src" / "chiso" / "indices" / "data" / "national"
PCI_LABELS = {  # the Vietnamese headers of VCCI's summary sheet
    "entry_costs": "Chi phí gia nhập thị trường", "land_access": "Tiếp cận đất đai", "transparency": "Tính minh bạch",
    "time_costs": "Chi phí thời gian", "informal_charges": "Chi phí không chính thức",
    "policy_bias": "Cạnh tranh bình đẳng", "proactivity": "Tính năng động", "business_support": "Dịch vụ hỗ trợ doanh nghiệp",
    "labor_training": "Đào tạo lao động", "legal_institutions": "Thiết chế pháp lý",
}
AS_PRINTED = {"Hồ Chí Minh": "TP. Hồ Chí Minh", "Đắk Lắk": "Đăk Lăk", "Hòa Bình": "Hoà Bình", "Huế": "TT-Huế",
              "Cần Thơ": "TP Cần Thơ", "Bà Rịa - Vũng Tàu": "BRVT"}


def published(name: str) -> list[dict]:
    with (NATIONAL / name).open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def workbook_bytes(workbook: Workbook) -> bytes:
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def vcci_summary_workbook(rows: list[dict]) -> bytes:
    """VCCI's Summary_VN layout: titles, then one (Tỉnh, score) pair per measure, each sorted by its score."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Summary_VN"
    sheet.append(["CHỈ SỐ NĂNG LỰC CẠNH TRANH CẤP TỈNH 2016"])
    sheet.append([])
    measures = [("pci", "Điểm PCI 2016")] + list(PCI_LABELS.items())
    header = []
    for _code, label in measures:
        header += ["Tỉnh, thành phố", label]
    sheet.append(header)
    columns = []
    for code, _label in measures:
        ordered = sorted(rows, key=lambda r: -float(r[code]))
        columns.append([(AS_PRINTED.get(province_name(r["province"]), r["province"]), float(r[code])) for r in ordered])
    for i in range(len(rows)):
        sheet.append([cell for column in columns for cell in column[i]])
    sheet.append(["Điểm cao nhất", max(float(r["pci"]) for r in rows)])
    sheet.append(["", 55.0])  # a stray number under the table, no province
    return workbook_bytes(workbook)


@pytest.mark.django_db
def test_vcci_summary_sheet_of_sorted_pairs_is_read_as_it_is():
    rows = published("pci_2016_vcci_workbook.csv")
    summary = national_results_import(file_name="PCI_2016.xlsx", content=vcci_summary_workbook(rows), by=None)
    assert summary.count == 63 and summary.years == {"PCI": {2016}}  # the year is read from the header
    assert len(summary.notes) == 2 and "Điểm cao nhất" in str(summary.notes[0])
    by_province = {province_name(r["province"]): r for r in rows}
    cao_bang = ExternalResult.objects.get(index_code="PCI", year=2016, province="Cao Bằng")
    assert cao_bang.score == pytest.approx(float(by_province["Cao Bằng"]["pci"]))
    assert cao_bang.rank == int(by_province["Cao Bằng"]["pci_rank"])  # ranked from the sorted composite
    assert cao_bang.components["labor_training"] == pytest.approx(float(by_province["Cao Bằng"]["labor_training"]))
    assert set(cao_bang.components) == set(PCI_LABELS)
    hcm = ExternalResult.objects.get(index_code="PCI", year=2016, province="Hồ Chí Minh")  # printed "TP. Hồ Chí Minh"
    assert hcm.components["transparency"] == pytest.approx(float(by_province["Hồ Chí Minh"]["transparency"]))
    assert history(cao_bang).get().event == "national_result.imported"


def papi_workbook(rows: list[dict]) -> bytes:
    """UNDP's PAPI workbook: a row of variable names (tinhid, tentinh_vie, …) and a row of labels above the data."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "2016"
    dims = [h for h in rows[0] if h.startswith("D_")]
    sheet.append(["tinhid", "tentinh_vie", "tentinh_eng", *[d.lower() for d in dims], "papi_unweighted"])
    sheet.append(["Mã tỉnh", "Tên tỉnh", "Province", *[d[2:].replace("_", " ").title() for d in dims], "Tổng điểm"])
    for r in rows:
        sheet.append([int(r["tinhid"]), r["province_vi"], r["province_en"], *[float(r[d]) for d in dims],
                      float(r["papi_unweighted_total"])])
    return workbook_bytes(workbook)


@pytest.mark.django_db
def test_papi_workbook_with_two_header_rows():
    rows = published("papi_2016_dataset.csv")
    summary = national_results_import(file_name="PAPI_2011-2016.xlsx", content=papi_workbook(rows), by=None)
    assert summary.count == 63 and summary.years == {"PAPI": {2016}}  # the year is the sheet's name
    cao_bang = ExternalResult.objects.get(index_code="PAPI", year=2016, province="Cao Bằng")
    source = next(r for r in rows if r["province_vi"] == "Cao Bằng")
    assert cao_bang.score == pytest.approx(float(source["papi_unweighted_total"]))
    assert len(cao_bang.components) == 6 and 1 <= cao_bang.rank <= 63


@pytest.mark.django_db
def test_vietnamese_headers_decimal_commas_and_refused_names():
    table = "Tỉnh;Điểm số;Xếp hạng\nTỉnh Cao Bằng;56,29;63\nThành phố Hà Nội;68,80;9\n;;\nTrung vị;62,1;\n"
    summary = national_results_import(file_name="pci.csv", content=table.encode(), index_code="PCI", year=2021, by=None)
    assert summary.count == 2 and len(summary.notes) == 1
    assert ExternalResult.objects.get(province="Hà Nội").score == pytest.approx(68.8)
    with pytest.raises(ImportFailed) as failure:
        national_results_import(file_name="pci.csv", content="Tỉnh,Điểm\nCao Bangg,56\n".encode(), index_code="PCI",
                                year=2022, by=None)
    assert "Cao Bằng" in str(failure.value.problems[0])  # the nearest province is suggested
    assert not ExternalResult.objects.filter(year=2022).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("content, words", [
    ("province_vi,papi\nCao Bằng,40\n", "năm"),  # no year anywhere
    ("tinh,pci_rank\nCao Bằng,4\n", "cột nào là điểm"),
    ("a,b\n1,2\n", "cột tỉnh"),
    ("tentinh_eng,D_x\nCao Bang,4\n", "cột tỉnh"),  # a PAPI table without province_vi
])
def test_layouts_that_cannot_be_read_say_why_without_a_traceback(content, words):
    with pytest.raises(ImportFailed) as failure:
        national_results_import(file_name="bang.csv", content=content.encode(), by=None)
    assert words in " ".join(str(p) for p in failure.value.problems).lower()


def test_province_names_with_and_without_diacritics_and_prefixes():
    for written, name in [("TP. Hồ Chí Minh", "Hồ Chí Minh"), ("TP.HCM", "Hồ Chí Minh"), ("Dak Lak", "Đắk Lắk"),
                          ("Đăk Lăk", "Đắk Lắk"), ("Hoà Bình", "Hòa Bình"), ("Thừa Thiên Huế", "Huế"),
                          ("tỉnh  cao bằng", "Cao Bằng"), ("Ba Ria - Vung Tau", "Bà Rịa - Vũng Tàu")]:
        assert province_name(written) == name, written
    assert province_name("Điểm cao nhất") is None


@pytest.mark.django_db
def test_a_province_follows_the_2025_merger():
    for year, province, score, rank in [(2023, "Hà Giang", 60.0, 50), (2023, "Tuyên Quang", 64.0, 30),
                                        (2025, "Tuyên Quang", 66.0, 12), (2023, "Cao Bằng", 58.0, 60)]:
        ExternalResult.objects.create(index_code="PCI", year=year, province=province, score=score, rank=rank)
    merged = province_results("PCI", "Tuyên Quang")
    assert [(y.year, y.score, y.rank, sorted(y.provinces)) for y in merged] == [
        (2023, 62.0, None, ["Hà Giang", "Tuyên Quang"]), (2025, 66.0, 12, ["Tuyên Quang"])]
    assert [(y.year, y.provinces) for y in province_results("PCI", "Hà Giang")] == [(2023, ["Hà Giang"]), (2025, ["Tuyên Quang"])]
    assert [(y.year, y.rank) for y in province_results("PCI", "tỉnh Cao Bằng")] == [(2023, 60)]


@pytest.mark.django_db
def test_the_import_page_reads_the_vcci_workbook_and_shows_a_province_over_the_years(client, make_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(make_user("thuky", Role.SECRETARIAT))
    upload = SimpleUploadedFile("PCI_2016.xlsx", vcci_summary_workbook(published("pci_2016_vcci_workbook.csv")))
    response = client.post("/runs/national/?index=PCI", {"file": upload, "index_code": "", "year": ""})
    html = response.content.decode()
    assert response.status_code == 200 and 'data-count="added">Thêm mới: <strong>63<' in html  # the preview first
    token = html.split('name="token" value="')[1].split('"')[0]
    assert client.post("/runs/national/confirm/", {"token": token}).status_code == 302
    page = client.get("/runs/national/?index=PCI&province=cao+bang").content.decode()
    assert 'id="province-years"' in page and "Cao Bằng" in page
    client.force_login(make_user("lanhdao", Role.LEADER))
    upload = SimpleUploadedFile("PCI_2016.xlsx", b"x")
    assert client.post("/runs/national/", {"file": upload}).status_code == 403


@pytest.mark.django_db
def test_the_year_list_names_years_as_years_and_choosing_one_shows_it(client, make_user):
    """A year was written as a number (2.016): shown so, and sent so, which the page could not read."""
    for year, score in [(2016, 58.0), (2023, 64.0)]:
        ExternalResult.objects.create(index_code="PCI", year=year, province="Cao Bằng", score=score, rank=10)
    client.force_login(make_user("phantich", Role.ANALYST))
    page = client.get("/runs/national/?index=PCI").content.decode()
    assert '<option value="2016">2016</option>' in page and "2.016" not in page
    chosen = client.get("/runs/national/?index=PCI&year=2016").content.decode()
    assert '<option value="2016" selected>2016</option>' in chosen
