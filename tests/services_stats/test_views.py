"""Pages: units below target highlighted, trends, who sees what, the import page, the formats."""

import pytest
from django.test import Client

from chiso.services_stats.importing import service_stats_import

from .conftest import csv_bytes


def login(user):
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    return client


@pytest.fixture
def imported(defaults, units, period, good_csv):
    return service_stats_import(period=period, source_format=defaults, file_name="mot-cua.csv", content=good_csv)


def test_the_overview_highlights_units_below_target(imported, staff):
    html = login(staff["leader"]).get("/service-stats/").content.decode()
    assert "Thống kê hồ sơ thủ tục hành chính" in html and "2 đơn vị chưa đạt chỉ tiêu." in html
    tc = html[html.index('data-unit="S-TC"'):]
    tc = tc[:tc.index("</tr>")]
    assert 'class="num below" data-measure="on_time_rate">97,8<' in tc  # 97,78 % is not above 98 %
    assert 'data-measure="online_rate">60,0<' in tc
    assert "&gt; 98" in html  # the target is shown


def test_a_unit_page_shows_its_trend_and_where_rates_are_used(imported, staff, units):
    html = login(staff["officer"]).get(f"/service-stats/unit/{units['tc'].code}/").content.decode()
    assert 'id="unit-trend"' in html and "97,8" in html and "QD766 G2.1" in html and "PAR-SO F3.3.2" in html
    assert login(staff["officer"]).get(f"/service-stats/unit/{units['xd'].code}/").status_code == 403
    assert login(staff["officer"]).get("/service-stats/").status_code == 403


def test_import_page_shows_problems_then_imports(defaults, units, period, staff):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = login(staff["secretariat"])
    bad = SimpleUploadedFile("loi.csv", csv_bytes([["S-KHONG"] + [1] * 13]))
    response = client.post("/service-stats/import/", {"period": period.pk, "source_format": defaults.pk, "file": bad})
    assert response.status_code == 400 and "Tệp loi.csv, dòng 2, cột Đơn vị" in response.content.decode()
    good = SimpleUploadedFile("tot.csv", csv_bytes([["S-TC"] + [1] * 13]))
    response = client.post("/service-stats/import/", {"period": period.pk, "source_format": defaults.pk, "file": good}, follow=True)
    assert "Đã nhập số liệu của 1 đơn vị cho Năm 2023." in response.content.decode()
    assert "tot.csv" in response.content.decode()  # the history
    assert login(staff["leader"]).get("/service-stats/import/").status_code == 403


def test_formats_are_edited_by_the_secretariat(defaults, staff):
    client = login(staff["secretariat"])
    page = client.get("/service-stats/formats/chuan/").content.decode()
    assert "Tiếp nhận trực tuyến toàn trình" in page
    data = {"code": "igate", "name": "iGate", "sheet": "", "col_unit": "Mã ĐV"}
    data.update({f"col_{name}": header for name, header in defaults.mapping.items() if name != "unit"})
    client.post("/service-stats/formats/new/", data)
    from chiso.services_stats.models import SourceFormat

    assert SourceFormat.objects.get(code="igate").mapping["unit"] == "Mã ĐV"
