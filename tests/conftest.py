"""Shared test helpers: small factories, and a real headless Chromium for browser tests."""

import datetime
import functools
import hashlib
import importlib.util
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests make
# beside it are still synchronous, which Django must be told.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


# Debian's headless shell (package chromium-headless-shell, the build Playwright itself drives headless)
# draws the same pages with half the CPU of the full browser's headless mode, which matters on two
# cores shared by two test processes; the full `chromium` is used where the shell is missing.
CHROMIUM = os.environ.get("CHISO_CHROMIUM") or shutil.which("chromium-headless-shell") or shutil.which("chromium") or "/usr/bin/chromium"
PASSWORD = "a-long-test-password"


# --- the test database: migrated once per set of migrations (SQLite) -------------------------
#
# Running the 89 migrations takes 7-10 s in every test process, most of it Django rebuilding its
# model states, for a schema that changes only when a migration does. On SQLite (the in-memory
# test database) the migrated database is kept in var/test-schema/ (CHISO_VAR_DIR's), named by
# a hash of every installed app's migration files, the chiso modules they import and Django's
# version; a process whose hash has a copy starts from it, and `migrate` then finds nothing to
# apply (it still runs, with its post-migrate signals). PostgreSQL (CI) migrates as before.

def _schema_key() -> str:
    import django
    from django.apps import apps

    digest = hashlib.sha256(django.get_version().encode())
    helpers: set[str] = set()
    for config in sorted(apps.get_app_configs(), key=lambda c: c.label):
        for path in sorted(Path(config.path, "migrations").glob("*.py")):
            text = path.read_text(encoding="utf-8")
            digest.update(f"{config.label}/{path.name}".encode())
            digest.update(text.encode())
            helpers.update(re.findall(r"\bchiso(?:\.\w+)+", text))
    # The chiso modules a migration imports (the standard blocks, the defaults its data come from)
    # shape the kept copy as much as the migration itself.
    for origin in sorted({_module_file(name) for name in helpers} - {None}):
        digest.update(origin.read_bytes())
    return digest.hexdigest()[:16]


def _module_file(dotted: str) -> Path | None:
    """The file of the module a dotted name is in (chiso.core.sealed.SealedJSONField: sealed.py)."""
    parts = dotted.split(".")
    while parts:
        try:
            spec = importlib.util.find_spec(".".join(parts))
        except (ImportError, AttributeError, ValueError):
            spec = None
        if spec is not None and spec.origin:
            return Path(spec.origin)
        parts.pop()
    return None


@functools.cache  # asked for before the database is created and again after it is migrated
def _schema_file() -> Path:
    from django.conf import settings

    return Path(settings.VAR_DIR) / "test-schema" / f"{_schema_key()}.sqlite3"


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """Before the test database is created: on SQLite, its first connection starts from the kept
    copy of the migrated schema when there is one (see above)."""
    from django.db import connections
    from django.db.backends.signals import connection_created

    copy = _schema_file()

    def restore(sender, connection, **kwargs):
        if connection.vendor != "sqlite" or connection.alias != "default" or not connection.is_in_memory_db():
            return
        connection_created.disconnect(restore)
        if copy.exists():
            source = sqlite3.connect(copy)
            try:
                source.backup(connection.connection)
            finally:
                source.close()

    if connections["default"].vendor == "sqlite":
        connection_created.connect(restore, weak=False)
    yield
    connection_created.disconnect(restore)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The migrated schema kept for the next run (SQLite: see above). The flush between
    transactional tests (browser tests) empties every table with DELETE on SQLite; the audit
    trail's trigger lets that through only while `audit_maintenance` holds a row (PostgreSQL's
    flush uses TRUNCATE, which its trigger does not watch)."""
    from django.db import connections

    with django_db_blocker.unblock():
        connection = connections["default"]
        copy = _schema_file()
        if connection.vendor == "sqlite" and connection.is_in_memory_db() and not copy.exists():
            copy.parent.mkdir(parents=True, exist_ok=True)
            for old in copy.parent.glob("*.sqlite3"):
                if old != copy:  # another set of migrations
                    old.unlink(missing_ok=True)
            connection.ensure_connection()
            handle, temporary = tempfile.mkstemp(dir=copy.parent, suffix=".part")
            os.close(handle)
            target = sqlite3.connect(temporary)
            try:
                connection.connection.backup(target)
            finally:
                target.close()
            os.replace(temporary, copy)  # whole or not at all: another process may be reading it
        for connection in connections.all():
            if connection.vendor == "sqlite":
                with connection.cursor() as cursor:
                    cursor.execute("INSERT INTO audit_maintenance SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM audit_maintenance)")


# --- the demo province, loaded once per test run -------------------------------------------
#
# Loading the demo takes about 30 s. `make test` runs `--dist loadfile`, and the files with a test
# that uses the demo go together to a single test process (xdist worker; the scheduler below), so
# the demo is loaded once per run, by that process, inside a transaction rolled back when it moves
# on: each test of a module that uses `demo_province` runs in a savepoint of its own within it
# (the `db` fixture), so every such test sees the pristine demo. That piece of work comes first,
# so the other process takes the other files meanwhile (the longest first: the run ends when both
# are done). A module that does not use the demo and runs after one that did first rolls the demo
# back, and the next module that needs it loads it again: correct whatever the order or the number
# of processes. The switch happens when a module starts (a module-scoped fixture), before any
# test's own transaction is opened.

_DEMO = {"atomic": None, "connection": None, "files": set()}
TESTS = Path(__file__).resolve().parent


def _uses_demo(item) -> bool:
    return "demo_province" in getattr(item, "fixturenames", ())


def _file(item) -> str:
    return item.nodeid.split("::")[0]


def pytest_xdist_make_scheduler(config, log):
    """--dist loadfile, with the files that name `demo_province` as one piece of work.

    The scheduler runs in the controlling process, which collects nothing: it knows the tests
    only by their ids, so it finds the files by their text (a file that names the fixture without
    using it only joins the group; the workers decide what loads the demo, by the fixtures)."""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadScopeScheduling

    root = config.rootpath
    demo_files = {path.relative_to(root).as_posix() for path in TESTS.rglob("test_*.py")
                  if "demo_province" in path.read_text(encoding="utf-8")}

    class DemoTogether(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            file = nodeid.split("::")[0]
            return "demo_province" if file in demo_files else file

    return DemoTogether(config, log)


@pytest.hookimpl(trylast=True)  # after pytest-django's own ordering, which is kept inside each file
def pytest_collection_modifyitems(items):
    """Files in the order xdist hands them out (with --no-loadscope-reorder): the files that use
    the demo first (one piece of work, the longest), then the others, the largest first."""
    _DEMO["files"] = {_file(item) for item in items if _uses_demo(item)}
    sizes: dict[str, int] = {}
    for item in items:
        sizes[_file(item)] = sizes.get(_file(item), 0) + 1
    first_seen = {file: n for n, file in enumerate(sizes)}
    items.sort(key=lambda item: (_file(item) not in _DEMO["files"], -sizes[_file(item)], first_seen[_file(item)]))


def _demo_enter() -> None:
    from django.db import transaction

    from chiso.results.queries import rankings_forget
    from chiso.site.demo import demo_load

    atomic = transaction.atomic()
    atomic.__enter__()
    _DEMO["atomic"], _DEMO["connection"] = atomic, transaction.get_connection()
    rankings_forget()
    demo_load()


def _demo_leave() -> None:
    from django.db import transaction

    from chiso.results.queries import rankings_forget

    atomic, connection = _DEMO["atomic"], _DEMO["connection"]
    _DEMO["atomic"] = _DEMO["connection"] = None
    if atomic is not None and transaction.get_connection() is connection and connection.in_atomic_block:
        transaction.set_rollback(True)
        atomic.__exit__(None, None, None)
    elif atomic is not None and connection.connection is not None:
        # The demo's connection is no longer the one this thread uses: its transaction would stay
        # open, holding the demo's rows, and the next test inserting one of them (the period 2023)
        # would wait on it for ever (seen once in CI). Closing it lets the server roll it back.
        connection.connection.close()
    # The rankings kept in memory name runs by primary keys that later tests reuse: forgotten too.
    rankings_forget()


@pytest.fixture(scope="session")
def _demo_session(django_db_setup, django_db_blocker):
    """Rolls the demo back at the end of the session, before the test database goes (it is set up
    after django_db_setup, so it is torn down before it)."""
    yield
    if _DEMO["atomic"] is not None:
        with django_db_blocker.unblock():
            _demo_leave()


@pytest.fixture(scope="module", autouse=True)
def _demo_state(request, django_db_blocker):
    """At the start of each module: the demo's transaction is open exactly when the module has a
    test that asks for `demo_province`."""
    wanted = request.node.nodeid in _DEMO["files"]
    if wanted != (_DEMO["atomic"] is not None):
        request.getfixturevalue("_demo_session")
        with django_db_blocker.unblock():
            _demo_enter() if wanted else _demo_leave()


@pytest.fixture
def demo_province():
    """The demo province (Cao Bằng as the demo loads it); see above."""
    from chiso.results.queries import rankings_forget

    rankings_forget()  # a test's run rolled back may leave its primary key to the next test's


@pytest.fixture(scope="session", autouse=True)
def media_root(tmp_path_factory):
    """Files the tests write (exports, charts, uploads) go to a folder of this run, not to the
    checkout's var/media, where the demo keeps its own. A test may still set its own."""
    from django.conf import settings

    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with nothing cached: a test database reuses primary keys."""
    from django.conf import settings
    from django.core.cache import caches

    for alias in settings.CACHES:  # the shared cache and this process's own ("local")
        caches[alias].clear()


@pytest.fixture(scope="session", autouse=True)
def migration_data():
    """Rows that data migrations create (blocks, holidays, column mappings) are removed by a
    transactional test's flush (browser tests); they are put back right after it, on the flush's
    own post_migrate signal (as Django puts back content types), so they stay for every later
    test. Restoring them inside each later test's transaction instead rolled them back each time
    and cost about an eighth of the suite."""
    from django.apps import apps
    from django.db.models.signals import post_migrate

    def restore(sender, using="default", **kwargs):
        if using == "default":
            _migration_data_restore()

    post_migrate.connect(restore, sender=apps.get_app_config("units"), dispatch_uid="tests.migration_data", weak=False)
    yield
    post_migrate.disconnect(sender=apps.get_app_config("units"), dispatch_uid="tests.migration_data")


def _migration_data_restore() -> None:
    from chiso.feedback import defaults as feedback_defaults
    from chiso.feedback.models import FeedbackType, Holiday
    from chiso.services_stats import defaults as stats_defaults
    from chiso.services_stats.models import RateTarget, SourceFormat
    from chiso.units.models import Block
    from chiso.units.standard_blocks import ensure_standard_blocks

    if not Block.objects.exists():
        ensure_standard_blocks(Block)
    if not Holiday.objects.exists():
        feedback_defaults.ensure_defaults(Holiday, FeedbackType)
    if not SourceFormat.objects.exists():
        stats_defaults.ensure_defaults(SourceFormat, RateTarget)


@pytest.fixture
def manage(db, monkeypatch, capsys):
    """`manage.py ARGS` as a shell script sees it (exit status, standard output, standard error),
    run in this process on the test database: a subprocess would need a database of its own,
    migrated first (half a minute on a busy machine). The command's argv path is the real one
    (ManagementUtility → run_from_argv, which turns a CommandError into a message and exit status
    1); only its closing of the connections at the end is skipped, since the connection holds the
    test's transaction."""
    from django.core.management import ManagementUtility
    from django.db import connections

    monkeypatch.setattr(connections, "close_all", lambda: None)

    def run(*args: str) -> subprocess.CompletedProcess:
        capsys.readouterr()
        try:
            ManagementUtility(["manage.py", *args]).execute()
            code = 0
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
        out, err = capsys.readouterr()
        return subprocess.CompletedProcess(["manage.py", *args], code, out, err)

    return run


@pytest.fixture
def blocks(db):
    """The standard blocks. A migration creates them, but a transactional test's flush
    (browser tests) removes them for the tests after it, so tests ask for them here."""
    from chiso.units.models import Block
    from chiso.units.standard_blocks import ensure_standard_blocks

    ensure_standard_blocks(Block)
    return {b.code: b for b in Block.objects.all()}


@pytest.fixture
def make_unit(blocks):
    from chiso.units.models import Block, Unit

    counter = iter(range(1, 10_000))

    def make(code=None, block="department", **fields):
        n = next(counter)
        fields.setdefault("name_vi", f"Đơn vị thử {n}")
        return Unit.objects.create(code=code or f"T-{n}", block=Block.objects.get(code=block), **fields)

    return make


@pytest.fixture
def make_user(db):
    from chiso.accounts.services import user_create

    def make(username, role, unit=None, **fields):
        fields.setdefault("by", None)  # the system, as the demo loader
        fields.setdefault("full_name", username)
        return user_create(username=username, password=PASSWORD, role=role, unit=unit, **fields)

    return make


@pytest.fixture
def period(db):
    from chiso.units.models import Period

    return Period.objects.create(
        code="2023", year=2023, name_vi="Năm 2023", name_en="Year 2023",
        start_date=datetime.date(2023, 1, 1), end_date=datetime.date(2023, 12, 31),
    )


# --- browser ---------------------------------------------------------------------------

@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}: install Debian's chromium-headless-shell or chromium (see README.md)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-quic",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="vi-VN")
    # A busy shared machine may ask for more (CHISO_BROWSER_TIMEOUT_MS); 10 s is plenty on an idle one.
    context.set_default_timeout(int(os.environ.get("CHISO_BROWSER_TIMEOUT_MS", "10000")))
    page = context.new_page()
    yield page
    context.close()


def log_in(page, username: str, password: str = PASSWORD):
    """Log `username` in on the login page, as a person does."""
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.click("main button[type=submit]")
    return page


@pytest.fixture
def login(page):
    return lambda username, password=PASSWORD: log_in(page, username, password)


def logged_in_context(browser, live_server, username: str, **context):
    """A browser context of its own (a device, a browser language) with `username` logged in: (context, page)."""
    ctx = browser.new_context(base_url=live_server.url, **context)
    ctx.set_default_timeout(30_000)  # the shared machine is slow at times
    return ctx, log_in(ctx.new_page(), username)


def menu_click(page, text: str) -> None:
    """Follow a main-menu link as a person does: open its group first when it sits in one."""
    link = page.locator("nav.site-nav a", has_text=text).first
    if not link.is_visible():
        page.locator("nav.site-nav li.nav-group", has=page.locator("a", has_text=text)).first.locator("summary").click()
    link.click()


@pytest.fixture
def menu(page):
    return lambda text: menu_click(page, text)


def _cp1258_encode(text: str) -> bytes:
    """Encode as Windows does for Vietnamese: precomposed letters where the code page has
    them, otherwise the base letter followed by a combining tone mark."""
    import unicodedata

    out = []
    for ch in unicodedata.normalize("NFC", text):
        try:
            out.append(ch.encode("cp1258"))
            continue
        except UnicodeEncodeError:
            pass
        decomposed = unicodedata.normalize("NFD", ch)
        composed, rest = decomposed[0], ""
        for mark in decomposed[1:]:
            candidate = unicodedata.normalize("NFC", composed + mark)
            try:
                candidate.encode("cp1258")
                composed = candidate
            except UnicodeEncodeError:
                rest += mark
        out.append((composed + rest).encode("cp1258"))
    return b"".join(out)


@pytest.fixture
def cp1258():
    return _cp1258_encode
