"""The browser's references to its drafts: a signed cookie, bounded, sent to /s/ only."""

from types import SimpleNamespace

from django.conf import settings
from django.http import HttpResponse
from django.test import RequestFactory

from chiso.surveys import access


def draft(n: int):
    return SimpleNamespace(key=f"{n:064x}", survey_id=n)


def test_the_cookie_keeps_the_newest_references_and_says_where_it_goes():
    request = RequestFactory().get("/s/")
    refs = [access.ref_add(request, draft=draft(n), channel="paper") for n in range(access.MAX_REFS + 5)]
    response = access.kept(request, HttpResponse())
    cookie = response.cookies[access.COOKIE_NAME]
    assert cookie["path"] == "/s/" and cookie["httponly"] and cookie["samesite"] == "Lax"
    assert cookie["max-age"] == settings.SESSION_COOKIE_AGE
    assert len(cookie.value) < 2048  # far under a browser's 4 KB, with every reference kept

    later = RequestFactory().get("/s/", HTTP_COOKIE=f"{access.COOKIE_NAME}={cookie.value}")
    assert list(access.refs(later)) == refs[-access.MAX_REFS:]  # the oldest went first
    assert access.ref_get(later, refs[-1]) == {"draft": f"{access.MAX_REFS + 4:064x}", "survey": access.MAX_REFS + 4, "channel": "paper"}
    assert access.ref_get(later, refs[0]) is None


def test_an_unchanged_or_forgotten_reference_writes_the_cookie_only_when_needed():
    request = RequestFactory().get("/s/")
    ref = access.ref_add(request, draft=draft(1), channel="web")
    value = access.kept(request, HttpResponse()).cookies[access.COOKIE_NAME].value

    reading = RequestFactory().get("/s/", HTTP_COOKIE=f"{access.COOKIE_NAME}={value}")
    assert access.ref_get(reading, ref) is not None
    assert access.COOKIE_NAME not in access.kept(reading, HttpResponse()).cookies  # nothing changed, nothing sent

    access.ref_forget(reading, ref)
    emptied = access.kept(reading, HttpResponse()).cookies[access.COOKIE_NAME].value
    assert access.decode(emptied) == {}


def test_a_garbled_cookie_reads_as_no_references():
    request = RequestFactory().get("/s/", HTTP_COOKIE=f"{access.COOKIE_NAME}=not-a-signed-value")
    assert access.refs(request) == {} and access.ref_get(request, "anything") is None
