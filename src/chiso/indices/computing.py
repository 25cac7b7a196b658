"""From a unit × indicator table to stored results: the one place where runs call the engine.

Pure functions of (framework version, inputs), so that a published run can be recomputed
from what is stored and must give the same checksum.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass

import numpy as np

import chiso
from chiso.engine import Dataset, IndexBuild, bands, rank, strengths_weaknesses
from chiso.frameworks.models import FrameworkVersion
from chiso.frameworks.queries import version_engine_framework, version_steps

NOT_APPLICABLE = "N/A"  # an item that does not apply to the unit (points frameworks)


@dataclass
class Computation:
    rows: list[tuple[str, str, float | None, int | None, str]]  # unit code, node code, value, rank, band
    steps_log: list
    details: dict
    input_checksum: str
    result_checksum: str
    engine_version: str


def _canonical(value) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def input_checksum(version: FrameworkVersion, inputs: dict) -> str:
    payload = {"framework": version.content_hash, "steps": version.steps, "inputs": {k: inputs[k] for k in ("units", "codes", "values")}}
    return hashlib.sha256(_canonical(payload).encode()).hexdigest()


def result_checksum(rows) -> str:
    # repr keeps every bit of a float, so "the same results" means identical, not close.
    text = "\n".join(f"{u}\t{c}\t{v!r}\t{r}\t{b}" for u, c, v, r, b in sorted(rows, key=lambda x: (x[0], x[1])))
    return hashlib.sha256(text.encode()).hexdigest()


def _float(value) -> float | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return float(value)


def compute(version: FrameworkVersion, inputs: dict) -> Computation:
    framework = version_engine_framework(version)
    columns = ["uCode", "uName", *inputs["codes"]]
    rows = [[u, n, *vals] for u, n, vals in zip(inputs["units"], inputs["names"], inputs["values"])]
    data = Dataset.from_rows(columns, rows, framework, source="inputs")
    build = IndexBuild.from_steps(framework, data, version_steps(version))
    results = build.results()
    units = [str(u) for u in results.units]
    out: list[tuple[str, str, float | None, int | None, str]] = []
    top = results.rank_code
    top_bands = framework[top].bands or ()
    for j, code in enumerate(results.codes):
        column = results.scores[:, j]
        ranks = rank(column)
        labels = bands(column, top_bands) if code == top and top_bands else [None] * len(units)
        for i, unit in enumerate(units):
            out.append((unit, code, _float(column[i]), None if np.isnan(ranks[i]) else int(ranks[i]), labels[i] or ""))
    # Indicators: the value as entered, and the unit's rank among units (direction applied).
    indicators = [c for c in framework.indicators if c in data.codes]
    position = {u: i for i, u in enumerate(str(u) for u in data.units)}
    raw = data.columns(indicators)[[position[u] for u in units]]
    directions = np.array([framework[c].direction for c in indicators], dtype=float)
    for j, code in enumerate(indicators):
        ranks = rank(raw[:, j] * directions[j])
        for i, unit in enumerate(units):
            out.append((unit, code, _float(raw[i, j]), None if np.isnan(ranks[i]) else int(ranks[i]), ""))
    sw = strengths_weaknesses(raw, indicators, units, directions=directions) if indicators and len(units) > 1 else []
    details = {
        "top": top,
        "strengths": {s.unit: [list(x) for x in s.strengths] for s in sw},
        "weaknesses": {s.unit: [list(x) for x in s.weaknesses] for s in sw},
    }
    return Computation(
        rows=out,
        steps_log=[[name, _jsonable(params)] for name, params in build.log],
        details=details,
        input_checksum=input_checksum(version, inputs),
        result_checksum=result_checksum(out),
        engine_version=chiso.__version__,
    )


def _jsonable(value):
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value
