"""Filers' anonymity, proved on the tables and on every page as each role: contact details reach
the secretariat only; an anonymous filing holds nothing that names anyone; units see only what
was routed to them; the tracking code is stored nowhere."""

import datetime
import re

import pytest
from django.apps import apps
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client

from chiso.feedback.filing_cookies import COOKIE_NAME
from chiso.feedback.models import Feedback, FilerContact
from chiso.feedback.services import feedback_answer, feedback_merge, feedback_publish, feedback_route
from chiso.feedback.tracking_codes import tracking_hash

from .conftest import CONTACT

SECRETS = [CONTACT["name"], CONTACT["organisation"], CONTACT["tax_code"], CONTACT["email"], CONTACT["phone"], CONTACT["address"]]
ADDRESS = "203.0.113.77"
AGENT = "Mozilla/5.0 (Android 14; SM-A546E)"


def all_rows() -> str:
    found = []
    with connection.cursor() as cursor:
        for model in apps.get_models():
            table = model._meta.db_table
            cursor.execute(f'SELECT * FROM "{table}"')
            found.append(f"{table}: {cursor.fetchall()!r}")
    return "\n".join(found)


@pytest.fixture
def filed(defaults, units, staff):
    """One named and one anonymous filing through the public form, both routed to Sở Tài chính
    and answered; the named one published."""
    client = Client(HTTP_HOST="127.0.0.1", REMOTE_ADDR=ADDRESS, HTTP_USER_AGENT=AGENT)
    codes = {}
    for key, extra in (("named", {"name": CONTACT["name"], "organisation": CONTACT["organisation"], "tax_code": CONTACT["tax_code"],
                                  "email": CONTACT["email"], "phone": CONTACT["phone"], "address": CONTACT["address"]}),
                       ("anonymous", {"anonymous": "on"})):
        data = {"filer_kind": "business", "type": defaults["thu-tuc"].pk, "title": f"Phản ánh {key}", "text": "Nội dung.",
                "consent_publish": "on", "website": "", **extra}
        html = client.post("/gopy/gui/", data, follow=True).content.decode()
        codes[key] = re.search(r'id="tracking-code">([A-Z0-9-]+)<', html).group(1)
    items = {key: Feedback.objects.get(title=f"Phản ánh {key}") for key in codes}
    for key, item in items.items():
        item = feedback_route(feedback=item, unit=units["tc"], by=staff["secretariat"])
        items[key] = feedback_answer(feedback=item, text="Đã trả lời.", by=staff["officer"])
    feedback_publish(feedback=items["named"], summary="Một doanh nghiệp hỏi về hồ sơ.", by=staff["secretariat"])
    return items, codes


def test_an_anonymous_filing_leaves_no_identity_address_agent_or_time_anywhere(filed):
    items, codes = filed
    assert not FilerContact.objects.filter(feedback=items["anonymous"]).exists()
    rows = all_rows()
    for secret in (ADDRESS, "SM-A546E", codes["anonymous"], codes["named"]):
        assert secret not in rows
    assert tracking_hash(codes["anonymous"]) in rows  # only its hash, to look it up
    assert Feedback._meta.get_field("filed_on").get_internal_type() == "DateField"  # no time of day
    # the contact details of the named filer are in its FilerContact row and nowhere else
    contact_table = FilerContact._meta.db_table
    for line in rows.splitlines():
        if not line.startswith(contact_table + ":"):
            assert CONTACT["email"] not in line and CONTACT["tax_code"] not in line, line.split(":")[0]


@pytest.mark.parametrize("role", ["officer", "other_officer", "leader", "analyst", "appraiser", "admin"])
def test_no_page_shows_contact_details_to_anyone_but_the_secretariat(filed, staff, role):
    items, _codes = filed
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(staff[role])
    pages = ["/feedback/", "/feedback/?state=answered", "/feedback/figures/", "/gopy/", "/gopy/cong-khai/",
             f"/gopy/cong-khai/{items['named'].public_id}/", "/"]
    pages += [f"/feedback/{item.number}/" for item in items.values()]
    if role == "admin":
        pages += ["/admin/feedback/filercontact/", f"/admin/feedback/filercontact/{items['named'].contact.pk}/change/",
                  "/admin/feedback/feedback/", f"/admin/feedback/feedback/{items['named'].pk}/change/"]
    for url in pages:
        html = client.get(url).content.decode()
        for secret in SECRETS:
            assert secret not in html, (role, url, secret)


def test_the_secretariat_sees_the_named_filers_contact_and_nothing_for_the_anonymous(filed, staff):
    items, _codes = filed
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(staff["secretariat"])
    named = client.get(f"/feedback/{items['named'].number}/").content.decode()
    assert all(secret in named for secret in SECRETS)
    anonymous = client.get(f"/feedback/{items['anonymous'].number}/").content.decode()
    assert 'id="filer-contact"' not in anonymous and "ẩn danh" in anonymous


def test_a_unit_sees_only_what_was_routed_to_it(file_feedback, units, staff):
    waiting, _ = file_feedback()
    elsewhere, _ = file_feedback()
    feedback_route(feedback=elsewhere, unit=units["xd"], by=staff["secretariat"], today=datetime.date(2023, 3, 2))
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(staff["officer"])
    listing = client.get("/feedback/").content.decode()
    assert waiting.number not in listing and elsewhere.number not in listing
    assert client.get(f"/feedback/{waiting.number}/").status_code == 404
    assert client.get(f"/feedback/{elsewhere.number}/").status_code == 404
    assert client.get("/feedback/figures/").status_code == 403


def test_public_pages_never_show_the_filers_text_of_a_merged_item_to_the_other_filer(file_feedback, units, staff):
    first, _ = file_feedback(text="Công ty TNHH Minh Khai bị trả hồ sơ ở Sở Tài chính.")
    second, code = file_feedback(anonymous=True, text="Hồ sơ của tôi cũng bị trả.")
    feedback_merge(feedback=second, into=first, by=staff["secretariat"])
    first = feedback_route(feedback=first, unit=units["tc"], by=staff["secretariat"])
    feedback_answer(feedback=first, text="Sở đã chấn chỉnh.", by=staff["officer"])
    client = Client(HTTP_HOST="127.0.0.1")
    html = client.post("/gopy/tra-cuu/", {"code": code}, follow=True).content.decode()
    assert "Sở đã chấn chỉnh." in html and "Hồ sơ của tôi cũng bị trả." in html
    assert "Minh Khai" not in html


def test_an_anonymous_filer_leaves_no_session_row_only_a_signed_cookie(defaults, units, staff):
    """Filing, tracking and rating write no django_session row (whose expiry would date the filing
    to the microsecond): the browser's references live in a signed cookie under /gopy/."""
    client = Client(HTTP_HOST="127.0.0.1", REMOTE_ADDR=ADDRESS, HTTP_USER_AGENT=AGENT)
    data = {"filer_kind": "business", "type": defaults["thu-tuc"].pk, "title": "Phản ánh", "text": "Nội dung.", "anonymous": "on", "website": ""}
    filed = client.post("/gopy/gui/", data)
    cookie = filed.cookies[COOKIE_NAME]
    assert cookie["path"] == "/gopy/" and cookie["httponly"] and cookie["samesite"] == "Lax"
    html = client.get("/gopy/da-gui/").content.decode()
    code = re.search(r'id="tracking-code">([A-Z0-9-]+)<', html).group(1)
    assert code not in client.cookies[COOKIE_NAME].value  # taken out once shown
    feedback = feedback_answer(feedback=feedback_route(feedback=Feedback.objects.get(), unit=units["tc"], by=staff["secretariat"]),
                               text="Đã trả lời.", by=staff["officer"])
    tracked = client.post("/gopy/tra-cuu/", {"code": code}, follow=True)
    ref_url = tracked.redirect_chain[-1][0]
    client.post(ref_url + "danh-gia/", {"answered": str(feedback.public_id), "score": "4"}, follow=True)
    assert not Session.objects.exists()
    assert code not in all_rows()
    client.cookies[COOKIE_NAME] = client.cookies[COOKIE_NAME].value[:-2] + "xx"  # a forged cookie holds nothing
    assert client.get(ref_url).status_code == 302
