"""The browser's references to its drafts: a signed cookie, bounded, sent to /s/ only."""

from types import SimpleNamespace

from django.conf import settings
from django.http import HttpResponse
from django.test import RequestFactory

from chiso.surveys.collection import draft_cookies


def draft(n: int):
    return SimpleNamespace(key=f"{n:064x}", survey_id=n)


def test_the_cookie_keeps_the_newest_references_and_says_where_it_goes():
    request = RequestFactory().get("/s/")
    refs = [draft_cookies.ref_add(request, draft=draft(n), channel="paper") for n in range(draft_cookies.MAX_REFS + 5)]
    response = draft_cookies.kept(request, HttpResponse())
    cookie = response.cookies[draft_cookies.COOKIE_NAME]
    assert cookie["path"] == "/s/" and cookie["httponly"] and cookie["samesite"] == "Lax"
    assert cookie["max-age"] == settings.SESSION_COOKIE_AGE
    assert len(cookie.value) < 2048  # far under a browser's 4 KB, with every reference kept

    later = RequestFactory().get("/s/", HTTP_COOKIE=f"{draft_cookies.COOKIE_NAME}={cookie.value}")
    assert list(draft_cookies.refs(later)) == refs[-draft_cookies.MAX_REFS:]  # the oldest went first
    assert draft_cookies.ref_get(later, refs[-1]) == {"draft": f"{draft_cookies.MAX_REFS + 4:064x}", "survey": draft_cookies.MAX_REFS + 4, "channel": "paper"}
    assert draft_cookies.ref_get(later, refs[0]) is None


def test_an_unchanged_or_forgotten_reference_writes_the_cookie_only_when_needed():
    request = RequestFactory().get("/s/")
    ref = draft_cookies.ref_add(request, draft=draft(1), channel="web")
    value = draft_cookies.kept(request, HttpResponse()).cookies[draft_cookies.COOKIE_NAME].value

    reading = RequestFactory().get("/s/", HTTP_COOKIE=f"{draft_cookies.COOKIE_NAME}={value}")
    assert draft_cookies.ref_get(reading, ref) is not None
    assert draft_cookies.COOKIE_NAME not in draft_cookies.kept(reading, HttpResponse()).cookies  # nothing changed, nothing sent

    draft_cookies.ref_forget(reading, ref)
    emptied = draft_cookies.kept(reading, HttpResponse()).cookies[draft_cookies.COOKIE_NAME].value
    assert draft_cookies.decode(emptied) == {}


def test_a_garbled_cookie_reads_as_no_references():
    request = RequestFactory().get("/s/", HTTP_COOKIE=f"{draft_cookies.COOKIE_NAME}=not-a-signed-value")
    assert draft_cookies.refs(request) == {} and draft_cookies.ref_get(request, "anything") is None
