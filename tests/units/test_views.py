"""The periods and unit pages of the secretariat: Vietnamese, dates as 13/03/2023, refused to others."""

import datetime

import pytest

from chiso.accounts.models import Role
from chiso.units.models import Period, Unit

D = datetime.date


@pytest.fixture
def secretary_client(client, make_user):
    client.force_login(make_user("thuky", Role.SECRETARIAT))
    return client


@pytest.mark.django_db
def test_the_secretariat_creates_edits_and_closes_a_period_on_its_page(secretary_client, blocks):
    page = secretary_client.get("/units/periods/")
    assert page.status_code == 200 and "Kỳ đánh giá" in page.content.decode()
    menu = secretary_client.get("/").content.decode()
    assert 'href="/units/periods/"' in menu
    response = secretary_client.post("/units/periods/new/", {
        "code": "2026", "year": "2026", "name_vi": "Năm 2026", "start_date": "01/01/2026", "end_date": "31/12/2026",
        "blocks": [blocks["commune"].pk],
    })
    assert response.status_code == 302
    period = Period.objects.get(code="2026")
    assert list(period.blocks.values_list("code", flat=True)) == ["commune"]
    listing = secretary_client.get("/units/periods/").content.decode()
    assert "01/01/2026" in listing and "31/12/2026" in listing
    bad = secretary_client.post("/units/periods/2026/", {"year": "2026", "name_vi": "Năm 2026",
                                                         "start_date": "31/12/2026", "end_date": "01/01/2026"})
    assert bad.status_code == 400 and "trước ngày bắt đầu" in bad.content.decode()
    secretary_client.post("/units/periods/2026/close/", {"action": "close", "reason": ""})
    period.refresh_from_db()
    assert period.is_closed
    page = secretary_client.get("/units/periods/2026/").content.decode()
    assert "Đã khóa ngày" in page
    assert "Tạo kỳ đánh giá" in page and "Khóa kỳ đánh giá" in page  # the history names events in words


@pytest.mark.django_db
def test_the_secretariat_edits_and_ends_a_unit(secretary_client, make_unit):
    district = make_unit("H-A", block="district")
    make_unit("X-A", block="commune", valid_from=D(2025, 7, 1))
    response = secretary_client.post("/units/H-A/edit/", {"name_vi": "Huyện A", "name_en": "", "official_code": "040",
                                                          "parent": "", "valid_from": "", "valid_to": ""})
    assert response.status_code == 302
    response = secretary_client.post("/units/H-A/end/", {"valid_to": "30/06/2025", "kind": "merge",
                                                         "successors": "X-A 1\n", "reason": "NQ 1657"})
    assert response.status_code == 302
    district.refresh_from_db()
    assert district.official_code == "040" and district.valid_to == D(2025, 6, 30)
    page = secretary_client.get("/units/H-A/").content.decode()
    assert "Nhật ký thay đổi" in page and "NQ 1657" in page and "30/06/2025" in page
    unknown = secretary_client.post("/units/H-A/end/", {"valid_to": "30/06/2025", "kind": "merge", "successors": "X-Z"})
    assert unknown.status_code == 400 and "X-Z" in unknown.content.decode()


@pytest.mark.django_db
def test_other_roles_are_refused(client, make_user, make_unit):
    make_unit("H-A", block="district")
    client.force_login(make_user("lanhdao", Role.LEADER))
    for url in ("/units/periods/", "/units/periods/new/", "/units/new/", "/units/H-A/edit/", "/units/H-A/end/"):
        assert client.get(url).status_code == 403, url
    assert client.post("/units/H-A/edit/", {"name_vi": "x"}).status_code == 403
    assert Unit.objects.get(code="H-A").name_vi != "x"
    assert 'href="/units/periods/"' not in client.get("/").content.decode()
