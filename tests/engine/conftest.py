"""Fixtures for the engine tests: paths to the copied reference data and small hand-made frameworks."""

from __future__ import annotations

from pathlib import Path

import pytest

from chiso.engine import Framework, load

DATA = Path(__file__).resolve().parents[1] / "data"
ASEM_IDATA = DATA / "asem" / "ASEM_iData.csv"
ASEM_IMETA = DATA / "asem" / "ASEM_iMeta.csv"


@pytest.fixture(scope="session")
def asem():
    """(framework, raw data) of COINr's ASEM example."""
    return load(ASEM_IDATA, ASEM_IMETA)


def small_framework(weights=(1, 1, 1), directions=(1, 1, 1)) -> Framework:
    """i1, i2 -> P1; i3 -> P2; P1, P2 -> Index (weights and directions of i1..i3 given)."""
    rows = [
        {"iCode": "i1", "Level": 1, "Parent": "P1", "Weight": weights[0], "Direction": directions[0], "Type": "Indicator"},
        {"iCode": "i2", "Level": 1, "Parent": "P1", "Weight": weights[1], "Direction": directions[1], "Type": "Indicator"},
        {"iCode": "i3", "Level": 1, "Parent": "P2", "Weight": weights[2], "Direction": directions[2], "Type": "Indicator"},
        {"iCode": "P1", "Level": 2, "Parent": "Index", "Weight": 1, "Type": "Aggregate"},
        {"iCode": "P2", "Level": 2, "Parent": "Index", "Weight": 1, "Type": "Aggregate"},
        {"iCode": "Index", "Level": 3, "Weight": 1, "Type": "Aggregate"},
    ]
    return Framework.from_rows(rows)
