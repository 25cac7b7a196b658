"""Survey submissions per second that the web tier stores, against PostgreSQL, under 50 clients.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/chiso .venv/bin/python bench/surveys.py [--submissions 3000]

What it does, all on this machine (127.0.0.1 only), bounded in count and time, stopping by itself:

1. creates a throw-away database `<name>_bench_surveys` next to DATABASE_URL's, migrates it and
   loads the example DDCI form, the departments, a survey and one invitation per submission;
2. prepares each respondent as if they had answered every page: a draft with complete answers
   (three rated departments) and the browser's signed cookie that refers to it (not timed);
3. starts gunicorn (production settings, 4 workers) on a free port of 127.0.0.1 and warms it
   up with the first 300 submissions (not timed: each worker loads its code, catalogues and the
   parsed form on its first requests, once in the weeks a survey runs);
4. timed, in 3 rounds: 50 client threads POST the final "submit" of the web form, each one
   re-checked in full by the server; one in ten is posted twice with the same key (a double click);
   the CPU time of gunicorn, PostgreSQL and this load generator is read from /proc around it;
5. the same run measures raw PostgreSQL: 50 connections inserting rows of the same shape into a
   table, one transaction per row;
6. checks that the responses stored equal the distinct submissions: nothing lost, nothing doubled.

Prints figures; asserts nothing (a benchmark is not a test). Target: ≥ 200 submissions/s.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import queue
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parents[1]
CLIENTS = 50
DEADLINE_SECONDS = 120
HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def bench_database_url(base: str) -> tuple[str, str, str]:
    parsed = urlparse(base)
    if parsed.scheme not in ("postgres", "postgresql") or parsed.hostname not in ("127.0.0.1", "localhost"):
        sys.exit("bench/surveys.py needs DATABASE_URL=postgres://…@127.0.0.1:5432/NAME (a local PostgreSQL)")
    name = f"{parsed.path.lstrip('/') or 'chiso'}_bench_surveys"
    admin = urlunparse(parsed._replace(path="/postgres"))
    return urlunparse(parsed._replace(path=f"/{name}")), admin, name


def recreate_database(admin_url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def prepare(count: int) -> list[dict]:
    """Inside Django: the form, units, survey, invitations, complete drafts and the browsers' cookies."""
    import datetime

    import django

    django.setup()
    from django.middleware.csrf import _get_new_csrf_string
    from django.utils import timezone

    from chiso.surveys.collection import draft_cookies
    from chiso.surveys.models import Draft
    from chiso.surveys.services import draft_for_token, evaluation_for, invitations_create, questionnaire_import, survey_create
    from chiso.units.models import Block, Period, Unit

    period = Period.objects.create(code="2025", year=2025, name_vi="Năm 2025", start_date=datetime.date(2025, 1, 1), end_date=datetime.date(2025, 12, 31))
    department = Block.objects.get(code="department")
    for code, name in (("S-TC", "Sở Tài chính"), ("S-TP", "Sở Tư pháp"), ("S-XD", "Sở Xây dựng"), ("S-YT", "Sở Y tế"), ("S-GD", "Sở Giáo dục và Đào tạo")):
        Unit.objects.create(code=code, name_vi=name, block=department)
    path = ROOT / "docs" / "examples" / "ddci_departments.xlsx"
    version = questionnaire_import(file_name=path.name, content=path.read_bytes()).version
    now = timezone.now()
    survey = survey_create(code="bench", title_vi="DDCI bench", period=period, version=version, opens_at=now - datetime.timedelta(hours=1), closes_at=now + datetime.timedelta(days=1))
    rating = {"minh_bach": "4", "nang_dong": "3", "canh_tranh": "5", "so_lan_di_lai": "2", "chi_phi_khong_chinh_thuc": "co", "ty_le_chi_phi": "1.5", "diem_chung": "7"}
    answers = {
        "loai_hinh": "tnhh", "nganh_nghe": "du_lich", "so_lao_dong": "12", "nam_thanh_lap": "2010", "don_vi_lien_he": "S-TC S-TP S-XD",
        "hinh_thuc_lien_he": "truc_tiep", "danh_gia": [dict(rating) for _ in range(3)], "can_cai_thien": "thu_tuc", "gop_y": "Bench",
    }
    # As the web form keeps a draft once its pages are saved: the answers and what the form computed.
    answers = evaluation_for(survey=survey, version=version, answers=answers).answers_computed()
    clients = []
    for invitation, token in invitations_create(survey=survey, labels=[f"bench-{n}" for n in range(count)]):
        draft = draft_for_token(token=token)
        Draft.objects.filter(pk=draft.pk).update(answers=answers, page="review")
        ref = secrets.token_urlsafe(12)
        refs = draft_cookies.encode({ref: {"draft": draft.key, "survey": survey.pk, "channel": "web"}})  # as the link left it
        csrf = _get_new_csrf_string()
        clients.append({"ref": ref, "cookie": f"{draft_cookies.COOKIE_NAME}={refs}; csrftoken={csrf}", "csrf": csrf, "key": uuid.uuid4().hex})
    return clients


def counts() -> dict:
    from chiso.surveys.models import Draft, HeldResponse, Invitation, Response

    return {
        # accepted submissions: written in their batch, or held for the next one (docs/security.md)
        "responses": Response.objects.count() + HeldResponse.objects.count(),
        "completed_invitations": Invitation.objects.filter(status="completed").count(),
        "drafts_left": Draft.objects.count(),
    }


def submit(port: int, client: dict) -> int:
    body = f"submission_key={client['key']}&csrfmiddlewaretoken={client['csrf']}".encode()
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        connection.request(
            "POST", f"/s/r/{client['ref']}/submit/", body=body,
            headers={
                "Content-Type": "application/x-www-form-urlencoded", "Host": HOST,
                "Cookie": client["cookie"],
            },
        )
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def cpu_seconds(match) -> float:
    """CPU seconds used so far by the processes `match(stat_fields)` accepts, with their reaped children."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as f:
                text = f.read()
        except OSError:
            continue  # gone meanwhile
        name = text[text.index("(") + 1:text.rindex(")")]
        fields = text[text.rindex(")") + 2:].split()  # fields[0] is the state, field 3 of stat
        if match(name, fields):
            total += sum(int(v) for v in fields[11:15])  # utime, stime, cutime, cstime
    return total / tick


def cpu_split(server_pid: int) -> dict:
    """CPU so far of the web tier (gunicorn's session), PostgreSQL and this load generator."""
    return {
        "web tier": cpu_seconds(lambda name, fields: int(fields[3]) == server_pid),  # field 6: session id
        "PostgreSQL": cpu_seconds(lambda name, fields: name.startswith("postgres")),
        "load generator": time.process_time(),
    }


def load(port: int, clients: list[dict], doubles: int) -> tuple[float, dict]:
    work: queue.Queue = queue.Queue()
    for n, client in enumerate(clients):
        work.put(client)
        if n % 10 == 0 and doubles:
            work.put(client)  # the same submission again: a double click
    statuses: dict = {}
    lock = threading.Lock()
    deadline = time.monotonic() + DEADLINE_SECONDS

    def worker():
        while time.monotonic() < deadline:
            try:
                client = work.get_nowait()
            except queue.Empty:
                return
            try:
                status = submit(port, client)
            except OSError as error:
                status = type(error).__name__
            with lock:
                statuses[status] = statuses.get(status, 0) + 1

    threads = [threading.Thread(target=worker) for _ in range(CLIENTS)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - start, statuses


def raw_postgres(url: str, rows: int) -> float:
    """Rows/s of plain INSERTs of the same shape, one transaction each, from 50 connections."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS bench_raw")
        conn.execute("CREATE TABLE bench_raw (id uuid PRIMARY KEY, survey_id bigint, version_id bigint, answers jsonb, rated_units jsonb, channel varchar(10), submitted_on date, idempotency_key varchar(64) UNIQUE)")
    payload = json.dumps({"loai_hinh": "tnhh", "don_vi_lien_he": ["S-TC", "S-TP", "S-XD"], "danh_gia": [{"diem_chung": 7, "minh_bach": "4"}] * 3})
    work: queue.Queue = queue.Queue()
    for _ in range(rows):
        work.put(None)

    def worker():
        with psycopg.connect(url, autocommit=True) as conn:
            while True:
                try:
                    work.get_nowait()
                except queue.Empty:
                    return
                conn.execute(
                    "INSERT INTO bench_raw VALUES (%s, 1, 1, %s, %s, 'web', CURRENT_DATE, %s)",
                    (uuid.uuid4(), payload, '["S-TC","S-TP","S-XD"]', secrets.token_hex(32)),
                )

    threads = [threading.Thread(target=worker) for _ in range(CLIENTS)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    with psycopg.connect(url, autocommit=True) as conn:
        stored = conn.execute("SELECT count(*) FROM bench_raw").fetchone()[0]
        conn.execute("DROP TABLE bench_raw")
    assert stored == rows
    return rows / elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--submissions", type=int, default=3000)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=1, help="threads per worker (more than 1: gunicorn's gthread workers)")
    parser.add_argument("--rounds", type=int, default=3, help="the timed submissions in this many rounds, each reported")
    parser.add_argument("--warmup", type=int, default=300, help="submissions sent first, not timed")
    parser.add_argument("--keep-database", action="store_true")
    args = parser.parse_args()
    count = max(100, min(args.submissions, 20_000))
    args.warmup = max(0, min(args.warmup, count // 2))
    args.rounds = max(1, min(args.rounds, 10))

    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/chiso")
    url, admin, name = bench_database_url(base)
    var_dir = Path(tempfile.mkdtemp(prefix="chiso-bench-"))
    env = {
        **os.environ, "DATABASE_URL": url, "CHISO_SECRET_KEY": secrets.token_urlsafe(40), "CHISO_ALLOWED_HOSTS": HOST,
        "CHISO_VAR_DIR": str(var_dir), "CHISO_SECURE_COOKIES": "0", "CHISO_DB_CONN_MAX_AGE": "600", "CHISO_DEBUG": "",
        "DJANGO_SETTINGS_MODULE": "chiso.settings",
    }
    print(f"database {name} (recreated); {count} submissions; {CLIENTS} clients; gunicorn {args.workers} workers; deadline {DEADLINE_SECONDS}s")
    recreate_database(admin, name)
    python = sys.executable
    subprocess.run([python, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run([python, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    os.environ.update(env)
    sys.path.insert(0, str(ROOT / "src"))
    started = time.perf_counter()
    clients = prepare(count)
    print(f"prepared {len(clients)} respondents with complete drafts in {time.perf_counter() - started:.1f}s (not timed)")

    port = free_port()
    server = subprocess.Popen(
        [python, "-m", "gunicorn", "chiso.wsgi", "--bind", f"{HOST}:{port}", "--workers", str(args.workers), "--threads", str(args.threads), "--log-level", "warning"],
        cwd=ROOT, env=env, start_new_session=True,
    )
    try:
        for _ in range(100):
            try:
                http.client.HTTPConnection(HOST, port, timeout=1).request("GET", "/s/done/")
                break
            except OSError:
                time.sleep(0.1)
        # Not timed: each worker loads its code, catalogues and the parsed form on its first
        # requests; a survey's web tier runs for weeks, so the figure is its steady state.
        warm, timed = clients[:args.warmup], clients[args.warmup:]
        load(port, warm, doubles=1)
        stored_before = counts()["responses"]
        before = cpu_split(server.pid)
        # In rounds, so that the spread on a shared machine shows beside the whole figure.
        elapsed, statuses, rounds = 0.0, {}, []
        size = -(-len(timed) // args.rounds)
        for start in range(0, len(timed), size):
            stored_at = counts()["responses"]
            seconds, round_statuses = load(port, timed[start:start + size], doubles=1)
            rounds.append((counts()["responses"] - stored_at) / seconds)
            elapsed += seconds
            for status, n in round_statuses.items():
                statuses[status] = statuses.get(status, 0) + n
        after = cpu_split(server.pid)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    from chiso.surveys.models import Survey
    from chiso.surveys.services import responses_flush

    for survey in Survey.objects.all():  # what would be written when the survey closes
        responses_flush(survey=survey, force=True)
    stored = counts()
    web_rate = (stored["responses"] - stored_before) / elapsed
    raw_rate = raw_postgres(url, count)
    sent = sum(statuses.values())
    print(f"web tier, after {len(warm)} submissions to warm up: {sent} POSTs ({len(timed)} distinct submissions + {sent - len(timed)} double clicks) in {elapsed:.1f}s; statuses {statuses}")
    print(f"web tier: {web_rate:.0f} submissions stored per second (target ≥ 200); by round: {', '.join(f'{r:.0f}' for r in rounds)}")
    print(f"raw PostgreSQL: {raw_rate:.0f} single-row INSERT transactions per second, {CLIENTS} connections, same run")
    cpu = ", ".join(f"{part} {1000 * (after[part] - before[part]) / sent:.1f} ms" for part in before)
    print(f"CPU per POST: {cpu} ({os.cpu_count()} cores, {os.cpu_count() * elapsed * 1000 / sent:.1f} core-ms per POST available)")
    lost = count - stored["responses"]
    print(
        f"count check: {stored['responses']} responses stored for {count} distinct submissions "
        f"(lost {lost}, doubled {max(0, -lost)}); {stored['completed_invitations']} invitations completed; {stored['drafts_left']} drafts left"
    )
    ok = lost == 0 and stored["completed_invitations"] == count and stored["drafts_left"] == 0
    print("result: " + ("no loss, no duplicate" if ok else "MISMATCH"))
    from django.db import connections

    connections.close_all()
    if not args.keep_database:
        recreate_database(admin, name)
        import psycopg

        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
