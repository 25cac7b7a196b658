"""The respondent-level table of an indicator computation, frozen with it.

A run that read survey indicator values must be re-examinable later exactly as it was: the
sampling bootstrap of a published run resamples the answers that produced its values, not
today's answers (a survey goes on receiving responses, quality checks exclude some, weights
are recomputed). So when `indicator_values_write` writes a computation, the rows it was computed
from are kept with it, compressed (`IndicatorComputation.respondents`).

What is kept, and what is not (anonymity, docs/security.md): per counted answer the rated
unit, the indicator rule and the answer's contribution (0/1 for a share, the number for a mean
or median); per response its survey weight and its stratum as the answers tell it. Responses
are numbered 0…n−1 in a random order and the rows sorted by unit and that number: no response
id, no arrival order, nothing that joins back to a response row or an invitation.
"""

from __future__ import annotations

import io
import secrets
from dataclasses import dataclass

import numpy as np


@dataclass
class FrozenTable:
    """What the bootstrap needs of a computation's table (`surveys.bootstrap.run_respondents`)."""

    codes: list[str]  # indicator codes, one per rule
    statistics: list[str]  # share, mean or median, per code
    unit_codes: list[str]
    below_minimum: np.ndarray  # bool per unit
    rows: dict  # "response", "unit", "rule", "value" → arrays, one row per answer counted
    response_weights: np.ndarray  # per response number
    strata: list[str]  # per response number ("" when the survey is not stratified)
    stratified: bool

    @property
    def responses(self) -> int:
        return len(self.response_weights)


def freeze(table: FrozenTable) -> bytes:
    """The table as compressed bytes, responses renumbered in a random order."""
    n = len(table.response_weights)
    permutation = np.random.default_rng(secrets.randbits(64)).permutation(n)  # old number → new number
    response = permutation[table.rows["response"].astype(np.intp)] if n else np.zeros(0, dtype=np.intp)
    unit = table.rows["unit"].astype(np.int32)
    order = np.lexsort((response, unit))
    weights = np.empty(n)
    weights[permutation] = table.response_weights
    strata = [""] * n
    for old, new in enumerate(permutation.tolist()):
        strata[new] = str(table.strata[old])
    buffer = io.BytesIO()
    np.savez_compressed(
        buffer,
        response=response[order].astype(np.int32), unit=unit[order], rule=table.rows["rule"][order].astype(np.int16),
        value=table.rows["value"][order].astype(float), weight=weights, stratum=np.array(strata, dtype=str),
        codes=np.array(table.codes, dtype=str), statistics=np.array(table.statistics, dtype=str),
        unit_codes=np.array(table.unit_codes, dtype=str), below_minimum=np.asarray(table.below_minimum, dtype=bool),
        stratified=np.array(table.stratified),
    )
    return buffer.getvalue()


def thaw(content: bytes) -> FrozenTable:
    with np.load(io.BytesIO(bytes(content)), allow_pickle=False) as data:
        return FrozenTable(
            codes=data["codes"].tolist(), statistics=data["statistics"].tolist(), unit_codes=data["unit_codes"].tolist(),
            below_minimum=data["below_minimum"], rows={c: data[c] for c in ("response", "unit", "rule", "value")},
            response_weights=data["weight"], strata=data["stratum"].tolist(), stratified=bool(data["stratified"]),
        )
