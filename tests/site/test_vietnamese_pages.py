"""Vietnamese first, checked: every page a role reaches from its menus reads as Vietnamese.

The demo province is loaded once per test process (`demo_province`, tests/conftest.py).
As each demo role and as a visitor without an account, in Vietnamese, the crawl opens the home
page, every menu link and every link on the home page, then the first detail link of each of
those pages and that detail's own tabs, one page of each kind (route), and checks the visible text
(tags stripped; <code>, <script>, <style> and form values skipped) for what a Vietnamese reader
must never see: an English message left untranslated, a raw event or block code, a Python repr,
an ISO date or an English duration unit.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.urls import Resolver404, resolve
from django.utils.translation import trans_real

from chiso.accounts.models import User
from chiso.audit.events import registered_codes
from chiso.audit.models import AuditRecord
from chiso.site.context_processors import navigation
from chiso.units.models import Block

VISITOR = "visitor"  # no account: the public portal, the feedback form, the log-in page
ROLES = [VISITOR, "thuky", "thamdinh", "hoidong", "canbo.sotaichinh", "canbo.xa", "canbo.soxaydung", "lanhdao", "phantich", "quantri"]

# Where a crawl never goes: files, other languages, the admin (Django's own, partly English),
# the JSON API, and anything that changes state on GET.
SKIP_PREFIXES = ("/admin/", "/api/v1/", "/i18n/", "/accounts/logout/", "/static/", "/media/")
SKIP_SUFFIXES = (".pdf", ".xlsx", ".csv", ".zip", ".docx", ".svg", ".json", ".sav", ".dta", ".png", ".txt", ".yaml")
HIDDEN = {"metadata", "code", "script", "style", "pre", "kbd", "samp", "template", "noscript", "textarea"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class VisibleText(HTMLParser):
    """The text a reader sees, one string per text node, and the links (in <main> first)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.links: list[str] = []
        self.main_links: list[str] = []
        self._hidden: list[str] = []
        self._in_main = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in VOID:
            if tag == "img" and attrs.get("alt"):
                self.texts.append(attrs["alt"])
            return
        # A name in its own language (the language switch's "English") is meant as it is.
        other_language = attrs.get("lang") not in (None, "vi")
        if tag in HIDDEN or attrs.get("translate") == "no" or "hidden" in attrs or other_language:
            self._hidden.append(tag)
        elif self._hidden:
            self._hidden.append(tag)
        if tag == "main":
            self._in_main += 1
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
            if self._in_main:
                self.main_links.append(attrs["href"])
        for name in ("title", "aria-label", "placeholder"):
            if attrs.get(name) and not self._hidden:
                self.texts.append(attrs[name])

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if self._hidden:
            # Close up to the matching tag (browsers forgive unclosed <p>, <li>).
            if tag in self._hidden:
                while self._hidden and self._hidden.pop() != tag:
                    pass
            return
        if tag == "main":
            self._in_main -= 1

    def handle_data(self, data):
        if not self._hidden and data.strip():
            self.texts.append(" ".join(data.split()))


def _english_messages() -> set[str]:
    """English msgids whose Vietnamese differs, long enough to be a phrase (no placeholders)."""
    catalogue = trans_real.translation("vi")._catalog
    english, vietnamese = set(), set()
    for key, value in catalogue.items():
        if isinstance(value, str):
            vietnamese.add(value.strip())
        msgid = (key if isinstance(key, str) else key[0]).split("\x04")[-1].strip()
        if "%" in msgid or "{" in msgid or not re.search(r"[a-z]{3}", msgid) or value == msgid:
            continue
        english.add(msgid)
    return english - vietnamese


ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
DURATION = re.compile(r"\b\d+(?:[.,]\d+)?\s*(?:s|sec|secs|second|seconds|min|mins|minute|minutes|h|hr|hrs|hour|hours|day|days|ms)\b")
REPR = re.compile(r"(\{'|\['|\('|': |<[A-Za-z_.]+ object at 0x|\bDecimal\(|\bdatetime\.(date|datetime)\(|\bNone\b|\bTrue\b|\bFalse\b|\bnan\b)")
CHANNEL = re.compile(r"\b(?:paper|web|phone|email|import)\s*:\s*\d")
# Words no Vietnamese sentence has, in a text with no Vietnamese letter: English that no
# catalogue knows (Django's own templates, a string never marked for translation).
ENGLISH_WORDS = re.compile(r"\b(?:the|of|and|with|from|this|that|is|are|was|not|skip|main|content|breadcrumbs|previous|none|yes|edit|save|delete|view)\b", re.I)
VIETNAMESE_LETTER = re.compile(r"[àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ]", re.I)
EVENT_CODE = re.compile(r"\b[a-z]+(?:_[a-z]+)*\.[a-z]+(?:_[a-z]+)*\b")


class Rules:
    """The checks, with what they need from the database read once."""

    def __init__(self):
        self.english = _english_messages()
        self.events = set(registered_codes()) | set(AuditRecord.objects.values_list("event", flat=True).distinct())
        self.blocks = set(Block.objects.values_list("code", flat=True))
        self.block_pattern = re.compile(r"(?<![\w-])(" + "|".join(sorted(map(re.escape, self.blocks), key=len, reverse=True)) + r")(?![\w-])")

    def problems(self, text: str) -> list[str]:
        found = []
        if text in self.english or (ENGLISH_WORDS.search(text) and not VIETNAMESE_LETTER.search(text)):
            found.append("English")
        if CHANNEL.search(text):
            found.append("channel code")
        if ISO_DATE.search(text):
            found.append("ISO date")
        if DURATION.search(text):
            found.append("English duration")
        if REPR.search(text):
            found.append("Python repr")
        for code in EVENT_CODE.findall(text):
            if code in self.events:
                found.append(f"event code {code}")
        if self.blocks and self.block_pattern.search(text):
            found.append("block code")
        return found


def page_problems(rules: Rules, html: str) -> tuple[list[tuple[str, str]], VisibleText]:
    parser = VisibleText()
    parser.feed(html)
    return [(text, kind) for text in parser.texts for kind in rules.problems(text)], parser


def followable(href: str) -> str | None:
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return None
    if parts.path.startswith(SKIP_PREFIXES) or parts.path.endswith(SKIP_SUFFIXES):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def page_kind(url: str) -> tuple:
    """Pages of one kind (a route, e.g. every unit's page) are checked once per role."""
    parts = urlsplit(url)
    try:
        route = resolve(parts.path).route
    except Resolver404:
        route = parts.path
    return route, tuple(sorted(key for key, _sep, _value in (p.partition("=") for p in parts.query.split("&") if p)))


def is_detail_of(url: str, page: str, tab: bool = False) -> bool:
    """A page under `page` naming an object (a route with arguments), or any page under it (`tab`)."""
    path, base = urlsplit(url).path, urlsplit(page).path
    if not path.startswith(base) or path == base:
        return False
    try:
        return tab or bool(resolve(path).kwargs)
    except Resolver404:
        return False


def crawl(client, user, rules: Rules) -> tuple[dict[str, list], list[str]]:
    """Home, the menus and the home page's links, then each one's first detail link."""
    problems: dict[str, list] = {}
    visited: list[str] = []
    kinds: set[tuple] = set()

    def visit(url: str) -> VisibleText | None:
        if page_kind(url) in kinds:
            return None
        kinds.add(page_kind(url))
        visited.append(url)
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="vi", follow=True)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            return None
        found, parser = page_problems(rules, response.content.decode())
        if found:
            problems[url] = found
        return parser

    home = visit("/")
    first = ([url for url, _label in navigation(user)] if user else []) + (home.links if home else [])
    for url in dict.fromkeys(u for u in map(followable, first) if u):
        parser = visit(url)
        detail = parser and next((u for u in map(followable, parser.main_links) if u and is_detail_of(u, url)), None)
        detail_page = detail and visit(detail)
        if detail_page:
            # The detail's own tabs (history, monitoring, quality…), one of each kind.
            for tab in dict.fromkeys(u for u in map(followable, detail_page.main_links) if u and is_detail_of(u, detail, tab=True)):
                visit(tab)
    return problems, visited


@pytest.fixture(scope="module")
def media_folder(tmp_path_factory):
    return tmp_path_factory.mktemp("media")


@pytest.fixture(autouse=True)
def isolated_media(settings, media_folder):
    """Charts and cached portal pages drawn by the crawl go to a folder of the module's own."""
    settings.MEDIA_ROOT = media_folder


@pytest.fixture
def rules(demo_province, db):
    return Rules()


def test_the_checks_catch_what_they_are_for(db):
    """Each rule on a page made to break it, and a clean Vietnamese page passing."""
    rules = Rules()
    rules.english.add("Change password")
    rules.events.add("survey.created")
    html = """<main><p>Change password</p><p>survey.created</p><p>department, central_agency</p>
    <p>{'method': 'mean'}</p><p>2025-03-13</p><p>1 min 41 s</p><p>paper: 1 · web: 343</p>
    <a>Skip to main content</a><code>survey.created 2025-03-13</code></main>"""
    found = {text: kind for text, kind in page_problems(rules, html)[0]}
    assert found == {
        "Change password": "English", "survey.created": "event code survey.created",
        "department, central_agency": "block code", "{'method': 'mean'}": "Python repr",
        "2025-03-13": "ISO date", "1 min 41 s": "English duration",
        "paper: 1 · web: 343": "channel code", "Skip to main content": "English",
    }
    clean = """<main><h1>Đổi mật khẩu</h1><p>Khảo sát đã tạo · 13/03/2025 · 1 phút 41 giây · Sở, ban, ngành</p>
    <a href="/x.pdf">baocao.pdf</a> <code>department</code></main>"""
    assert page_problems(rules, clean)[0] == []


@pytest.mark.django_db
@pytest.mark.parametrize("username", ROLES)
def test_every_page_a_role_reaches_reads_in_vietnamese(username, client, rules):
    user = None if username == VISITOR else User.objects.get(username=username)
    if user:
        client.force_login(user)
    problems, visited = crawl(client, user, rules)
    assert len(visited) > 3
    assert problems == {}, "\n".join(f"{url}: {text!r} ({kind})" for url, found in problems.items() for text, kind in found)
