"""Pages: units below target highlighted, trends, who sees what, the import page, the formats."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

import chiso.frameworks
from chiso.accounts.models import Role
from chiso.audit.models import AuditRecord
from chiso.frameworks.services import framework_import
from chiso.jobs.models import Job
from chiso.services_stats.importing import service_stats_import
from chiso.services_stats.models import ServiceStat, SourceFormat

from .conftest import csv_bytes


def login(user):
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    return client


@pytest.fixture
def imported(defaults, units, period, good_csv):
    return service_stats_import(period=period, source_format=defaults, file_name="mot-cua.csv", content=good_csv, by=None)


def test_the_overview_highlights_units_below_target(imported, staff):
    html = login(staff["leader"]).get("/service-stats/").content.decode()
    assert "Thống kê hồ sơ thủ tục hành chính" in html and "2 đơn vị chưa đạt chỉ tiêu." in html
    tc = html[html.index('data-unit="S-TC"'):]
    tc = tc[:tc.index("</tr>")]
    assert 'class="num below" data-measure="on_time_rate">97,8<' in tc  # 97,78 % is not above 98 %
    assert 'data-measure="online_rate">60,0<' in tc
    assert "&gt; 98" in html  # the target is shown


def test_a_unit_page_shows_its_trend_and_where_rates_are_used(imported, staff, units, qd766):
    par = Path(chiso.frameworks.__file__).parent / "data" / "par_departments.yaml"
    framework_import(file_name=par.name, content=par.read_bytes(), by=None)
    html = login(staff["officer"]).get(f"/service-stats/unit/{units['tc'].code}/").content.decode()
    assert 'id="unit-trend"' in html and "97,8" in html and "QD766 G2.1" in html and "PAR-SO F3.3.2" in html
    # the mappings are the frameworks' data: a rate no framework takes is named as not written
    unmapped = html[html.index('id="rates-unmapped"'):]
    unmapped = unmapped[:unmapped.index("</li>")]
    assert "không được ghi" in unmapped and "toàn trình" in unmapped and "đúng hạn" not in unmapped
    assert login(staff["officer"]).get(f"/service-stats/unit/{units['xd'].code}/").status_code == 403
    assert login(staff["officer"]).get("/service-stats/").status_code == 403


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _token(html: str) -> str:
    return html.split('name="token" value="')[1].split('"')[0]


def test_import_page_shows_problems_then_a_preview_then_imports(defaults, units, period, staff, media, good_csv):
    service_stats_import(period=period, source_format=defaults, file_name="dau.csv", content=good_csv, by=None)
    client = login(staff["secretariat"])
    bad = SimpleUploadedFile("loi.csv", csv_bytes([["S-KHONG"] + [1] * 13]))
    response = client.post("/service-stats/import/", {"period": period.pk, "source_format": defaults.pk, "file": bad})
    assert response.status_code == 400 and "Tệp loi.csv, dòng 2, cột Đơn vị" in response.content.decode()
    good = SimpleUploadedFile("tot.csv", csv_bytes([["S-TC", "1.000"] + [1] * 12]))
    response = client.post("/service-stats/import/", {"period": period.pk, "source_format": defaults.pk, "file": good})
    html = response.content.decode()
    assert 'data-count="changed">Thay đổi: <strong>1<' in html and 'data-count="unchanged">Không đổi: <strong>0<' in html
    assert 'data-count="removed"' not in html  # nothing is removed unless the whole period is replaced
    assert "Tiếp nhận trực tuyến toàn trình: 40 → 1.000" in html
    assert ServiceStat.objects.get(unit=units["tc"]).received_online_full == 40  # nothing written yet
    token = _token(html)
    assert login(staff["leader"]).post("/service-stats/import/confirm/", {"token": token}).status_code == 403
    response = client.post("/service-stats/import/confirm/", {"token": token}, follow=True)
    text = response.content.decode()
    assert "Đã nhập số liệu của 1 đơn vị cho Năm 2023." in text and "tot.csv" in text  # the history
    assert ServiceStat.objects.get(unit=units["tc"]).received_online_full == 1000
    assert ServiceStat.objects.get(unit=units["xd"]).received_in_person == 150  # not in the file: kept
    again = client.post("/service-stats/import/confirm/", {"token": token}, follow=True).content.decode()
    assert "Bản xem trước này đã hết hạn hoặc đã được nhập" in again  # a confirmation counts once
    assert login(staff["leader"]).get("/service-stats/import/").status_code == 403


def test_a_preview_is_its_owners_and_stale_previews_are_refused(defaults, units, period, staff, make_user, media, good_csv):
    client = login(staff["secretariat"])
    upload = SimpleUploadedFile("a.csv", good_csv)
    token = _token(client.post("/service-stats/import/", {"period": period.pk, "source_format": defaults.pk, "file": upload,
                                                          "replace_period": "on"}).content.decode())
    other = login(make_user("thuky2", Role.SECRETARIAT))
    refused = other.post("/service-stats/import/confirm/", {"token": token}, follow=True).content.decode()
    assert "đã hết hạn" in refused and not ServiceStat.objects.exists()
    service_stats_import(period=period, source_format=defaults, file_name="b.csv", content=csv_bytes([["S-TC"] + [1] * 13]), by=None)
    stale = client.post("/service-stats/import/confirm/", {"token": token}, follow=True).content.decode()
    assert "Dữ liệu đã thay đổi kể từ khi xem trước" in stale
    assert ServiceStat.objects.get(unit=units["tc"]).received_online_full == 1


def test_a_large_import_runs_as_a_background_job(defaults, units, period, staff, media, good_csv, settings,
                                                 django_capture_on_commit_callbacks):
    settings.CHISO_IMPORT_BACKGROUND_BYTES = 1
    client = login(staff["secretariat"])
    token = _token(client.post("/service-stats/import/", {"period": period.pk, "source_format": defaults.pk,
                                                          "file": SimpleUploadedFile("a.csv", good_csv)}).content.decode())
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/service-stats/import/confirm/", {"token": token})
    job = Job.objects.get(kind="service_stats_import")
    assert response.status_code == 302 and response.url == f"/jobs/{job.pk}/"
    assert job.status == Job.Status.DONE and job.result["url"] == "/service-stats/imports/" and job.percent == 100
    assert "Thêm mới: 2" in job.result["message"]  # in the language of the person who confirmed it
    assert not list((media / "pending_imports").iterdir())  # the preview's copy is gone once confirmed
    assert ServiceStat.objects.count() == 2


def test_formats_are_edited_by_the_secretariat(defaults, staff):
    client = login(staff["secretariat"])
    page = client.get("/service-stats/formats/chuan/").content.decode()
    assert "Tiếp nhận trực tuyến toàn trình" in page
    data = {"code": "igate", "name": "iGate", "sheet": "", "col_unit": "Mã ĐV"}
    data.update({f"col_{name}": header for name, header in defaults.mapping.items() if name != "unit"})
    client.post("/service-stats/formats/new/", data)
    assert SourceFormat.objects.get(code="igate").mapping["unit"] == "Mã ĐV"


def test_one_units_figures_typed_the_vietnamese_way(defaults, units, period, staff, good_csv):
    service_stats_import(period=period, source_format=defaults, file_name="dau.csv", content=good_csv, by=None)
    client = login(staff["secretariat"])
    page = client.get(f"/service-stats/entry/?unit=S-XD&period={period.pk}").content.decode()
    assert 'value="150"' in page  # the unit's current figures, to correct
    data = {"period": period.pk, "unit": units["h"].pk, "received_online_full": "1.000", "received_online_partial": "0",
            "received_in_person": "1.000.000", "received_post": "0", "processed_early": "0", "processed_on_time": "1.001.000",
            "processed_late": "0", "pending": "0", "digitised": "1.5", "results_electronic": "0", "paid_online": "0", "synced": "0"}
    refused = client.post("/service-stats/entry/", data)
    html = refused.content.decode()
    assert refused.status_code == 400 and "1.5 không phải là số nguyên" in html and "ví dụ 1.000" in html
    assert not ServiceStat.objects.filter(unit=units["h"]).exists()
    data["digitised"] = "2.000.000"
    too_many = client.post("/service-stats/entry/", data).content.decode()
    assert "2.000.000 lớn hơn 1.001.000 hồ sơ tiếp nhận trong cùng dòng." in too_many
    data["digitised"] = "1.000"
    response = client.post("/service-stats/entry/", data, follow=True)
    assert "Đã nhập số liệu của 1 đơn vị" in response.content.decode()
    stat = ServiceStat.objects.get(unit=units["h"])
    assert (stat.received_online_full, stat.received_in_person, stat.processed_on_time, stat.fee_bearing) == (1000, 1_000_000, 1_001_000, None)
    assert ServiceStat.objects.filter(period=period).count() == 3  # the others stay
    assert AuditRecord.objects.filter(event="service_stat.added", by=staff["secretariat"]).count() == 1
    page = client.get(f"/service-stats/entry/?unit=H-HQ&period={period.pk}").content.decode()
    assert 'value="1.000.000"' in page  # shown the Vietnamese way, never 1e6
    assert login(staff["leader"]).get("/service-stats/entry/").status_code == 403
