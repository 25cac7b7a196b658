"""Reads of the API app: who a token belongs to, and the data each endpoint lists."""

from __future__ import annotations

import datetime

from django.utils import timezone

from chiso.accounts.permissions import units_visible_to
from chiso.frameworks.models import Framework, FrameworkVersion
from chiso.indices.models import IndexRun, IndicatorValue, RunScore

from .models import ApiToken, token_hash

LAST_USED_EVERY = datetime.timedelta(minutes=5)


def api_token_user(raw: str):
    """The active user of an active token, or None. `last_used_at` is refreshed at most every
    few minutes, so a busy client does not write on every call."""
    if not raw or len(raw) > 200:
        return None
    token = ApiToken.objects.select_related("user").filter(key_hash=token_hash(raw), revoked_at__isnull=True).first()
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def frameworks_published():
    """Frameworks with at least one published run: their versions are public method documents."""
    return Framework.objects.filter(versions__runs__status=IndexRun.Status.PUBLISHED).distinct().order_by("pk")


def versions_published(framework: Framework):
    return FrameworkVersion.objects.filter(framework=framework, runs__status=IndexRun.Status.PUBLISHED).distinct().order_by("number")


def run_results(run: IndexRun, *, unit_code: str | None = None, code: str | None = None, level: int | None = None, units=None):
    scores = RunScore.objects.filter(run=run).select_related("unit")
    if unit_code:
        scores = scores.filter(unit__code=unit_code)
    if code:
        scores = scores.filter(code=code)
    if level is not None:
        scores = scores.filter(code__in=list(run.version.nodes.filter(level=level).values_list("code", flat=True)))
    if units is not None:
        scores = scores.filter(unit__in=units)
    return scores


def indicator_values_visible_to(user):
    """Values as entered, with their sources: internal data, for the units the user may see."""
    return IndicatorValue.objects.filter(unit__in=units_visible_to(user)).select_related("unit", "framework", "period")

