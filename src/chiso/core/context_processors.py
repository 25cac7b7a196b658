"""What the base layout shows on every page: the province, periods, the user's role, navigation."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from chiso.accounts.models import Role
from chiso.accounts.permissions import PROVINCIAL_ROLES, user_manages
from chiso.assessments.queries import assessments_nav_item
from chiso.feedback.queries import feedback_nav_items
from chiso.followup.queries import followup_nav_items
from chiso.services_stats.queries import services_stats_nav_items
from chiso.units.models import Period
from chiso.units.queries import province_get


def navigation(user) -> list[tuple[str, str]]:
    if not user.is_authenticated:
        return []
    items = [(reverse("home"), _("Home"))]
    if user.role in PROVINCIAL_ROLES or user.is_superuser:
        items.append((reverse("units:list"), _("Units")))
        items.append((reverse("frameworks:list"), _("Frameworks")))
        items.append((reverse("indices:list"), _("Index runs")))
    elif user.unit_id:
        items.append((reverse("units:detail", args=[user.unit.code]), _("My unit")))
    items.append((reverse("results:index"), _("Results")))
    items.append(assessments_nav_item(user))
    items.extend(followup_nav_items(user))
    items.extend(feedback_nav_items(user))
    items.extend(services_stats_nav_items(user))
    if user_manages(user):
        items.append((reverse("units:import"), _("Import units")))
    if user.is_superuser or user.role in {Role.SECRETARIAT, Role.ANALYST, Role.ADMINISTRATOR}:
        items.append((reverse("surveys:list"), _("Surveys")))
    if user_manages(user):
        items.append((reverse("surveys:frames"), _("Sample frames")))
    if user.is_staff:
        items.append((reverse("admin:index"), _("Administration")))
    return items


def layout(request):
    user = getattr(request, "user", None)
    return {
        "province": province_get(),
        "periods": Period.objects.all() if user and user.is_authenticated else [],
        "current_period": getattr(request, "period", None),
        "nav_items": navigation(user) if user else [],
    }
