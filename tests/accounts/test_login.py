import pytest
from django.urls import reverse

from chiso.accounts.models import Role

PASSWORD = "a-long-test-password"


@pytest.fixture
def secretary(make_user):
    return make_user("thuky", Role.SECRETARIAT)


def test_login_page_is_vietnamese_by_default(client, db):
    html = client.get(reverse("login")).content.decode()
    assert 'lang="vi"' in html and "Đăng nhập" in html


def test_english_on_request(client, db):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get(reverse("login")).content.decode()
    assert 'lang="en"' in html and "Log in" in html


def test_login_and_logout(client, secretary):
    response = client.post(reverse("login"), {"username": "thuky", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code == 200
    client.post(reverse("logout"))
    assert client.get(reverse("home")).status_code == 302


def test_lockout_after_repeated_failures(client, secretary, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "thuky", "password": "wrong"})
    # Even the right password is refused now.
    response = client.post(reverse("login"), {"username": "thuky", "password": PASSWORD})
    assert response.status_code == 429
    assert "khóa" in response.content.decode().lower()
    assert client.get(reverse("home")).status_code == 302


def test_password_change(client, secretary):
    client.force_login(secretary)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "another-long-pass-2025", "new_password2": "another-long-pass-2025"},
    )
    assert response.status_code == 302
    secretary.refresh_from_db()
    assert secretary.check_password("another-long-pass-2025")
