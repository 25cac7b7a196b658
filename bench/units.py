"""The whole country's units: import every Vietnamese commune before and after the 2025 reform,
then time a unit's comparison baseline through lineage with all of it loaded.

    .venv/bin/python bench/units.py [--data ../shared/reference-data/units-vn-2025] [--lookups 200]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/chiso .venv/bin/python bench/units.py

What it does, all on this machine:

1. a throw-away database (SQLite in a temporary folder, or `<name>_bench_units` next to a local
   PostgreSQL DATABASE_URL), migrated (not timed);
2. turns the reference lists (units-vn-2025/SOURCE.md: the statistics office's list of 01/03/2025 and
   the 01/07/2025 mapping) into the files a province would import, with the official codes as they
   are — new communes keep a predecessor's code: 696 districts and 10,047 communes ending 30/06/2025
   (blocks `district`, `commune_pre2025`), 3,321 communes from 01/07/2025 (`commune`) and 10,604
   lineage rows (not timed);
3. timed: `import_units` of the three files, all or nothing, with its audit records; then the same
   files again (nothing changes);
4. timed: `unit_predecessor_weights` for random new communes in a 2024 period (their former
   communes), each on its own.

Prints the figures; asserts nothing (a benchmark is not a test). Targets: import under 20 s; a
baseline in milliseconds.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import io
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "reference-data" / "units-vn-2025"
LAST_DAY, FIRST_DAY = "30/06/2025", "01/07/2025"


def national_lists(before: dict, after: dict) -> dict[str, bytes]:
    """The reference JSON as three CSV files in import_units' format, official codes as they are."""
    units_before = [("official_code", "name_vi", "block", "parent_code", "valid_to")]
    for province in before["data"]:
        for district in province["level2s"]:
            units_before.append((district["level2_id"], district["name"], "district", "", LAST_DAY))
            for commune in district["level3s"]:
                units_before.append((commune["level3_id"], commune["name"], "commune_pre2025", district["level2_id"], LAST_DAY))
    units_after = [("official_code", "name_vi", "block", "valid_from")]
    lineage = [("predecessor_code", "successor_code", "date", "kind", "share")]
    for province in after["data"]:
        for commune in province["level2s"]:
            units_after.append((commune["level2_id"], commune["name"], "commune", FIRST_DAY))
            share = f"{1 / len(commune['merges']):.4f}"  # each former unit alike: no weights are published
            for old in commune["merges"]:
                lineage.append((old["old_id"], commune["level2_id"], FIRST_DAY, "merge", share))

    def as_csv(rows) -> bytes:
        out = io.StringIO()
        csv.writer(out).writerows(rows)
        return out.getvalue().encode("utf-8")

    return {"units_before.csv": as_csv(units_before), "units_after.csv": as_csv(units_after),
            "lineage.csv": as_csv(lineage)}


def database(var_dir: Path) -> tuple[str, str | None, str | None]:
    base = os.environ.get("DATABASE_URL", "")
    parsed = urlparse(base)
    if parsed.scheme in ("postgres", "postgresql") and parsed.hostname in ("127.0.0.1", "localhost"):
        name = f"{parsed.path.lstrip('/') or 'chiso'}_bench_units"
        return urlunparse(parsed._replace(path=f"/{name}")), urlunparse(parsed._replace(path="/postgres")), name
    return f"sqlite:///{var_dir / 'bench.sqlite3'}", None, None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--lookups", type=int, default=200)
    args = parser.parse_args()
    before = json.loads((args.data / "dvhcvn_20250301.json").read_text(encoding="utf-8"))
    after = json.loads((args.data / "merges.json").read_text(encoding="utf-8"))
    files = national_lists(before, after)

    with tempfile.TemporaryDirectory(prefix="chiso-bench-units-") as var:
        url, admin_url, name = database(Path(var))
        if admin_url:
            import psycopg

            with psycopg.connect(admin_url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                conn.execute(f'CREATE DATABASE "{name}"')
        os.environ.update({"DATABASE_URL": url, "CHISO_VAR_DIR": var, "CHISO_DEBUG": "1",
                           "DJANGO_SETTINGS_MODULE": "chiso.settings"})
        sys.path.insert(0, str(ROOT / "src"))
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        from chiso.units.importing import units_import
        from chiso.units.models import Period, Unit, UnitSuccession
        from chiso.units.queries import unit_predecessor_weights

        rows = {name: content.count(b"\n") - 1 for name, content in files.items()}
        print(f"files: {rows['units_before.csv']} units before, {rows['units_after.csv']} after, "
              f"{rows['lineage.csv']} lineage rows")
        # CPU time beside the wall clock: SQLite works in this process, so on a machine shared with other
        # work the CPU time is what the import itself costs.
        start, cpu = time.perf_counter(), time.process_time()
        summary = units_import(files=list(files.items()), by=None)
        first = time.perf_counter() - start
        print(f"import_units, empty database: {first:.2f} s (CPU {time.process_time() - cpu:.2f} s) — "
              f"{summary.units_created} units, {summary.lineage_created} lineage rows created (target < 20 s)")
        start, cpu = time.perf_counter(), time.process_time()
        again = units_import(files=list(files.items()), by=None)
        print(f"import_units, the same files again: {time.perf_counter() - start:.2f} s (CPU {time.process_time() - cpu:.2f} s) — "
              f"{again.units_unchanged} units and {again.lineage_unchanged} lineage rows unchanged")
        print(f"in the database: {Unit.objects.count()} units, {UnitSuccession.objects.count()} lineage rows")

        period = Period.objects.create(code="2024", year=2024, name_vi="Năm 2024", start_date=datetime.date(2024, 1, 1),
                                       end_date=datetime.date(2024, 12, 31))
        communes = list(Unit.objects.filter(block__code="commune"))
        picked = random.Random(2025).sample(communes, min(args.lookups, len(communes)))
        times = []
        for unit in picked:
            start = time.perf_counter()
            weights = unit_predecessor_weights(unit, period)
            times.append(time.perf_counter() - start)
            assert weights, unit.code  # every new commune comes from former ones
        times.sort()
        print(f"baseline through lineage ({len(times)} new communes, 2024): median {statistics.median(times) * 1000:.1f} ms, "
              f"p95 {times[int(len(times) * 0.95) - 1] * 1000:.1f} ms, max {times[-1] * 1000:.1f} ms")


if __name__ == "__main__":
    main()
