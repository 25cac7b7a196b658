"""Reads about frameworks: the document of a version, its engine framework, trees and diffs."""

from __future__ import annotations

from dataclasses import dataclass

from chiso.engine import Framework as EngineFramework
from chiso.engine import parse_steps
from chiso.engine.build import default_steps

from .models import Framework, FrameworkVersion, Node

NODE_FIELDS = [
    ("iCode", "code"), ("iName", "name_en"), ("Level", "level"), ("Parent", "parent_code"), ("Type", "type"),
    ("Direction", "direction"), ("Weight", "weight"), ("Unit", "unit_of_measure"), ("Target", "target"),
    ("name_vi", "name_vi"), ("name_en", "name_en"), ("max_points", "max_points"),
    ("goalpost_lower", "goalpost_lower"), ("goalpost_upper", "goalpost_upper"), ("Bands", "bands"),
    ("guidance", "guidance"), ("evidence", "evidence_required"), ("step", "points_step"),
    ("na_allowed", "na_allowed"), ("to_confirm", "to_confirm"),
]
DEFAULTS = {"direction": 1, "evidence_required": False, "na_allowed": False, "to_confirm": False}


def node_row(node: Node) -> dict:
    row = {}
    for column, attr in NODE_FIELDS:
        value = getattr(node, attr)
        if value in (None, "") or (attr in DEFAULTS and value == DEFAULTS[attr] and attr != "direction"):
            continue
        row[column] = value
    row.update(node.extra)
    return row


def version_document(version: FrameworkVersion) -> dict:
    framework = version.framework
    return {
        "framework": {"code": framework.code, "name_vi": framework.name_vi, "name_en": framework.name_en, "method": framework.method},
        "version": {
            "label": version.label,
            "legal_basis": version.legal_basis,
            "decision_date": version.decision_date,
            "applies_from": version.applies_from,
            "applies_to": version.applies_to,
            "blocks": version.blocks,
            "source": version.source,
            "to_confirm": version.to_confirm,
            "weights_policy": version.weights_policy,
        },
        "steps": version.steps,
        "iMeta": [node_row(n) for n in version.nodes.all()],
    }


def version_engine_framework(version: FrameworkVersion) -> EngineFramework:
    from .services import engine_rows

    return EngineFramework.from_rows(engine_rows(version_document(version)["iMeta"]), source=str(version))


def version_steps(version: FrameworkVersion) -> list[tuple[str, dict]]:
    """The pipeline the version prescribes; COINr's defaults (or points) when it names none."""
    if version.steps:
        return parse_steps(version.steps, source=str(version))
    if version.framework.method == Framework.Method.POINTS:
        return [("points", {})]
    return default_steps()


def version_get(code: str, number: int | None = None) -> FrameworkVersion:
    versions = FrameworkVersion.objects.select_related("framework").filter(framework__code=code)
    return versions.get(number=number) if number else versions.order_by("-number").first() or versions.get()


@dataclass
class TreeRow:
    node: Node
    depth: int
    number: str


def version_tree(version: FrameworkVersion) -> list[TreeRow]:
    """Nodes from the top of the tree down, numbered as an appendix numbers them."""
    nodes = list(version.nodes.all())
    children: dict[str, list[Node]] = {}
    codes = {n.code for n in nodes}
    tree_nodes = [n for n in nodes if n.type in (Node.Type.INDICATOR, Node.Type.AGGREGATE)]
    for n in tree_nodes:
        children.setdefault(n.parent_code if n.parent_code in codes else "", []).append(n)
    rows: list[TreeRow] = []

    def walk(parent: str, depth: int, prefix: str) -> None:
        for i, node in enumerate(children.get(parent, []), start=1):
            number = f"{prefix}{i}"
            rows.append(TreeRow(node=node, depth=depth, number=number))
            walk(node.code, depth + 1, number + ".")

    roots = children.get("", [])
    for root in roots:
        rows.append(TreeRow(node=root, depth=0, number=""))
        walk(root.code, 1, "")
    return rows


@dataclass
class DiffRow:
    code: str
    status: str  # added, removed, changed, same
    old: Node | None
    new: Node | None
    changes: list[tuple[str, object, object]]


def versions_diff(old: FrameworkVersion, new: FrameworkVersion) -> list[DiffRow]:
    """Node by node: what was added, removed or changed between two versions."""
    before = {n.code: n for n in old.nodes.all()}
    after = {n.code: n for n in new.nodes.all()}
    order = list(after) + [c for c in before if c not in after]
    rows = []
    for code in order:
        a, b = before.get(code), after.get(code)
        if a is None:
            rows.append(DiffRow(code, "added", None, b, []))
        elif b is None:
            rows.append(DiffRow(code, "removed", a, None, []))
        else:
            changes = [
                (str(Node._meta.get_field(attr).verbose_name), getattr(a, attr), getattr(b, attr))
                for _column, attr in NODE_FIELDS
                if attr != "name_en" or _column == "name_en"
                if getattr(a, attr) != getattr(b, attr)
            ]
            rows.append(DiffRow(code, "changed" if changes else "same", a, b, changes))
    return rows
