"""Factories for the one-stop-shop statistics tests: units, staff, files in the standard format."""

import datetime

import pytest

from chiso.accounts.models import Role
from chiso.services_stats.fields import FIELD_NAMES, STANDARD_MAPPING

HEADER = [STANDARD_MAPPING[f] for f in ["unit", *FIELD_NAMES]]


@pytest.fixture
def defaults(db):
    from chiso.services_stats.defaults import ensure_defaults
    from chiso.services_stats.models import RateTarget, SourceFormat

    ensure_defaults(SourceFormat, RateTarget)
    return SourceFormat.objects.get(code="chuan")


@pytest.fixture
def units(make_unit, blocks):
    return {
        "tc": make_unit("S-TC", name_vi="Sở Tài chính", name_en="Department of Finance"),
        "xd": make_unit("S-XD", name_vi="Sở Xây dựng", name_en="Department of Construction"),
        "old": make_unit("S-CU", name_vi="Sở đã giải thể", valid_to=datetime.date(2020, 1, 1)),
        "h": make_unit("H-HQ", block="district", name_vi="Huyện Hà Quảng"),
    }


@pytest.fixture
def staff(make_user, units):
    return {
        "secretariat": make_user("thuky", Role.SECRETARIAT),
        "officer": make_user("canbo.tc", Role.UNIT_OFFICER, unit=units["tc"]),
        "leader": make_user("lanhdao", Role.LEADER),
    }


def csv_bytes(rows, header=HEADER, encoding="utf-8-sig", delimiter=",") -> bytes:
    """As Excel saves a CSV: a header with a comma ("Hồ sơ có phí, lệ phí") is quoted."""
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


# Sở Tài chính: received 100 (40 full online, 20 partial, 38 in person, 2 post); settled 90
# (30 early, 58 on time, 2 late); 10 pending; 75 digitised; 45 electronic results; 50 with fees,
# 20 paid online; 95 synced.
TC = ["S-TC", 40, 20, 38, 2, 30, 58, 2, 10, 75, 45, 50, 20, 95]
# Sở Xây dựng, by its name: received 200 (0, 50, 150, 0); settled 200 (0, 190, 10); 0 pending;
# 100 digitised; 0 electronic; no fee-bearing dossiers; 0 paid; 120 synced.
XD = ["Sở Xây dựng", 0, 50, 150, 0, 0, 190, 10, 0, 100, 0, 0, 0, 120]


@pytest.fixture
def good_csv():
    return csv_bytes([TC, XD])


@pytest.fixture
def qd766(db):
    from pathlib import Path

    import chiso.frameworks
    from chiso.frameworks.services import framework_import

    path = Path(chiso.frameworks.__file__).parent / "data" / "qd766.yaml"
    return framework_import(file_name=path.name, content=path.read_bytes(), by=None).version
