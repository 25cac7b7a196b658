"""Issue 19, point 11: a request Django refuses for its size gets a Vietnamese 413 page (never an
English "Bad Request" or a 500); any other unreadable request a Vietnamese 400 page."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_a_form_larger_than_the_server_accepts_gets_a_vietnamese_413(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    client = Client(raise_request_exception=False)
    response = client.post("/accounts/login/", {"username": "x" * 20_000, "password": "y"})
    html = response.content.decode()
    assert response.status_code == 413
    assert 'lang="vi"' in html and "Nội dung gửi lên quá lớn" in html and "9,8\xa0KB" in html
    assert "Bad Request" not in html and "Server Error" not in html
    assert client.get("/accounts/login/").status_code == 200  # and on it goes


def test_other_unreadable_requests_get_a_vietnamese_400(settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 5
    client = Client(raise_request_exception=False)
    response = client.post("/accounts/login/", {f"f{i}": "1" for i in range(20)})
    html = response.content.decode()
    assert response.status_code == 400 and "Không đọc được yêu cầu" in html and "Bad Request" not in html
