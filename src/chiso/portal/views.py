"""The public portal: published results for everyone, without logging in.

Only published runs are read (never drafts, never superseded runs, never indicator values
as entered or survey responses). Pages carry Cache-Control and an ETag built from what was
published, so browsers and proxies revalidate with a cheap 304; the server keeps each page's
content under that ETag, so a page is built once per publication, not once per visitor.
"""

import functools
import hashlib
from functools import wraps
from pathlib import Path

from django.conf import settings
from django.core.cache.backends.filebased import FileBasedCache
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils.cache import patch_cache_control
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import condition, require_safe

from chiso.indices.models import IndexRun
from chiso.indices.queries import runs_published
from chiso.results.queries import family_runs, intervals_version, method_nodes
from chiso.results.reports import report_pdf, report_title, results_workbook, scorecard_pdf
from chiso.results.views import XLSX, chart_response, download, ranking_context, runs_grouped, scorecard_context
from chiso.units.models import Period, Unit

MAX_AGE = 10 * 60
BODY_SECONDS = 15 * 60
PAGES_VERSION = "3"  # bump when the templates change, so cached copies are refreshed


def _etag(*parts) -> str:
    return "-".join(str(p) for p in (PAGES_VERSION, get_language(), *parts))


def _catalogue() -> list[tuple[int, str]]:
    return list(runs_published().order_by("pk").values_list("pk", "result_checksum"))


def _catalogue_etag(request, **_kwargs) -> str:
    # The set of published runs: any publication or supersession changes it.
    request.portal_etag = _etag(hashlib.sha256(repr(_catalogue()).encode()).hexdigest()[:20])
    return request.portal_etag


def _run_etag(request, pk: int, **_kwargs) -> str | None:
    """The catalogue (a new publication changes comparisons, trends, block tabs), the run's
    latest uncertainty analysis and the sort; None (then 404) for a run that is not published."""
    catalogue = _catalogue()
    if pk not in dict(catalogue):
        return None
    request.portal_etag = _etag(hashlib.sha256(repr(catalogue).encode()).hexdigest()[:20], pk,
                                intervals_version(IndexRun(pk=pk)), request.GET.get("sort", ""))
    return request.portal_etag


def public(etag_func):
    """GET/HEAD only, cacheable by anyone for MAX_AGE, revalidated by ETag."""

    def decorator(view):
        @wraps(view)
        @require_safe
        @condition(etag_func=etag_func)
        def wrapped(request, *args, **kwargs):
            response = view(request, *args, **kwargs)
            patch_cache_control(response, public=True, max_age=MAX_AGE)
            return response

        return wrapped

    return decorator


def page_cache() -> FileBasedCache:
    """Pages built once, shared by every web process (and machine) through the media folder."""
    return _file_cache(str(Path(settings.MEDIA_ROOT) / "cache" / "portal"))


@functools.cache
def _file_cache(folder: str) -> FileBasedCache:
    return FileBasedCache(folder, {"TIMEOUT": BODY_SECONDS, "OPTIONS": {"MAX_ENTRIES": 20_000}})


def _page(request, build) -> HttpResponse:
    """A portal page whose content (title and body) is kept under the page's ETag, so a page is
    built once per publication, language and address, not once per visitor. The body holds no
    form and nothing about the visitor: only the layout around it does."""
    etag = getattr(request, "portal_etag", None)  # None: not published, build() answers 404
    key = "portal:page:" + hashlib.sha256(f"{etag}|{request.get_full_path()}".encode()).hexdigest()
    page = page_cache().get(key) if etag else None
    if page is None:
        title, template, context = build()
        page = (title, render_to_string(template, context, request=request))
        page_cache().set(key, page)
    return render(request, "portal/page.html", {"title": page[0], "body": page[1]})


def _published(pk: int) -> IndexRun:
    return get_object_or_404(runs_published(), pk=pk)


@public(_catalogue_etag)
def home(request):
    return _page(request, lambda: (_("Published results"), "portal/_home.html", {"groups": runs_grouped(runs_published())}))


@public(_run_etag)
def ranking(request, pk: int):
    def build():
        run = _published(pk)
        return run.title, "portal/_ranking.html", ranking_context(request, run, runs_published(), namespace="portal")

    return _page(request, build)


@public(_run_etag)
def scorecard(request, pk: int, unit_code: str):
    def build():
        run = _published(pk)
        unit = get_object_or_404(Unit.objects.select_related("block"), code=unit_code)
        return f"{unit.name} — {run.title}", "portal/_scorecard.html", scorecard_context(run, unit, namespace="portal")

    return _page(request, build)


@public(_run_etag)
def scorecard_download(request, pk: int, unit_code: str):
    run = _published(pk)
    unit = get_object_or_404(Unit, code=unit_code)
    card = scorecard_context(run, unit, namespace="portal")["card"]
    return download(scorecard_pdf(card), "application/pdf", f"{run.period.code}-{run.version.framework.code}-{unit.code}.pdf")


@require_safe
def chart(request, pk: int, name: str):
    return chart_response(_published(pk), name, public=True)


@public(_run_etag)
def method(request, pk: int):
    run = _published(pk)
    return render(request, "portal/method.html", {"run": run, "method": method_nodes(run)})


@public(_run_etag)
def run_workbook(request, pk: int):
    run = _published(pk)
    return download(results_workbook([run]), XLSX, f"{run.period.code}-{run.version.framework.code}-{run.block.code}.xlsx")


def _family(period_code: str, family: str) -> list[IndexRun]:
    period = get_object_or_404(Period, code=period_code)
    runs = family_runs(runs_published(), period, family)
    if not runs:
        raise Http404
    return runs


@public(_catalogue_etag)
def report_download(request, period_code: str, family: str):
    runs = _family(period_code, family)
    return download(report_pdf(runs, report_title(runs)), "application/pdf", f"{family}-{period_code}.pdf")


@public(_catalogue_etag)
def report_workbook(request, period_code: str, family: str):
    runs = _family(period_code, family)
    return download(results_workbook(runs), XLSX, f"{family}-{period_code}.xlsx")


@public(_catalogue_etag)
def open_data(request):
    return render(request, "portal/data.html", {"runs": runs_published()})
