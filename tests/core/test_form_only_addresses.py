"""An address that takes a form only answers a link with a page in Vietnamese, not a blank screen."""

import pytest
from django.urls import reverse

from chiso.accounts.models import Role

pytestmark = pytest.mark.django_db


def test_signing_out_by_typing_the_address_shows_a_page_and_changes_nothing(client, make_user):
    client.force_login(make_user("thuky", Role.SECRETARIAT))
    response = client.get(reverse("logout"))
    assert response.status_code == 405 and response["Allow"] == "POST, OPTIONS"
    html = response.content.decode()
    assert "Địa chỉ này nhận dữ liệu từ biểu mẫu" in html and "Không có gì bị thay đổi." in html
    assert client.get(reverse("home")).status_code == 200  # still signed in


def test_a_form_only_action_of_the_app_opened_as_a_link(client, make_user):
    client.force_login(make_user("thuky", Role.SECRETARIAT))
    response = client.get(reverse("notices:open", args=[1]))
    assert response.status_code == 405 and "Quay lại trang chủ" in response.content.decode()


def test_htmx_keeps_the_empty_answer(client, make_user):
    client.force_login(make_user("thuky", Role.SECRETARIAT))
    response = client.get(reverse("logout"), headers={"HX-Request": "true"})
    assert response.status_code == 405 and response.content == b""
