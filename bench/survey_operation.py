"""Speed of the survey operation (Surveys II): frame import, indicator table, exports.

    .venv/bin/python bench/survey_operation.py [--frame 50000] [--respondents 2000] [--units 40]
        [--questions 60] [--rated 40] [--responses 100000]

Runs against a throw-away SQLite database in a temporary folder (or, with
DATABASE_URL=postgres://…@127.0.0.1:5432/NAME, a throw-away database NAME_bench_operation),
and prints for each step its time and its peak memory: the growth of the resident set of a
child process that runs only that step (forked after the data is in place), so the figure is
what the step itself needs; the readstat program a step starts (it writes the SPSS and Stata
files) is reported beside it with its own peak, sampled from /proc. Asserts nothing (a benchmark is not a test).

1. import of a frame of 50,000 businesses (CSV, every row checked: tax code check digit, VSIC,
   size, e-mail, phone; stored in one transaction);
2. the unit × indicator table for 2,000 respondents who each rate 40 units on 60 questions
   (4.8 million answers), 60 rules (shares of "agree"), unweighted, plus the respondent-level rows;
3. export of 100,000 responses of the example DDCI form (three rated departments each) as CSV
   (zip), XLSX, SPSS and Stata (through readstat when it is installed, else pyreadstat in memory).
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import resource
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))


def _setup_django(folder: Path) -> None:
    os.environ.setdefault("CHISO_DEBUG", "1")
    os.environ["CHISO_VAR_DIR"] = str(folder)
    base = os.environ.get("DATABASE_URL", "")
    if base:
        import psycopg

        parsed = urlparse(base)
        name = f"{parsed.path.lstrip('/') or 'chiso'}_bench_operation"
        with psycopg.connect(urlunparse(parsed._replace(path="/postgres")), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        os.environ["DATABASE_URL"] = urlunparse(parsed._replace(path=f"/{name}"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chiso.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _rss_kib() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def _watch_program(name: str, stop, peak: list) -> None:
    """The highest peak resident set (VmHWM) of this process's children called `name`, sampled every
    20 ms. getrusage(RUSAGE_CHILDREN) cannot tell it: Linux counts in a child's peak the memory of the
    Python process it was forked from, up to the moment it started the program."""
    me = os.getpid()
    while not stop.wait(0.02):
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    command, rest = stat.read().rsplit(")", 1)
                if int(rest.split()[1]) != me or not command.endswith(f"({name}"):
                    continue
                with open(f"/proc/{entry}/status") as status:
                    for line in status:
                        if line.startswith("VmHWM:"):
                            peak[0] = max(peak[0], int(line.split()[1]))
            except (OSError, ValueError, IndexError):
                continue  # the process ended meanwhile


def measured(label: str, work) -> None:
    """Run `work()` in a forked child; print its time and the growth of its peak resident set."""
    from django.db import connections

    connections.close_all()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        stop, helper = threading.Event(), [0]
        threading.Thread(target=_watch_program, args=("readstat", stop, helper), daemon=True).start()
        try:
            before = _rss_kib()
            start = time.perf_counter()
            note = work() or ""
            seconds = time.perf_counter() - start
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
            stop.set()
            if helper[0]:
                note = f"{note}   (+ readstat peak {helper[0] / 1024:.1f} MiB)".strip()
            message = f"{label:<58} {seconds:8.2f} s   peak +{max(peak - before, 0) / 1024:7.1f} MiB   {note}"
        except Exception as error:  # report and go on with the next step
            message = f"{label:<58} failed: {error!r}"
        os.write(write, message.encode())
        os._exit(0)
    os.close(write)
    os.waitpid(pid, 0)
    with os.fdopen(read) as pipe:
        print(pipe.read(), flush=True)


# --- 1. frame ---------------------------------------------------------------------------------

def frame_content(n: int) -> bytes:
    from chiso.surveys.fieldwork.frames import TAX_WEIGHTS

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Mã số thuế", "Tên doanh nghiệp", "Loại hình", "Ngành VSIC", "Số lao động", "Xã, phường", "Địa chỉ", "Email", "Điện thoại"])
    sectors = ["0111", "1010", "4100", "4711", "5510", "4933", "6201", "8559"]
    for i in range(1, n + 1):
        body = f"48{i:07d}"
        code = body + str((10 - sum(int(d) * w for d, w in zip(body, TAX_WEIGHTS)) % 11) % 10)
        writer.writerow([code, f"Công ty TNHH Thử nghiệm {i:06d}", "Công ty TNHH", sectors[i % 8], 1 + i % 250, f"Xã {i % 56}",
                         f"Số {i % 300}, tổ {i % 20}", f"dn{i}@example.vn", f"09{i:08d}"])
    return out.getvalue().encode("utf-8")


# --- 2. indicator table -------------------------------------------------------------------------

def rating_form(questions: int) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "survey"
    sheet.append(["type", "name", "label", "required", "calculation", "repeat_count", "appearance"])
    sheet.append(["select_multiple_from_file units_department.csv", "don_vi", "Đơn vị", "yes", "", "", ""])
    sheet.append(["begin_repeat", "danh_gia", "Đánh giá", "", "", "count-selected(${don_vi})", ""])
    sheet.append(["calculate", "ma_don_vi", "", "", "selected-at(${don_vi}, position(..) - 1)", "", ""])
    for q in range(1, questions + 1):
        sheet.append(["select_one dong_y", f"c{q:02d}", f"Câu {q}", "yes", "", "", "likert"])
    sheet.append(["end_repeat", "", "", "", "", "", ""])
    choices = book.create_sheet("choices")
    choices.append(["list_name", "name", "label"])
    for value in range(1, 6):
        choices.append(["dong_y", str(value), f"Mức {value}"])
    settings = book.create_sheet("settings")
    settings.append(["form_id", "version"])
    settings.append(["bench_rating", "1"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def framework_yaml(questions: int) -> bytes:
    lines = ["framework: {code: BENCH, name_vi: Bench, name_en: Bench, method: composite}",
             "version: {label: '1', applies_from: 2025, blocks: [department]}",
             "steps:", "  - normalise: {method: minmax, l_u: [1, 10]}", "  - aggregate: {method: amean}",
             "iMeta:", "  - {iCode: TOP, Level: 2, Type: Aggregate, iName: Top, name_vi: Top}"]
    lines += [f"  - {{iCode: i{q:02d}, Level: 1, Parent: TOP, Type: Indicator, Direction: 1, iName: I{q}, name_vi: I{q}}}" for q in range(1, questions + 1)]
    return "\n".join(lines).encode()


def prepare_indicators(respondents: int, units: int, questions: int, rated: int):
    import datetime

    import numpy as np
    from django.utils import timezone

    from chiso.frameworks.services import framework_import
    from chiso.surveys.fieldwork.indicators import indicator_rules_import
    from chiso.surveys.models import Response
    from chiso.surveys.services import questionnaire_import, survey_create
    from chiso.units.models import Block, Period, Unit
    from chiso.units.standard_blocks import ensure_standard_blocks

    ensure_standard_blocks(Block)
    period, _created = Period.objects.get_or_create(code="2025", defaults={"year": 2025, "name_vi": "2025", "start_date": datetime.date(2025, 1, 1), "end_date": datetime.date(2025, 12, 31)})
    department = Block.objects.get(code="department")
    for u in range(units):
        Unit.objects.get_or_create(code=f"B-{u:02d}", defaults={"name_vi": f"Sở thử {u:02d}", "block": department})
    version = questionnaire_import(file_name="bench_rating.xlsx", content=rating_form(questions)).version
    now = timezone.now()
    survey = survey_create(code="bench-rating", title_vi="Bench", period=period, version=version, opens_at=now, closes_at=now + datetime.timedelta(days=1))
    framework = framework_import(file_name="bench.yaml", content=framework_yaml(questions)).version.framework
    rules = "indicator,question,statistic,values\n" + "".join(f"i{q:02d},c{q:02d},share,4 5\n" for q in range(1, questions + 1))
    indicator_rules_import(survey=survey, framework=framework, file_name="rules.csv", content=rules.encode())
    rng = np.random.default_rng(1)
    codes = [f"B-{u:02d}" for u in range(units)]
    batch = []
    for r in range(respondents):
        picked = list(rng.choice(codes, size=rated, replace=False))
        values = rng.integers(1, 6, size=(rated, questions))
        entries = [{"ma_don_vi": code, **{f"c{q + 1:02d}": str(values[i, q]) for q in range(questions)}} for i, code in enumerate(picked)]
        batch.append(Response(id=uuid.uuid4(), survey=survey, version=version, answers={"don_vi": picked, "danh_gia": entries}, rated_units=picked,
                              channel="web", submitted_on=datetime.date(2025, 5, 1), idempotency_key=uuid.uuid4().hex))
        if len(batch) == 200:
            Response.objects.bulk_create(batch)
            batch = []
    Response.objects.bulk_create(batch)
    return survey, framework


# --- 3. exports ---------------------------------------------------------------------------------

def store_ddci_responses(survey, version, responses: int, *, comments: bool = False) -> None:
    """Store `responses` answers of the example DDCI form (three rated departments each, seed 2)
    straight through the model, in batches; with `comments`, a free-text answer too, a
    formula-like one every 1,000th (what an export must write as text)."""
    import datetime

    import numpy as np

    from chiso.surveys.models import Response

    rng = np.random.default_rng(2)
    codes = [f"B-{u:02d}" for u in range(20)]
    batch = []
    for r in range(responses):
        picked = list(rng.choice(codes, size=3, replace=False))
        entries = [{"ma_don_vi": c, "ten_don_vi": f"Sở thử {c[2:]}", "minh_bach": str(rng.integers(1, 6)), "nang_dong": str(rng.integers(1, 6)),
                    "canh_tranh": str(rng.integers(1, 6)), "so_lan_di_lai": int(rng.integers(0, 8)), "chi_phi_khong_chinh_thuc": "khong",
                    "diem_chung": int(rng.integers(1, 11))} for c in picked]
        answers = {"loai_hinh": "tnhh", "nganh_nghe": ["nong_lam", "cong_nghiep", "thuong_mai", "du_lich"][r % 4], "so_lao_dong": int(rng.integers(1, 300)),
                   "nam_thanh_lap": int(rng.integers(1995, 2024)), "don_vi_lien_he": picked, "hinh_thuc_lien_he": "truc_tuyen",
                   "danh_gia_count": "3", "danh_gia": entries, "can_cai_thien": ["thu_tuc"]}
        if comments:
            answers["gop_y"] = "=HYPERLINK(\"http://evil.example\")" if r % 1000 == 0 else f"Góp ý số {r}"
        batch.append(Response(id=uuid.uuid4(), survey=survey, version=version, answers=answers, rated_units=picked, channel="web",
                              submitted_on=datetime.date(2025, 5, 1 + r % 28), idempotency_key=uuid.uuid4().hex, duration_seconds=int(rng.integers(120, 1200))))
        if len(batch) == 2000:
            Response.objects.bulk_create(batch)
            batch = []
    Response.objects.bulk_create(batch)


def prepare_exports(responses: int):
    import datetime

    from django.utils import timezone

    from chiso.surveys.services import questionnaire_import, survey_create
    from chiso.units.models import Period

    path = ROOT / "docs" / "examples" / "ddci_departments.xlsx"
    version = questionnaire_import(file_name=path.name, content=path.read_bytes()).version
    now = timezone.now()
    survey = survey_create(code="bench-export", title_vi="Bench export", period=Period.objects.get(code="2025"), version=version,
                           opens_at=now, closes_at=now + datetime.timedelta(days=1))
    store_ddci_responses(survey, version, responses)
    return survey


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--frame", type=int, default=50_000)
    parser.add_argument("--respondents", type=int, default=2000)
    parser.add_argument("--units", type=int, default=40)
    parser.add_argument("--questions", type=int, default=60)
    parser.add_argument("--rated", type=int, default=40, help="units each respondent rates")
    parser.add_argument("--responses", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        _setup_django(Path(folder))
        from django.db import connection

        print(f"database: {connection.vendor}; {os.cpu_count()} cores; figures: wall time, peak resident memory the step adds", flush=True)
        from chiso.surveys.fieldwork.frames import frame_import

        content = frame_content(args.frame)
        measured(f"1. frame import, {args.frame:,} businesses ({len(content) / 1e6:.1f} MB CSV)",
                 lambda: f"{frame_import(name='bench', file_name='frame.csv', content=content).entries:,} stored")

        t = time.perf_counter()
        survey, framework = prepare_indicators(args.respondents, args.units, args.questions, args.rated)
        print(f"   (prepared {args.respondents:,} responses × {args.rated} units × {args.questions} questions in {time.perf_counter() - t:.0f} s)", flush=True)
        from chiso.surveys.fieldwork.indicators import indicator_table

        def table():
            result = indicator_table(survey=survey, framework=framework)
            return f"{len(result.units)} units × {len(result.codes)} indicators, {len(result.rows['value']):,} respondent-level rows"

        measured(f"2. indicator table, {args.respondents:,} × {args.units} units × {args.questions} questions", table)

        t = time.perf_counter()
        export_survey = prepare_exports(args.responses)
        print(f"   (prepared {args.responses:,} responses in {time.perf_counter() - t:.0f} s)", flush=True)
        from chiso.surveys.fieldwork.exports import csv_stream, survey_export

        def stream():
            size = sum(len(chunk) for chunk in csv_stream(export_survey))
            return f"{size / 1e6:.1f} MB"

        measured(f"3a. streamed CSV (responses table), {args.responses:,} responses", stream)
        for fmt in ("csv", "xlsx", "sav", "dta"):
            target = Path(folder) / f"export.{fmt}"

            def export(fmt=fmt, target=target):
                survey_export(survey=export_survey, fmt=fmt, target=target)
                return f"{target.stat().st_size / 1e6:.1f} MB"

            measured(f"3b. export {fmt.upper()}, {args.responses:,} responses (+ ratings table)", export)
        import shutil

        if shutil.which("readstat"):  # the same files as a server without readstat writes them
            for fmt in ("sav", "dta"):
                target = Path(folder) / f"export-memory.{fmt}"

                def in_memory(fmt=fmt, target=target):
                    from chiso.surveys.fieldwork import exports

                    exports.shutil.which = lambda name: None  # only in the forked child that runs this step
                    survey_export(survey=export_survey, fmt=fmt, target=target)
                    return f"{target.stat().st_size / 1e6:.1f} MB"

                measured(f"3c. export {fmt.upper()} without readstat (pyreadstat in memory)", in_memory)
    return 0


if __name__ == "__main__":
    sys.exit(main())
