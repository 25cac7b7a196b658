"""Demo one-stop-shop statistics for every unit of every demo period, imported through the
standard CSV format (2023 twice: a corrected file replaces the first), and published Decision 766
runs that read them together with the feedback figures.

Every count is synthetic, made with a fixed seed; the runs' other 766 items are synthetic too
and their source says so.
"""

from __future__ import annotations

import csv
import io
import random
import zlib

from chiso.accounts.models import Role, User
from chiso.feedback.services import feedback_indicators_publish
from chiso.frameworks.models import Framework, Node
from chiso.frameworks.queries import framework_version_for
from chiso.indices.models import IndexRun, IndicatorValue
from chiso.indices.services import ValueEntry, indicator_values_set, run_create, run_publish
from chiso.units.models import Block, Period, Unit

from .fields import FIELD_NAMES, STANDARD_MAPPING
from .importing import service_stats_import
from .models import SourceFormat, StatImport

SYNTHETIC = "Dữ liệu mô phỏng (demo) — synthetic"
# block → typical dossiers a year
SIZE = {"department": (600, 9000), "central_agency": (1500, 20000), "district": (3000, 16000), "commune": (300, 3500)}
# year → (share online, share of online that is full-process, digitised, synced)
LEVELS = {2022: (0.18, 0.35, 0.30, 0.70), 2023: (0.32, 0.45, 0.50, 0.85), 2025: (0.58, 0.60, 0.80, 0.96)}
QD766_RUNS = [("department", "2023"), ("department", "2025"), ("commune", "2025")]


def demo_csv(period: Period, *, correction: bool = False) -> bytes:
    rng = random.Random(zlib.crc32(f"stats|{period.code}|{correction}".encode()))
    online, full, digitised, synced = LEVELS.get(period.year, LEVELS[2023])
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([STANDARD_MAPPING[f] for f in ["unit", *FIELD_NAMES]])
    for unit in Unit.objects.active_in(period).select_related("block").order_by("code"):
        low, high = SIZE.get(unit.block.code, SIZE["department"])
        quality = rng.gauss(0, 1)
        received = rng.randint(low, high)
        on_line = int(received * min(0.98, max(0.0, online + 0.08 * quality + rng.gauss(0, 0.05))))
        on_full = int(on_line * min(1.0, max(0.0, full + rng.gauss(0, 0.1))))
        post = int((received - on_line) * 0.03)
        in_person = received - on_line - post
        pending = int(received * rng.uniform(0.01, 0.06))
        settled = received - pending
        late = int(settled * max(0.0, rng.gauss(0.02 - 0.012 * quality, 0.015)))
        early = int((settled - late) * rng.uniform(0.2, 0.6))
        fees = int(received * rng.uniform(0.2, 0.6))
        row = {
            "unit": unit.code, "received_online_full": on_full, "received_online_partial": on_line - on_full,
            "received_in_person": in_person, "received_post": post, "processed_early": early,
            "processed_on_time": settled - late - early, "processed_late": late, "pending": pending,
            "digitised": int(received * min(1.0, max(0.0, digitised + 0.1 * quality + rng.gauss(0, 0.05)))),
            "results_electronic": int(settled * min(1.0, max(0.0, digitised - 0.1 + rng.gauss(0, 0.08)))),
            "fee_bearing": fees, "paid_online": int(fees * min(1.0, max(0.0, online * 0.8 + rng.gauss(0, 0.08)))),
            "synced": int(received * min(1.0, max(0.0, synced + 0.03 * quality + rng.gauss(0, 0.02)))),
        }
        writer.writerow([row[f] for f in ["unit", *FIELD_NAMES]])
    return out.getvalue().encode("utf-8-sig")


OTHER_766_CODES = ["G1.1", "G1.2", "G1.3", "G2.2", "G3.3", "G4.1", "G5.3"]


def _other_766_values(period: Period, block: Block) -> None:
    """The 766 items that neither the one-stop statistics nor the feedback give (publication of
    procedures, processing time, data reuse, procedures online, SIPAS-type satisfaction)."""
    framework = Framework.objects.filter(code="QD766").first()
    version = framework_version_for(framework, period, block)
    rng = random.Random(zlib.crc32(f"766|{period.code}|{block.code}".encode()))
    nodes = list(version.nodes.filter(type=Node.Type.INDICATOR, code__in=OTHER_766_CODES))
    units = list(Unit.objects.active_in(period).filter(block=block))
    filled = set(IndicatorValue.objects.filter(framework=framework, period=period, unit__in=units,
                                               code__in=OTHER_766_CODES).values_list("unit_id", "code"))
    entries = []
    for unit in units:
        for node in nodes:
            if (unit.pk, node.code) in filled:
                continue
            share = min(1.0, max(0.0, rng.gauss(0.85, 0.1)))
            entries.append(ValueEntry(unit=unit, code=node.code, value=round(share * node.max_points, 2), source=SYNTHETIC))
    # One call for the block (the same door and audit records as one call per value, in a few queries).
    indicator_values_set(framework=framework, period=period, entries=entries, by=None, source_kind="synthetic")


def _runs(by) -> None:
    framework = Framework.objects.filter(code="QD766").first()
    if framework is None:
        return
    for block_code, period_code in QD766_RUNS:
        period = Period.objects.filter(code=period_code).first()
        block = Block.objects.filter(code=block_code).first()
        if period is None or block is None or IndexRun.objects.filter(version__framework=framework, period=period, block=block).exists():
            continue
        version = framework_version_for(framework, period, block)
        if version is None:
            continue
        feedback_indicators_publish(period=period, by=by)
        _other_766_values(period, block)
        run = run_create(version=version, period=period, block=block, by=by,
                         title=f"Chỉ số phục vụ người dân, doanh nghiệp (766) — {block.name_vi} — {period.name_vi}")
        run_publish(run=run, by=by)


def load() -> None:
    by = User.objects.filter(role=Role.SECRETARIAT, is_active=True).order_by("pk").first()
    standard = SourceFormat.objects.filter(code="chuan").first()
    for period in Period.objects.order_by("start_date"):
        if StatImport.objects.filter(period=period).exists():
            continue  # a second demo load changes nothing
        if period.year == 2023:
            service_stats_import(period=period, source_format=standard, file_name=f"mot-cua-{period.code}-demo.csv",
                                 content=demo_csv(period, correction=False), by=by)
        service_stats_import(period=period, source_format=standard,
                             file_name=f"mot-cua-{period.code}-demo{'-dieu-chinh' if period.year == 2023 else ''}.csv",
                             content=demo_csv(period, correction=period.year == 2023), by=by)
    _runs(by)

