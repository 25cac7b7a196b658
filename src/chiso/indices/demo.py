"""Demo data of the indices app: published national results (real), and synthetic indicator
values with published DDCI 2022 and 2023 runs for Cao Bằng. (The PAR Index runs come from the
assessment cycles: chiso.assessments.demo.)

Every indicator value here is made up with a fixed seed; its source says so.
"""

import zlib
from pathlib import Path

import numpy as np

from chiso.frameworks.models import Framework, FrameworkVersion, Node
from chiso.frameworks.queries import framework_version_for
from chiso.units.models import Block, Period, Unit

from .models import IndexRun
from .national import national_results_import
from .services import ValueEntry, indicator_values_set, run_create, run_publish
from .uncertainty import run_uncertainty_compute

NATIONAL = Path(__file__).resolve().parent / "data" / "national"
SYNTHETIC = "Dữ liệu mô phỏng (demo) — synthetic"
# (framework code, block code, period codes to publish)
DEMO_RUNS = [
    ("DDCI-SO", "department", ["2022", "2023"]),
    ("DDCI-XA", "district", ["2022", "2023"]),
]


def _national() -> None:
    for path in sorted(NATIONAL.glob("pci_*_vcci_workbook.csv")):
        national_results_import(file_name=path.name, content=path.read_bytes(), year=int(path.name[4:8]),
                                source="VCCI, PCI " + path.name[4:8], by=None)
    for path in sorted(NATIONAL.glob("papi_*_dataset.csv")):
        national_results_import(file_name=path.name, content=path.read_bytes(), year=int(path.name[5:9]),
                                source="UNDP/CECODES, PAPI " + path.name[5:9], by=None)


def _synthetic_values(version: FrameworkVersion, period: Period, block: Block) -> None:
    """Made-up values for the indicators of `version` (the one that applies to the period and block)."""
    framework = version.framework
    units = list(Unit.objects.active_in(period).filter(block=block).order_by("code"))
    indicators = list(version.nodes.filter(type=Node.Type.INDICATOR))
    # One seed per framework, block and year: the same demo on every machine and every run.
    rng = np.random.default_rng(zlib.crc32(f"{framework.code}|{block.code}|{period.year}".encode()))
    quality = rng.normal(0, 1, len(units))  # a unit that does well tends to do well everywhere
    entries = []
    for i, unit in enumerate(units):
        for node in indicators:
            noise = rng.normal(0, 1)
            if framework.method == Framework.Method.POINTS:
                share = float(np.clip(0.8 + 0.1 * quality[i] + 0.08 * noise, 0, 1))
                step = node.points_step or 0.25
                value = round(share * (node.max_points or 0) / step) * step
            else:
                share = 1 / (1 + np.exp(-(0.8 * quality[i] * node.direction + 0.6 * noise)))
                value = round(20 + 70 * float(share), 1)
            entries.append(ValueEntry(unit=unit, code=node.code, value=value, source=SYNTHETIC))
    indicator_values_set(framework=framework, period=period, entries=entries, by=None, source_kind="synthetic")


def load() -> None:
    _national()
    for code, block_code, period_codes in DEMO_RUNS:
        framework = Framework.objects.filter(code=code).first()
        block = Block.objects.get(code=block_code)
        if framework is None:
            continue
        for period in Period.objects.filter(code__in=period_codes):
            if IndexRun.objects.filter(version__framework=framework, period=period, block=block).exists():
                continue  # a second demo load changes nothing
            version = framework_version_for(framework, period, block)  # the one that applies to the year and block
            if version is None:
                continue
            _synthetic_values(version, period, block)
            run = run_create(version=version, period=period, block=block, by=None)
            run_publish(run=run, by=None)
            if framework.method == Framework.Method.COMPOSITE:
                run_uncertainty_compute(run=run)  # the DDCI rankings show rank intervals
