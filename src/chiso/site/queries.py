"""What each role's home page puts first: the things that need attention."""

from __future__ import annotations

from django.db.models import Count, Q

from chiso.accounts.models import Role
from chiso.accounts.permissions import PROVINCIAL_ROLES
from chiso.assessments.queries import due_items
from chiso.formats.collation import vietnamese_sorted
from chiso.jobs.models import Job
from chiso.units.models import Block, Unit
from chiso.units.queries import unit_lineage


def home_summary(user, period) -> dict:
    summary: dict = {"role": user.role, "assessments_due": due_items(user)[:10]}
    if user.role == Role.UNIT_OFFICER and user.unit_id:
        unit = Unit.objects.select_related("block", "parent").get(pk=user.unit_id)
        summary["unit"] = unit
        summary["unit_active"] = period is None or unit in Unit.objects.active_in(period)
        summary["lineage"] = unit_lineage(unit)
        return summary
    if user.role in PROVINCIAL_ROLES or user.is_superuser:
        units = Unit.objects.active_in(period) if period else Unit.objects.all()
        summary["blocks"] = (
            Block.objects.annotate(
                active=Count("units", filter=Q(units__in=units.values("pk")), distinct=True),
            )
            .filter(active__gt=0)
            .order_by("order")
        )
        summary["unit_count"] = units.count()
        if user.role in {Role.SECRETARIAT, Role.ADMINISTRATOR} or user.is_superuser:
            # Units nobody can self-assess for: the secretariat must create an officer account.
            summary["units_without_officer"] = vietnamese_sorted(
                units.filter(officers__isnull=True).select_related("block"), key=lambda u: u.name_vi, before=lambda u: u.block.order)
        summary["recent_jobs"] = Job.objects.filter(created_by=user)[:5]
    return summary
