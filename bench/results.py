"""Speed of the results people read: ranking, scorecard and API results pages under 20 clients,
and the time to build every scorecard PDF, on the demo multiplied to 10 periods × 200 units.

    .venv/bin/python bench/results.py [--requests 300] [--workers 4]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/chiso .venv/bin/python bench/results.py

What it does, all on this machine (127.0.0.1 only), bounded in count and time, stopping by itself:

1. a throw-away database (SQLite in a temporary folder, or `<name>_bench_results` next to a local
   PostgreSQL DATABASE_URL), migrated, with the demo loaded (not timed);
2. the demo multiplied: 180 more departments (200 in the block) and ten periods 2016–2025, each
   with synthetic DDCI values for every department and a published DDCI-SO run (not timed);
3. timed: all 200 scorecard PDFs of the latest run, one after the other in this process, as the
   background job builds them (this also draws and caches every scorecard's charts);
4. starts gunicorn (production settings) on a free port of 127.0.0.1 and, timed: 20 client
   threads request, in turn, the public ranking page of the latest run, the scorecard page of a
   random department, and the API's results of the run (JSON, 100 rows a page, a random page).

Prints p50, p95 and the maximum per page, and the PDF figures; asserts nothing (a benchmark is
not a test). Targets: p95 ≤ 200 ms for pages; PDFs ≤ 1 s each.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"
CLIENTS = 20
UNITS = 200
YEARS = list(range(2016, 2026))  # ten periods
DEADLINE_SECONDS = 300


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def database(var_dir: Path) -> tuple[str, str | None, str | None]:
    """(DATABASE_URL for the bench, admin URL, database name) — PostgreSQL if DATABASE_URL names a local one."""
    base = os.environ.get("DATABASE_URL", "")
    parsed = urlparse(base)
    if parsed.scheme in ("postgres", "postgresql") and parsed.hostname in ("127.0.0.1", "localhost"):
        name = f"{parsed.path.lstrip('/') or 'chiso'}_bench_results"
        return urlunparse(parsed._replace(path=f"/{name}")), urlunparse(parsed._replace(path="/postgres")), name
    return f"sqlite:///{var_dir / 'bench.sqlite3'}", None, None


def recreate_database(admin_url: str, name: str, *, drop_only: bool = False) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            conn.execute(f'CREATE DATABASE "{name}"')


def prepare() -> dict:
    """Inside Django: the demo, then 200 departments × 10 periods of published DDCI runs."""
    import datetime
    import zlib

    import django

    django.setup()
    import numpy as np

    from chiso.site.demo import demo_load
    from chiso.frameworks.models import Framework, Node
    from chiso.indices.models import IndexRun, IndicatorValue
    from chiso.indices.services import run_create, run_publish
    from chiso.units.models import Block, Period, Unit

    demo_load()
    block = Block.objects.get(code="department")
    have = Unit.objects.active_in(Period.objects.get(code="2025")).filter(block=block).count()
    Unit.objects.bulk_create(
        Unit(code=f"S-B{n:03d}", name_vi=f"Sở thử nghiệm số {n}", block=block) for n in range(1, UNITS - have + 1)
    )
    framework = Framework.objects.get(code="DDCI-SO")
    version = framework.versions.order_by("-number").first()
    indicators = list(version.nodes.filter(type=Node.Type.INDICATOR))
    runs = []
    for year in YEARS:
        period, _ = Period.objects.get_or_create(code=str(year), defaults={
            "year": year, "name_vi": f"Năm {year}", "name_en": f"Year {year}",
            "start_date": datetime.date(year, 1, 1), "end_date": datetime.date(year, 12, 31)})
        units = list(Unit.objects.active_in(period).filter(block=block).order_by("code"))
        rng = np.random.default_rng(zlib.crc32(f"bench|{year}".encode()))
        quality = rng.normal(0, 1, len(units))
        IndicatorValue.objects.filter(framework=framework, period=period, unit__in=units).delete()
        IndicatorValue.objects.bulk_create(
            IndicatorValue(framework=framework, period=period, unit=unit, code=node.code, source="bench (synthetic)",
                           value=round(20 + 70 / (1 + np.exp(-(0.8 * quality[i] * node.direction + 0.6 * rng.normal()))), 1))
            for i, unit in enumerate(units) for node in indicators
        )
        republish = IndexRun.objects.filter(version__framework=framework, period=period, block=block,
                                            status=IndexRun.Status.PUBLISHED).exists()
        runs.append(run_publish(run=run_create(by=None, version=version, period=period, block=block), by=None,
                                reason="bench: the demo multiplied" if republish else ""))
    latest = runs[-1]
    codes = list(latest.scores.filter(code=latest.details["top"]).values_list("unit__code", flat=True))
    return {"run": latest.pk, "units": codes, "runs": len(runs)}


def build_pdfs(run_id: int) -> list[float]:
    from django.utils import translation

    from chiso.indices.models import IndexRun
    from chiso.results.queries import ranking_get, scorecard_get
    from chiso.results.reports import scorecard_pdf

    translation.activate("vi")
    run = IndexRun.objects.select_related("version__framework", "period", "block").get(pk=run_id)
    times = []
    for row in ranking_get(run).rows:
        start = time.perf_counter()
        scorecard_pdf(scorecard_get(run, row.unit))
        times.append(time.perf_counter() - start)
    return times


def get(port: int, path: str) -> tuple[int, float, int]:
    start = time.perf_counter()
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        connection.request("GET", path, headers={"Host": HOST})
        response = connection.getresponse()
        body = response.read()
        return response.status, time.perf_counter() - start, len(body)
    finally:
        connection.close()


def load(port: int, pages: dict, requests_each: int) -> dict:
    """20 threads take turns over the page kinds until each kind got `requests_each` requests."""
    latencies: dict[str, list[float]] = {kind: [] for kind in pages}
    statuses: dict = {}
    lock = threading.Lock()
    remaining = {kind: requests_each for kind in pages}
    deadline = time.monotonic() + DEADLINE_SECONDS

    def worker(seed: int):
        rng = random.Random(seed)
        kinds = list(pages)
        k = seed
        while time.monotonic() < deadline:
            with lock:
                open_kinds = [kind for kind in kinds if remaining[kind] > 0]
                if not open_kinds:
                    return
                kind = open_kinds[k % len(open_kinds)]
                remaining[kind] -= 1
            k += 1
            try:
                status, elapsed, _size = get(port, pages[kind](rng))
            except OSError as error:
                status, elapsed = type(error).__name__, None
            with lock:
                statuses[status] = statuses.get(status, 0) + 1
                if elapsed is not None:
                    latencies[kind].append(elapsed)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(CLIENTS)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {"elapsed": time.perf_counter() - start, "latencies": latencies, "statuses": statuses}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=300, help="requests per page kind (default 300)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (default 4)")
    args = parser.parse_args()
    requests_each = max(20, min(args.requests, 5000))

    var_dir = Path(tempfile.mkdtemp(prefix="chiso-bench-results-"))
    url, admin, name = database(var_dir)
    env = {
        **os.environ, "DATABASE_URL": url, "CHISO_SECRET_KEY": secrets.token_urlsafe(40), "CHISO_ALLOWED_HOSTS": HOST,
        "CHISO_VAR_DIR": str(var_dir), "CHISO_SECURE_COOKIES": "0", "CHISO_DB_CONN_MAX_AGE": "600", "CHISO_DEBUG": "",
        "DJANGO_SETTINGS_MODULE": "chiso.settings", "CHISO_API_ANON_RATE": "1000000/m",
        "CHISO_EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",  # the demo sends invitations
    }
    print(f"database {'PostgreSQL ' + name if name else 'SQLite'} in {var_dir}; {UNITS} units × {len(YEARS)} periods; "
          f"{CLIENTS} clients; gunicorn {args.workers} workers; {requests_each} requests per page")
    if admin:
        recreate_database(admin, name)
    python = sys.executable
    subprocess.run([python, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run([python, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    os.environ.update(env)
    sys.path.insert(0, str(ROOT / "src"))
    started = time.perf_counter()
    data = prepare()
    print(f"prepared the demo and {data['runs']} published runs of {len(data['units'])} departments in "
          f"{time.perf_counter() - started:.0f}s (not timed)")

    pdf_times = build_pdfs(data["run"])
    print(f"scorecard PDFs: {len(pdf_times)} built in {sum(pdf_times):.1f}s; per PDF mean {statistics.mean(pdf_times):.2f}s, "
          f"p95 {percentile(pdf_times, 0.95):.2f}s, max {max(pdf_times):.2f}s (first one loads the fonts) — target ≤ 1 s each")

    import base64

    from django.db import connections

    from chiso.indices.models import RunScore

    run, units = data["run"], data["units"]
    # Cursors into the run's results as the API hands them out (p = a row's primary key).
    ids = RunScore.objects.filter(run_id=run).order_by("pk").values_list("pk", flat=True)[::100]
    cursors = [base64.b64encode(f"p={pk}".encode()).decode() for pk in ids]
    connections.close_all()
    pages = {
        "ranking": lambda rng: f"/public/runs/{run}/",
        "scorecard": lambda rng: f"/public/runs/{run}/units/{rng.choice(units)}/",
        "API results": lambda rng: f"/api/v1/runs/{run}/results?page_size=100&cursor={rng.choice(cursors)}",
    }
    port = free_port()
    server = subprocess.Popen(
        [python, "-m", "gunicorn", "chiso.wsgi", "--bind", f"{HOST}:{port}", "--workers", str(args.workers),
         "--backlog", "256", "--log-level", "warning"],
        cwd=ROOT, env=env, start_new_session=True,
    )
    try:
        for _ in range(100):
            try:
                get(port, "/public/")
                break
            except OSError:
                time.sleep(0.1)
        for _ in range(args.workers * 2):  # each worker reads the ranking once into its cache (not timed)
            for kind, path in pages.items():
                get(port, path(random.Random(0)))
        result = load(port, pages, requests_each)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    print(f"{sum(result['statuses'].values())} requests in {result['elapsed']:.1f}s; statuses {result['statuses']}; "
          f"load average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (other work on the machine inflates every figure)")
    for kind, values in result["latencies"].items():
        print(f"{kind:12s} p50 {1000 * percentile(values, 0.5):6.0f} ms   p95 {1000 * percentile(values, 0.95):6.0f} ms   "
              f"max {1000 * max(values):6.0f} ms   ({len(values)} requests) — target p95 ≤ 200 ms")
    if admin:
        recreate_database(admin, name, drop_only=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
