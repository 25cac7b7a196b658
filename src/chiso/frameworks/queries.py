"""Reads about frameworks: the document of a version, its engine framework, trees and diffs."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from chiso.engine import Framework as EngineFramework
from chiso.engine import parse_steps
from chiso.engine.build import default_steps

from .documents import engine_rows
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
        "sources": version.sources,
        "iMeta": [node_row(n) for n in version.nodes.all()],
    }


def version_engine_framework(version: FrameworkVersion) -> EngineFramework:
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


def framework_version_for(framework: Framework | str, period, block=None) -> FrameworkVersion | None:
    """The version that applies to `period` (a Period or a year) and `block` (a Block, a block code,
    or None for any): the newest of those whose years (applies_from–applies_to, open ends) hold the
    period's year and whose blocks, if it names any, hold the block. None when no version applies.
    Where a person chose a version, use that one instead."""
    year = period if isinstance(period, int) else period.year
    versions = FrameworkVersion.objects.select_related("framework")
    versions = versions.filter(framework__code=framework) if isinstance(framework, str) else versions.filter(framework=framework)
    versions = versions.filter(Q(applies_from__isnull=True) | Q(applies_from__lte=year),
                               Q(applies_to__isnull=True) | Q(applies_to__gte=year))
    block_code = getattr(block, "code", block)
    for version in versions.order_by("-number"):
        if block_code is None or not version.blocks or block_code in version.blocks:
            return version
    return None


def source_mapping(version: FrameworkVersion | None, source: str) -> dict[str, str]:
    """{criterion code: figure} — which figures of `source` ("service_statistics", "feedback") the
    version takes as which of its criteria, as its framework file's `sources:` section says.
    Empty when the version takes none: nothing is written for it."""
    if version is None:
        return {}
    mapping: dict[str, str] = {}
    for figure, codes in (version.sources or {}).get(source, {}).items():
        for code in codes if isinstance(codes, list) else [codes]:
            mapping[str(code)] = figure
    return mapping


def source_frameworks(source: str) -> list[Framework]:
    """Frameworks some version of which takes figures from `source`."""
    return list(Framework.objects.filter(versions__sources__has_key=source).distinct().order_by("code"))


def source_unmapped(version: FrameworkVersion | None, source: str, figures) -> list[str]:
    """The figures of `source` the version takes as none of its criteria (nothing is written for them)."""
    taken = set(source_mapping(version, source).values())
    return [f for f in figures if f not in taken]


def source_map(source: str, period=None) -> dict[str, dict[str, str]]:
    """{framework code: {criterion code: figure}} for every framework taking figures from `source`,
    each through the version that applies to `period` (the newest when no period is given)."""
    out = {}
    for framework in source_frameworks(source):
        version = framework_version_for(framework, period) if period is not None else framework.versions.order_by("-number").first()
        mapping = source_mapping(version, source)
        if mapping:
            out[framework.code] = mapping
    return out


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
