"""Demo data of the units app: Cao Bằng, its units and lineage, and three periods.

Names and dates are facts (see data/caobang/README.md); nothing here is a result.
"""

import datetime
from pathlib import Path

from .importing import units_import
from .models import Block, Period, Province
from .standard_blocks import ensure_standard_blocks

DATA = Path(__file__).resolve().parent / "data" / "caobang"

PERIODS = [
    ("2022", 2022, "Năm 2022", "Year 2022"),
    ("2023", 2023, "Năm 2023", "Year 2023"),
    ("2025", 2025, "Năm 2025", "Year 2025"),
]


def load() -> None:
    ensure_standard_blocks(Block)
    Province.objects.update_or_create(code="CB", defaults={"name_vi": "Tỉnh Cao Bằng", "name_en": "Cao Bằng Province"})
    for code, year, name_vi, name_en in PERIODS:
        Period.objects.update_or_create(
            code=code,
            defaults={
                "year": year,
                "name_vi": name_vi,
                "name_en": name_en,
                "start_date": datetime.date(year, 1, 1),
                "end_date": datetime.date(year, 12, 31),
            },
        )
    files = [(path.name, path.read_bytes()) for path in (DATA / "units.csv", DATA / "lineage.csv") if path.exists()]
    units_import(files=files, by=None)
