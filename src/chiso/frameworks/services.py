"""Writes about frameworks: import a document as a new version, freeze a version."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from chiso.accounts.permissions import frameworks_check
from chiso.audit.services import audit_record
from chiso.core.tabular import ImportFailed, Problem, parse_date
from chiso.engine import Framework as EngineFramework
from chiso.formats.numbers import said
from chiso.engine import FrameworkError, StepError, parse_steps
from chiso.services_stats.models import RateTarget

from .documents import FRAMEWORK_KEYS, document_read, engine_rows
from .engine_messages import engine_error_message, engine_message
from .models import Framework, FrameworkVersion, Node
from .queries import node_row

ENGINE_COLUMNS = {
    "iCode": "code", "Parent": "parent_code", "Level": "level", "Type": "type", "Direction": "direction",
    "Weight": "weight", "max_points": "max_points", "Unit": "unit_of_measure", "Target": "target",
    "goalpost_lower": "goalpost_lower", "goalpost_upper": "goalpost_upper", "Bands": "bands",
    "name_vi": "name_vi", "name_en": "name_en",
}
APP_COLUMNS = {"guidance": "guidance", "evidence": "evidence_required", "step": "points_step",
               "na_allowed": "na_allowed", "to_confirm": "to_confirm"}
TOLERANCE = 1e-6


@dataclass
class ImportOutcome:
    version: FrameworkVersion
    created: bool
    warnings: list[str] = field(default_factory=list)


def _truthy(value) -> bool:
    return str(value).strip().lower() in {"1", "true", "yes", "x", "có", "co"} if not isinstance(value, bool) else value


def _number(value):
    if value in (None, ""):
        return None
    return float(str(value).replace(",", ".")) if isinstance(value, str) else float(value)


def _check_document(file_name: str, doc: dict, method: str, weights_policy: str) -> tuple[list[Problem], list[str], EngineFramework | None]:
    problems: list[Problem] = []
    warnings: list[str] = []
    sheet = doc.get("_sheet")
    fw_meta = doc.get("framework") or {}
    if not str(fw_meta.get("code", "")).strip():
        problems.append(Problem(file=file_name, message=_("The framework has no code (framework: code).")))
    rows = engine_rows(doc["iMeta"])
    try:
        # The engine numbers rows from 1 for YAML lists, from 2 for sheets with a header row.
        engine_framework = EngineFramework.from_rows(rows, first_row=2 if sheet else 1)
    except FrameworkError as error:
        problems.extend(Problem(file=file_name, sheet=sheet, message=engine_message(p)) for p in error.problems)
        engine_framework = None
    try:
        parse_steps(doc.get("steps") or [], source="steps") if doc.get("steps") else None
    except StepError as error:
        problems.append(Problem(file=file_name, message=engine_error_message(error)))
    if engine_framework is None:
        return problems, warnings, None
    by_code = {row["iCode"]: row for row in doc["iMeta"]}
    for code in engine_framework.aggregates:
        children = engine_framework.children(code)
        if method == Framework.Method.POINTS:
            parent_max = _number(by_code[code].get("max_points"))
            child_max = [_number(by_code[c].get("max_points")) for c in children]
            if parent_max is None or any(m is None for m in child_max):
                problems.append(Problem(file=file_name, sheet=sheet, message=_(
                    "%(code)s and each of its children need max_points in a points framework.") % {"code": code}))
            elif sum(child_max) > parent_max + TOLERANCE:
                problems.append(Problem(file=file_name, sheet=sheet, message=_(
                    "The children of %(code)s carry %(children)s points, more than its maximum of %(max)s.")
                    % {"code": code, "children": said(sum(child_max)), "max": said(parent_max)}))
            elif sum(child_max) < parent_max - TOLERANCE:
                warnings.append(_("The children of %(code)s carry only %(children)s of its %(max)s points.")
                                % {"code": code, "children": said(sum(child_max)), "max": said(parent_max)})
        else:
            weights = [_number(by_code[c].get("Weight", 1)) for c in children]
            weights = [1.0 if w is None else w for w in weights]
            if len(set(weights)) > 1 and abs(sum(weights) - 1) > TOLERANCE:
                message = _("The weights of the children of %(code)s sum to %(sum)s, not 1.") % {
                    "code": code, "sum": said(sum(weights))}
                if weights_policy == FrameworkVersion.WeightsPolicy.REFUSE:
                    problems.append(Problem(file=file_name, sheet=sheet, message=message))
                else:
                    warnings.append(message + " " + _("They are renormalised within the parent."))
    return problems, warnings, engine_framework


def _content_hash(framework_meta: dict, version_fields: dict, steps: list, nodes: list[Node]) -> str:
    """Identity of a version's content, from the normalised nodes, so a file exported and
    imported again is recognised as the same version."""
    clean = {
        "framework": {k: str(framework_meta.get(k) or "") for k in FRAMEWORK_KEYS},
        "version": version_fields,
        "steps": steps,
        "nodes": [node_row(n) for n in nodes],
    }
    return hashlib.sha256(json.dumps(clean, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


class FrameworkEvent:
    VERSION_IMPORTED = "framework.version_imported"


def framework_import(*, file_name: str, content: bytes, by, framework_code: str | None = None) -> ImportOutcome:
    """Import a framework file (YAML, XLSX or COINr iMeta CSV) as a new version.

    Every problem is collected first; nothing is written unless the whole framework is valid.
    Importing the content of a version already there again changes nothing.
    """
    frameworks_check(by)
    doc = document_read(file_name, content, framework_code=framework_code)
    fw_meta = doc.get("framework") or {}
    version_meta = doc.get("version") or {}
    method = str(fw_meta.get("method") or Framework.Method.COMPOSITE)
    weights_policy = str(version_meta.get("weights_policy") or FrameworkVersion.WeightsPolicy.RENORMALISE)
    problems, warnings, _engine = _check_document(file_name, doc, method, weights_policy)
    if method not in Framework.Method.values:
        problems.append(Problem(file=file_name, message=_("Unknown method '%(method)s'; use composite or points.") % {"method": method}))
    try:
        decision_date = parse_date(version_meta.get("decision_date"))
    except ValueError:
        problems.append(Problem(file=file_name, message=_("The decision date '%(value)s' is not a date.") % {"value": version_meta.get("decision_date")}))
        decision_date = None
    sources = _sources_read(file_name, doc, problems)
    if problems:
        raise ImportFailed(problems)

    version_fields = {
        "label": str(version_meta.get("label") or ""),
        "legal_basis": str(version_meta.get("legal_basis") or ""),
        "decision_date": decision_date,
        "applies_from": int(version_meta["applies_from"]) if version_meta.get("applies_from") else None,
        "applies_to": int(version_meta["applies_to"]) if version_meta.get("applies_to") else None,
        "blocks": [str(b) for b in version_meta.get("blocks") or []],
        "source": str(version_meta.get("source") or ""),
        "to_confirm": [str(t) for t in version_meta.get("to_confirm") or []],
        "weights_policy": weights_policy,
    }
    if sources:  # only when given, so versions without any keep the identity they had
        version_fields["sources"] = sources
    steps = doc.get("steps") or []
    nodes = [_node(None, order, row) for order, row in enumerate(doc["iMeta"])]
    content_hash = _content_hash(fw_meta | {"method": method}, version_fields, steps, nodes)
    with transaction.atomic():
        framework, _created = Framework.objects.get_or_create(
            code=str(fw_meta["code"]).strip(),
            defaults={"name_vi": fw_meta.get("name_vi") or fw_meta["code"], "name_en": fw_meta.get("name_en", ""), "method": method},
        )
        # The same content as any version already there is that version, not a new one: the
        # files of a framework's years (2022–2024, 2025) can be imported again in any order.
        same = framework.versions.filter(content_hash=content_hash).order_by("-number").first()
        if same is not None:
            return ImportOutcome(version=same, created=False, warnings=warnings)
        Framework.objects.filter(pk=framework.pk).update(
            name_vi=fw_meta.get("name_vi") or framework.name_vi, name_en=fw_meta.get("name_en") or framework.name_en, method=method
        )
        number = (framework.versions.aggregate(m=Max("number"))["m"] or 0) + 1
        version = FrameworkVersion.objects.create(
            framework=framework,
            number=number,
            steps=steps,
            content_hash=content_hash,
            created_by=by if getattr(by, "pk", None) else None,
            **version_fields,
        )
        for node in nodes:
            node.version = version
        Node.objects.bulk_create(nodes)
        audit_record(event=FrameworkEvent.VERSION_IMPORTED, obj=version, parents=[framework], by=by,
                     new=f"{framework.code} v{number}", reason=file_name[:255])
    return ImportOutcome(version=version, created=True, warnings=warnings)


def source_figures() -> dict[str, set[str]]:
    """The figures each source gives, by the names its app uses (rates in %, written as points)."""
    rates = set(RateTarget.Measure.values)
    return {"service_statistics": rates, "service_statistics_evidence": rates,
            "feedback": {"on_time_rate", "satisfaction_rate", "qd766_satisfaction_rate"}}


def _sources_read(file_name: str, doc: dict, problems: list[Problem]) -> dict:
    """`sources: {source: {figure: code or [codes]}}`, each code a node of the document; the
    figures are named as the source's app names them (services_stats, feedback)."""
    raw = doc.get("sources") or {}
    codes = {str(row.get("iCode")) for row in doc["iMeta"]}
    if not isinstance(raw, dict) or not all(isinstance(m, dict) for m in raw.values()):
        problems.append(Problem(file=file_name, message=_(
            "sources: give each source as a mapping of its figures to criterion codes.")))
        return {}
    sources: dict[str, dict[str, list[str]]] = {}
    known = source_figures()
    for source, mapping in raw.items():
        if source not in known:
            problems.append(Problem(file=file_name, message=_(
                "sources: unknown source '%(source)s'; use %(known)s.") % {"source": source, "known": ", ".join(sorted(known))}))
            continue
        for figure, targets in mapping.items():
            if figure not in known[source]:
                problems.append(Problem(file=file_name, message=_(
                    "sources: %(source)s has no figure '%(figure)s'; use %(known)s.")
                    % {"source": source, "figure": figure, "known": ", ".join(sorted(known[source]))}))
                continue
            targets = [str(t) for t in (targets if isinstance(targets, list) else [targets]) if t not in (None, "")]
            unknown = [t for t in targets if t not in codes]
            if unknown:
                problems.append(Problem(file=file_name, message=_(
                    "sources: %(source)s %(figure)s names criteria the framework does not have: %(codes)s.")
                    % {"source": source, "figure": figure, "codes": ", ".join(unknown)}))
            sources.setdefault(str(source), {})[str(figure)] = targets
    return sources


def _node(version: FrameworkVersion | None, order: int, row: dict) -> Node:
    node = Node(version=version, order=order)
    extra = {}
    for key, value in row.items():
        if key.startswith("_"):
            continue
        if key in ENGINE_COLUMNS:
            setattr(node, ENGINE_COLUMNS[key], value)
        elif key in APP_COLUMNS:
            setattr(node, APP_COLUMNS[key], value)
        elif key != "iName":
            extra[key] = value
    node.code = str(node.code)
    node.parent_code = str(node.parent_code or "")
    node.name_en = node.name_en or str(row.get("iName") or "")
    node.name_vi = node.name_vi or str(row.get("iName") or node.code)
    node.level = int(node.level) if node.level not in (None, "") else None
    node.direction = int(_number(node.direction) or 1)
    for name in ("weight", "max_points", "target", "goalpost_lower", "goalpost_upper", "points_step"):
        setattr(node, name, _number(getattr(node, name)))
    for name in ("evidence_required", "na_allowed", "to_confirm"):
        setattr(node, name, _truthy(getattr(node, name)))
    node.bands = str(node.bands or "")
    node.unit_of_measure = str(node.unit_of_measure or "")
    node.guidance = str(node.guidance or "")
    node.type = node.type or Node.Type.INDICATOR
    node.extra = extra
    return node


def version_freeze(version: FrameworkVersion) -> None:
    """Frozen for good: a run used it. Later changes make a new version."""
    if version.frozen_at is None:
        FrameworkVersion.objects.filter(pk=version.pk, frozen_at__isnull=True).update(frozen_at=timezone.now())
        version.refresh_from_db(fields=["frozen_at"])
