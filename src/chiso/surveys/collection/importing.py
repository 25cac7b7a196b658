"""Import of responses exported from KoboToolbox or ODK Central for the same XLSForm; all or nothing.

KoboToolbox (XLSX, "XML values and headers"): a main sheet with `group/question` headers and
`_index`, `_uuid`, `_submission_time`; one sheet per repeat with `_parent_index` and
`_parent_table_name`. ODK Central (CSV files of its export): `group-question` headers,
`KEY`, `SubmissionDate`; one file per repeat with `PARENT_KEY`. Headers may also be the bare
question names. Every row goes through the same checks as the web form; a single rejected
row rejects the import, and the report says which rows and why.
"""

from __future__ import annotations

import datetime
import hashlib
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chiso.accounts.permissions import surveys_check
from chiso.core.tabular import ImportFailed, Problem, Table, parse_date, read_tables

from chiso.surveys.collection.evaluation import Evaluation
from chiso.surveys.collection.formdef import Element, FormDef
from chiso.surveys.models import HeldResponse, Response, Survey
from chiso.surveys.queries import units_choices
from chiso.surveys.services import SurveyEventCode, _event, response_hold, responses_flush_due

ID_COLUMNS = ["_uuid", "meta/instanceID", "meta-instanceID", "instanceID", "KEY", "_id"]
DATE_COLUMNS = ["_submission_time", "SubmissionDate", "end", "today"]
PARENT_COLUMNS = ["_parent_index", "PARENT_KEY"]
MAX_PROBLEMS = 200


@dataclass
class ResponsesImport:
    created: int
    already_imported: int
    rows: int
    held: int = 0  # of `created`, how many wait for the next batch (fewer than k so far)


def _header_map(form: FormDef, scope: Element) -> dict[str, Element]:
    """Every header spelling that names a question of `scope` (the form or one repeat)."""
    found: dict[str, Element] = {}

    def visit(element: Element, trail: list[str]):
        for child in element.children:
            if child.is_repeat:
                continue
            if child.is_group:
                visit(child, trail + [child.name])
                continue
            if not child.holds_answer:
                continue
            absolute = [p for p in child.path[1:]]
            for spelling in ("/".join(trail + [child.name]), "-".join(trail + [child.name]), "/".join(absolute), "-".join(absolute), child.name):
                found.setdefault(spelling, child)

    visit(scope, [])
    return found


def _first(values: dict, names: list[str]) -> str:
    for name in names:
        value = values.get(name)
        if value not in (None, ""):
            return str(value).strip()
    return ""


@dataclass
class _TableRole:
    table: Table
    scope: Element  # the form root or a repeat
    headers: dict[str, Element]


def _assign_tables(form: FormDef, tables: list[Table]) -> tuple[_TableRole, list[_TableRole], list[Problem]]:
    repeats = [e for e in form.root.walk() if e.is_repeat]
    main, others, problems = None, [], []
    for table in tables:
        headers = set(table.headers)
        is_child = any(column in headers for column in PARENT_COLUMNS)
        if not is_child:
            mapping = _header_map(form, form.root)
            role = _TableRole(table, form.root, {h: mapping[h] for h in table.headers if h in mapping})
            if main is None or len(role.headers) > len(main.headers):
                main = role
            continue
        best = None
        for repeat in repeats:
            mapping = _header_map(form, repeat)
            matched = {h: mapping[h] for h in table.headers if h in mapping}
            name_hint = (table.sheet or table.file).rsplit(".", 1)[0]
            score = len(matched) + (100 if name_hint == repeat.name or name_hint.endswith("-" + repeat.name) else 0)
            if matched and (best is None or score > best[0]):
                best = (score, _TableRole(table, repeat, matched))
        if best is None:
            problems.append(table.problem(_("No column of this table matches a repeat of the questionnaire."), row=1))
        else:
            others.append(best[1])
    if main is None or not main.headers:
        problems.append(Problem(file=tables[0].file if tables else "", message=_("No column matches a question of the questionnaire: is this an export of the same form, with XML headers?")))
    return main, others, problems


def responses_import_message(result: ResponsesImport) -> tuple[str, list[str]]:
    """What an import did, and what waits for the next batch, for the person who ran it."""
    notes = []
    if result.held:
        notes.append(_("%(held)s imported responses wait for the next batch: responses are added in batches, never a few at a time.") % {"held": result.held})
    return _("Imported %(created)s responses; %(existing)s were imported before and skipped.") % {
        "created": result.created, "existing": result.already_imported}, notes


def responses_import(*, survey: Survey, files: list[tuple[str, bytes]], by, progress=None) -> ResponsesImport:
    """Check every row of an export as the web form would, then hold them all (one transaction) for
    their batches; any problem holds nothing. `progress(done, total)`, when given (a background
    job), hears of each stage: read, checked, written."""
    surveys_check(by)
    form = survey.version.form
    tables: list[Table] = []
    problems: list[Problem] = []
    for name, content in files:
        try:
            tables.extend(read_tables(name, content, kind="responses"))
        except ImportFailed as failure:
            problems.extend(failure.problems)
    if problems:
        raise ImportFailed(problems)
    main, children, problems = _assign_tables(form, tables)
    if problems:
        raise ImportFailed(problems)
    if progress:
        progress(1, 3)

    # Children by their parent's key: Kobo (_parent_table_name, _parent_index), Central PARENT_KEY.
    by_parent: dict[tuple, list[tuple[_TableRole, int, dict]]] = defaultdict(list)
    for role in children:
        for row, values in role.table.rows:
            if values.get("PARENT_KEY"):
                parent = ("key", str(values["PARENT_KEY"]).strip())
            else:
                parent = ("kobo", str(values.get("_parent_table_name") or "").strip(), str(values.get("_parent_index") or "").strip())
            by_parent[parent].append((role, row, values))
    main_name = main.table.sheet or ""

    external = units_choices(survey)
    prepared = []
    for row, values in main.table.rows:
        answers: dict = {}
        calculated: dict[str, str] = {}
        where: dict[str, tuple[Table, int, str]] = {}
        _fill(answers, calculated, where, main, row, values, "", main.table)
        keys = [("key", str(values.get("KEY") or "").strip()), ("kobo", main_name, str(values.get("_index") or "").strip())]
        _attach_children(form.root, answers, calculated, where, keys, by_parent, "")
        row_problems = []
        for repeat in form.rating_repeats():
            selected = set(str(answers.get(repeat.rating_select, "")).split())
            for index, entry in enumerate(answers.get(repeat.name, []), start=1):
                code = str(entry.get(repeat.rating_field) or "").strip()
                if code and code not in selected:
                    table, child_row, header = where.get(f"{repeat.name}[{index}]/{repeat.rating_field}", (main.table, row, repeat.rating_field))
                    row_problems.append(table.problem(_("The unit %(code)s of this entry is not among the units selected in %(question)s.") % {"code": code, "question": repeat.rating_select}, row=child_row, column=header))
        evaluation = Evaluation(form, answers, external=external)
        messages = {**evaluation.errors(), **evaluation.tampered(calculated)}
        for address, message in messages.items():
            table, at_row, header = where.get(address, (main.table, row, address.rsplit("/", 1)[-1]))
            row_problems.append(table.problem(message, row=at_row, column=header))
        if row_problems:
            problems.extend(row_problems)
            if len(problems) >= MAX_PROBLEMS:
                break
            continue
        instance = _first(values, ID_COLUMNS) or hashlib.sha256(repr((row, sorted(values.items(), key=str))).encode()).hexdigest()
        key = hashlib.sha256(f"{survey.pk}:import:{instance}".encode()).hexdigest()
        prepared.append((evaluation, key, _submitted_on(_first(values, DATE_COLUMNS))))
    if problems:
        raise ImportFailed(problems)
    if progress:
        progress(2, 3)

    # Imported rows follow the web form's rule: held, then written in shuffled batches of at
    # least k (this import's rows together with any held before), never in file order.
    created = existing = 0
    with transaction.atomic():
        keys = [k for _e, k, _d in prepared]
        known = set(Response.objects.filter(idempotency_key__in=keys).values_list("idempotency_key", flat=True))
        known |= set(HeldResponse.objects.filter(idempotency_key__in=keys).values_list("idempotency_key", flat=True))
        for evaluation, key, day in prepared:
            if key in known:
                existing += 1
                continue
            response_hold(survey=survey, version=survey.version, evaluation=evaluation, key=key, day=day)
            known.add(key)
            created += 1
        _event(survey, SurveyEventCode.RESPONSES_IMPORTED, by, new=f"{created} / {len(prepared)}")
    responses_flush_due(survey=survey, channel=Response.Channel.IMPORT)
    held = HeldResponse.objects.filter(survey=survey, channel=Response.Channel.IMPORT).count() if created else 0
    return ResponsesImport(created=created, already_imported=existing, rows=len(prepared), held=held)


def _fill(scope: dict, calculated: dict, where: dict, role: _TableRole, row: int, values: dict, prefix: str, table: Table) -> None:
    for header, element in role.headers.items():
        value = values.get(header, "")
        if value in (None, ""):
            continue
        address = prefix + element.name
        where[address] = (table, row, header)
        if element.type == "calculate":
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            calculated[address] = str(value)
            if element.repeat is not None and element.repeat.rating_field == element.name:
                scope[element.name] = str(value).strip()
            continue
        scope[element.name] = value.isoformat() if isinstance(value, (datetime.date, datetime.datetime)) else value


def _attach_children(scope_element: Element, scope: dict, calculated: dict, where: dict, parent_keys, by_parent, prefix: str) -> None:
    for repeat in [e for e in scope_element.walk() if e.is_repeat and e.repeat is (scope_element if scope_element.is_repeat else None)]:
        entries = []
        for parent_key in parent_keys:
            for role, row, values in by_parent.get(parent_key, []):
                if role.scope is not repeat:
                    continue
                entry: dict = {}
                index = len(entries) + 1
                entry_prefix = f"{prefix}{repeat.name}[{index}]/"
                _fill(entry, calculated, where, role, row, values, entry_prefix, role.table)
                child_keys = [("key", str(values.get("KEY") or "").strip()), ("kobo", role.table.sheet or "", str(values.get("_index") or "").strip())]
                _attach_children(repeat, entry, calculated, where, child_keys, by_parent, entry_prefix)
                entries.append(entry)
        if entries:
            scope[repeat.name] = entries


def _submitted_on(text: str) -> datetime.date:
    if text:
        try:
            return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).date()
        except ValueError:
            try:
                day = parse_date(text[:10])
                if day:
                    return day
            except ValueError:
                pass
    return timezone.localdate()
