"""Points frameworks (Vietnam's PAR Index, Decision 766): capped sums of points, not-applicable items, bonus and penalty.

Each unit is awarded points on the leaf items. Going up the tree, a node's points are the sum
of its children's points capped at the node's max_points. Items marked not applicable carry
no points and leave the maximum: a node's applicable maximum is the sum of its applicable
children's maxima (capped at its own max_points), and its score in percent is
points / applicable maximum x 100, so units are compared on a scale of 100 whatever was
applicable to them. Bonus and penalty points are added to a node after its cap.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

import numpy as np

from .errors import Message, StepError
from .framework import AggregationTree, Framework


@dataclass(frozen=True)
class PointsResult:
    """Per unit (rows) and node (columns, in `codes` order): points, applicable maximum, percent."""

    codes: tuple[str, ...]
    points: np.ndarray
    applicable_max: np.ndarray
    percent: np.ndarray

    def column(self, code: str, what: str = "percent") -> np.ndarray:
        return getattr(self, what)[:, self.codes.index(code)]


def capped_sum(X: np.ndarray, membership: np.ndarray, cap: np.ndarray) -> np.ndarray:
    """Sums of children (units x children) into parents (children x parents 0/1), each capped
    at its parent's maximum (NaN cap = no cap). A missing child makes the parent missing."""
    missing = np.isnan(X)
    total = np.where(missing, 0.0, X) @ membership
    if missing.any():
        total[(missing.astype(float) @ membership) > 0] = np.nan
    cap = np.asarray(cap, dtype=float)
    # np.minimum keeps a missing total missing; a missing cap means no cap.
    return np.where(np.isnan(cap), total, np.minimum(total, cap))


def score_points(points: np.ndarray, tree: AggregationTree, max_points: np.ndarray,
                 applicable: np.ndarray | None = None, bonus: Mapping[str, np.ndarray] | None = None,
                 penalty: Mapping[str, np.ndarray] | None = None) -> PointsResult:
    """Points, applicable maximum and percent for every node of `tree`.

    points: units x indicators (leaf items), awarded points; values above an item's maximum
    are capped. max_points: one per node of tree.codes (NaN = no cap; leaves need one).
    applicable: units x indicators, False where the item does not apply to the unit.
    bonus / penalty: {node code: points per unit (or one number)} added after that node's cap.
    """
    n, k = points.shape
    max_points = np.asarray(max_points, dtype=float)
    if max_points.shape != (len(tree.codes),):
        raise StepError(Message("points.max_points_per_node"))
    leaf_max = max_points[:k]
    if np.isnan(leaf_max).any():
        missing = [tree.codes[j] for j in np.flatnonzero(np.isnan(leaf_max))]
        raise StepError(Message("points.items_without_max", codes=missing))
    app = np.ones((n, k), dtype=bool) if applicable is None else np.asarray(applicable, dtype=bool)
    pos = tree.position
    adjust = np.zeros((n, len(tree.codes)))
    for sign, spec in ((1.0, bonus), (-1.0, penalty)):
        for code, v in (spec or {}).items():
            if code not in pos:
                raise StepError(Message("points.unknown_node", code=code))
            adjust[:, pos[code]] += sign * np.broadcast_to(np.asarray(v, dtype=float), (n,))

    P = np.empty((n, len(tree.codes)))
    M = np.empty((n, len(tree.codes)))
    P[:, :k] = np.where(app, np.minimum(points, leaf_max), 0.0) + adjust[:, :k]
    M[:, :k] = np.where(app, leaf_max, 0.0)
    for plan in tree.levels:
        cap = max_points[plan.parent_index]
        P[:, plan.parent_index] = capped_sum(P[:, plan.child_index], plan.membership, cap) \
            + adjust[:, plan.parent_index]
        M[:, plan.parent_index] = capped_sum(M[:, plan.child_index], plan.membership, cap)
    with np.errstate(invalid="ignore", divide="ignore"):
        pct = np.where(M > 0, P / M * 100, np.nan)
    return PointsResult(codes=tree.codes, points=P, applicable_max=M, percent=pct)


def score_framework(framework: Framework, points: np.ndarray, applicable: np.ndarray | None = None,
                    bonus: Mapping[str, np.ndarray] | None = None,
                    penalty: Mapping[str, np.ndarray] | None = None) -> PointsResult:
    """score_points with the tree and max_points of a framework (its indicators are the items)."""
    tree = framework.tree
    maxima = np.array([np.nan if framework[c].max_points is None else framework[c].max_points
                       for c in tree.codes])
    return score_points(points, tree, maxima, applicable, bonus, penalty)
