"""The API (django-ninja), served at /api/v1/ with its OpenAPI description at /api/v1/openapi.json.

Open data, without an account: units, periods, frameworks, published runs and their results
(JSON with cursors, or CSV). Internal data, with a token (`Authorization: Bearer chiso_…`)
or a logged-in session: runs and results each role may see, and indicator values as entered.
Endpoints only validate, call a query and shape the answer. Calls are rate-limited per address
(anonymous) and per user.
"""


import datetime
from typing import Annotated, Literal

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Field, NinjaAPI, Path, Query, Schema
from ninja.errors import ValidationError
from ninja.pagination import CursorPagination, paginate
from ninja.security import HttpBearer, django_auth
from ninja.throttling import BaseThrottle

from chiso.accounts.permissions import units_visible_to
from chiso.core import ratelimit
from chiso.indices.models import IndexRun
from chiso.indices.queries import runs_published
from chiso.results.downloads import VARIANTS, csv_response
from chiso.results.queries import runs_visible_to
from chiso.units.models import Period, Unit

from .queries import api_token_user, frameworks_published, indicator_values_visible_to, run_results, versions_published

MAX_ID = 2**31 - 1
CODE = r"^[A-Za-z0-9_.\-]{0,60}$"  # unit, framework, node and period codes (empty: no filter)

Id = Annotated[int, Path(ge=1, le=MAX_ID)]
CodeFilter = Annotated[str | None, Query(None, pattern=CODE, max_length=60)]


# --- rate limits --------------------------------------------------------------------------------
# Counted in the shared cache by chiso.core.ratelimit (one limit for every process, the address
# read behind CHISO_TRUSTED_PROXIES only); the rates are settings, read from the environment.

class AnonymousLimit(BaseThrottle):
    """Per address, for calls without a token or a session. CHISO_API_ANON_RATE, e.g. 120/m."""

    def allow_request(self, request):
        if getattr(request, "auth", None) is not None:
            return True
        return not ratelimit.address_hit(request, "api-anon", [ratelimit.parse_rate(settings.CHISO_API_ANON_RATE)])


class UserLimit(BaseThrottle):
    """Per user, for calls with a token or a session. CHISO_API_USER_RATE, e.g. 1200/m."""

    def allow_request(self, request):
        user = getattr(request, "auth", None)
        if user is None:
            return True
        return not ratelimit.hit("api-user", f"user-{user.pk}", [ratelimit.parse_rate(settings.CHISO_API_USER_RATE)])


# --- authentication -----------------------------------------------------------------------------

class TokenAuth(HttpBearer):
    """`Authorization: Bearer <token>`; the token acts with its owner's role."""

    def authenticate(self, request, token):
        return api_token_user(token)


# A token for machine clients; a session for a person logged in to chiso's pages.
INTERNAL = [TokenAuth(), django_auth]


# --- pagination ---------------------------------------------------------------------------------

class Cursor(CursorPagination):
    """Cursor pagination on the primary key: stable while rows are added, no counting."""

    def __init__(self, **kwargs):
        super().__init__(ordering=("pk",), page_size=100, max_page_size=1000, **kwargs)

    def _find_position(self, queryset, cursor):
        if cursor.p is not None:
            try:
                position = int(cursor.p)
            except ValueError:
                raise ValidationError([{"cursor": "Invalid Cursor"}]) from None
            if not 0 <= position <= 2**63 - 1:
                raise ValidationError([{"cursor": "Invalid Cursor"}])
            cursor.p = str(position)
        return super()._find_position(queryset, cursor)


# --- schemas ----------------------------------------------------------------------------------

class Error(Schema):
    detail: str


class UnitOut(Schema):
    code: str
    name_vi: str
    name_en: str
    block: str = Field(..., alias="block.code")
    parent: str | None
    valid_from: datetime.date | None
    valid_to: datetime.date | None

    @staticmethod
    def resolve_parent(obj):
        return obj.parent.code if obj.parent_id else None


class PeriodOut(Schema):
    code: str
    year: int
    name_vi: str
    name_en: str
    start_date: datetime.date
    end_date: datetime.date


class FrameworkOut(Schema):
    code: str
    name_vi: str
    name_en: str
    method: str


class NodeOut(Schema):
    code: str
    parent_code: str
    level: int | None
    type: str
    name_vi: str
    name_en: str
    direction: int
    weight: float | None
    max_points: float | None
    unit_of_measure: str


class VersionOut(Schema):
    number: int
    label: str
    legal_basis: str
    applies_from: int | None
    applies_to: int | None
    content_hash: str
    nodes: list[NodeOut]

    @staticmethod
    def resolve_nodes(obj):
        return list(obj.nodes.all())


class FrameworkDetail(FrameworkOut):
    versions: list[VersionOut]


class RunOut(Schema):
    id: int
    title: str
    framework: str = Field(..., alias="version.framework.code")
    version: int = Field(..., alias="version.number")
    period: str = Field(..., alias="period.code")
    block: str = Field(..., alias="block.code")
    status: str
    published_at: datetime.datetime | None
    engine_version: str
    input_checksum: str
    result_checksum: str
    supersedes: int | None = Field(None, alias="supersedes_id")
    top: str | None

    @staticmethod
    def resolve_top(obj):
        return (obj.details or {}).get("top")


class ResultOut(Schema):
    unit: str = Field(..., alias="unit.code")
    unit_name: str = Field(..., alias="unit.name_vi")
    code: str
    value: float | None
    rank: int | None
    band: str


class IndicatorValueOut(Schema):
    framework: str = Field(..., alias="framework.code")
    period: str = Field(..., alias="period.code")
    unit: str = Field(..., alias="unit.code")
    code: str
    value: float | None
    not_applicable: bool
    source: str
    entered_at: datetime.datetime


class MeOut(Schema):
    username: str
    full_name: str
    role: str
    unit: str | None

    @staticmethod
    def resolve_unit(obj):
        return obj.unit.code if obj.unit_id else None


api = NinjaAPI(
    title="chiso API",
    version="1",
    description=__doc__,
    urls_namespace="api",
    throttle=[AnonymousLimit(), UserLimit()],
)

ERROR_BODY = {"application/json": {"schema": {"type": "object", "properties": {"detail": {}}, "required": ["detail"]}}}
ERRORS = {
    "401": "No valid token or session",
    "404": "Not found, or not visible to this caller",
    "422": "Invalid parameters",
    "429": "Too many calls: slow down",
}


def documented(*codes: str, csv: bool = False) -> dict:
    """openapi_extra naming the error answers an operation can give (and CSV content).

    The status codes are numbers, as django-ninja writes its own: a "404" beside a 404 would
    be two keys "404" in the JSON, which Swagger UI refuses to read."""
    responses = {int(code): {"description": ERRORS[code], "content": ERROR_BODY} for code in ("422", "429", *codes)}
    if csv:
        responses[200] = {"description": "CSV, UTF-8 with a BOM (see `variant` and `full_precision`)", "content": {"text/csv": {"schema": {"type": "string"}}}}
    return {"responses": responses}


class CsvOptions(Schema):
    variant: Literal["standard", "excel-vn"] = Field(
        "standard", description="standard: commas and a decimal point; excel-vn: what Excel set to Vietnamese "
                                "opens as columns (semicolons, decimal commas)")
    full_precision: bool = Field(False, description="every digit of each value; else rounded as the pages show them (2 decimals)")


def _csv(rows, filename: str, options: CsvOptions) -> HttpResponse:
    """UTF-8 with a BOM either way, so Excel keeps the Vietnamese letters (chiso.results.downloads)."""
    return csv_response(
        ["unit", "unit_name", "code", "value", "rank", "band"],
        ([s.unit.code, s.unit.name_vi, s.code, s.value, s.rank, s.band] for s in rows),
        filename, variant=VARIANTS[options.variant], full_precision=options.full_precision, numbers=(3, 4),
    )


# --- open data ------------------------------------------------------------------------------------

@api.get("/units", response=list[UnitOut], tags=["open data"], summary="Units (đơn vị)", openapi_extra=documented())
@paginate(Cursor)
def units(request: HttpRequest, block: CodeFilter = None, period: CodeFilter = None):
    """Every unit, with its block and validity; `period` keeps those that existed in it."""
    found = Unit.objects.select_related("block", "parent")
    if block:
        found = found.filter(block__code=block)
    if period:
        chosen = Period.objects.filter(code=period).first()
        found = found.active_in(chosen) if chosen else found.none()
    return found


@api.get(
    "/periods",
    response=list[PeriodOut], tags=["open data"], summary="Periods (kỳ đánh giá)",
    openapi_extra=documented(),
)
@paginate(Cursor)
def periods(request: HttpRequest):
    return Period.objects.all()


@api.get(
    "/frameworks",
    response=list[FrameworkOut], tags=["open data"], summary="Frameworks with published results",
    openapi_extra=documented(),
)
@paginate(Cursor)
def frameworks(request: HttpRequest):
    return frameworks_published()


@api.get(
    "/frameworks/{code}",
    response={200: FrameworkDetail, 404: Error}, tags=["open data"],
    summary="One framework, with the versions used by published runs", openapi_extra=documented("404"),
)
def framework(request: HttpRequest, code: Annotated[str, Path(pattern=CODE, max_length=60)]):
    found = get_object_or_404(frameworks_published(), code=code)
    versions = list(versions_published(found).prefetch_related("nodes"))
    return {"code": found.code, "name_vi": found.name_vi, "name_en": found.name_en, "method": found.method, "versions": versions}


@api.get("/runs", response=list[RunOut], tags=["open data"], summary="Published runs", openapi_extra=documented())
@paginate(Cursor)
def runs(request: HttpRequest, framework: CodeFilter = None, period: CodeFilter = None, block: CodeFilter = None):
    found = runs_published()
    if framework:
        found = found.filter(version__framework__code=framework)
    if period:
        found = found.filter(period__code=period)
    if block:
        found = found.filter(block__code=block)
    return found


@api.get(
    "/runs/{run_id}",
    response={200: RunOut, 404: Error}, tags=["open data"], summary="One published run",
    openapi_extra=documented("404"),
)
def run(request: HttpRequest, run_id: Id):
    return get_object_or_404(runs_published(), pk=run_id)


class ResultFilter(Schema):
    unit: str | None = Field(None, pattern=CODE, max_length=60, description="a unit code")
    code: str | None = Field(None, pattern=CODE, max_length=60, description="a node code (index, pillar, indicator)")
    level: int | None = Field(None, ge=1, le=20, description="one level of the tree (1 = indicators)")


@api.get(
    "/runs/{run_id}/results",
    response=list[ResultOut], tags=["open data"], summary="Results of a published run",
    openapi_extra=documented("404"),
)
@paginate(Cursor)
def results(request: HttpRequest, run_id: Id, filters: Query[ResultFilter]):
    """Every unit's value, rank and band on every node; filter by unit, node or level."""
    found = get_object_or_404(runs_published(), pk=run_id)
    return run_results(found, unit_code=filters.unit, code=filters.code, level=filters.level)


@api.get(
    "/runs/{run_id}/results.csv",
    tags=["open data"], summary="Results of a published run as CSV",
    openapi_extra=documented("404", csv=True),
)
def results_csv(request: HttpRequest, run_id: Id, filters: Query[ResultFilter], options: Query[CsvOptions]):
    found = get_object_or_404(runs_published(), pk=run_id)
    rows = run_results(found, unit_code=filters.unit, code=filters.code, level=filters.level).order_by("unit__code", "code")
    return _csv(rows, f"{found.period.code}-{found.version.framework.code}-{found.block.code}.csv", options)


# --- internal data --------------------------------------------------------------------------------

@api.get(
    "/internal/me",
    response=MeOut, auth=INTERNAL, tags=["internal"], summary="Who the token or session belongs to",
    openapi_extra=documented("401"),
)
def me(request: HttpRequest):
    return request.auth


@api.get(
    "/internal/runs",
    response=list[RunOut], auth=INTERNAL, tags=["internal"], summary="Runs this role may see",
    openapi_extra=documented("401"),
)
@paginate(Cursor)
def internal_runs(request: HttpRequest, status: Annotated[str | None, Query(None, pattern=r"^(draft|published|superseded)$")] = None):
    """Drafts for the secretariat, superseded runs for the provincial roles, published runs for all."""
    found = runs_visible_to(request.auth)
    return found.filter(status=status) if status else found


def _internal_scores(request, run_id: int, filters: ResultFilter):
    found = get_object_or_404(runs_visible_to(request.auth), pk=run_id)
    # A unit officer sees only their own unit's rows of a run that is not published.
    units = None if found.status == IndexRun.Status.PUBLISHED else units_visible_to(request.auth)
    return found, run_results(found, unit_code=filters.unit, code=filters.code, level=filters.level, units=units)


@api.get(
    "/internal/runs/{run_id}/results",
    response=list[ResultOut], auth=INTERNAL, tags=["internal"],
    summary="Results of a run this role may see", openapi_extra=documented("404", "401"),
)
@paginate(Cursor)
def internal_results(request: HttpRequest, run_id: Id, filters: Query[ResultFilter]):
    return _internal_scores(request, run_id, filters)[1]


@api.get(
    "/internal/runs/{run_id}/results.csv",
    auth=INTERNAL, tags=["internal"], summary="Results of a run this role may see, as CSV",
    openapi_extra=documented("404", "401", csv=True),
)
def internal_results_csv(request: HttpRequest, run_id: Id, filters: Query[ResultFilter], options: Query[CsvOptions]):
    found, rows = _internal_scores(request, run_id, filters)
    return _csv(rows.order_by("unit__code", "code"), f"{found.period.code}-{found.version.framework.code}-{found.block.code}-{found.status}.csv", options)


@api.get(
    "/internal/values",
    response=list[IndicatorValueOut], auth=INTERNAL, tags=["internal"],
    summary="Indicator values as entered, with their sources", openapi_extra=documented("401"),
)
@paginate(Cursor)
def internal_values(request: HttpRequest, framework: CodeFilter = None, period: CodeFilter = None, unit: CodeFilter = None):
    """Values of the units this role may see (a unit officer: their own unit)."""
    found = indicator_values_visible_to(request.auth)
    if framework:
        found = found.filter(framework__code=framework)
    if period:
        found = found.filter(period__code=period)
    if unit:
        found = found.filter(unit__code=unit)
    return found
