"""What the base layout shows on every page: the province, periods, the user's role, navigation."""

from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from chiso.accounts.models import Role
from chiso.accounts.permissions import PROVINCIAL_ROLES, TemplatePermissions, user_manages
from chiso.assessments.queries import assessments_nav_item
from chiso.feedback.queries import feedback_nav_items
from chiso.followup.queries import followup_nav_items
from chiso.notices.queries import notices_nav_items
from chiso.services_stats.queries import services_stats_nav_items
from chiso.units.models import Period
from chiso.units.queries import province_get


@dataclass
class NavGroup:
    """One entry of the main menu: a link, or a labelled group of links opened on demand."""

    label: str
    items: list[tuple[str, str]] = field(default_factory=list)
    is_current: bool = False  # the page shown is one of its links


def navigation(user) -> list[tuple[str, str]]:
    """Every menu link the user may follow, in menu order (flat)."""
    return [item for group in navigation_groups(user) for item in group.items]


def navigation_groups(user) -> list[NavGroup]:
    """The main menu grouped by what a person does: data, assessing, results, follow-up. Groups
    the role has nothing in are left out; a group with one link is shown as that link."""
    if not user.is_authenticated:
        return []
    data, assess = NavGroup(pgettext_lazy("menu group", "Data")), NavGroup(pgettext_lazy("menu group", "Assessment"))
    results, follow = NavGroup(pgettext_lazy("menu group", "Results")), NavGroup(pgettext_lazy("menu group", "Follow-up"))
    notices = NavGroup(pgettext_lazy("menu group", "Notices"))
    if user.role in PROVINCIAL_ROLES or user.is_superuser:
        data.items.append((reverse("units:list"), _("Units")))
        if user_manages(user):
            data.items.append((reverse("units:import"), _("Import units")))
            data.items.append((reverse("units:periods"), _("Periods")))
        data.items.append((reverse("frameworks:list"), _("Frameworks")))
    elif user.unit_id:
        data.items.append((reverse("units:detail", args=[user.unit.code]), _("My unit")))
    if user_manages(user):
        data.items.append((reverse("surveys:frames"), _("Sample frames")))
    assess.items.append(assessments_nav_item(user))
    if user.is_superuser or user.role in {Role.SECRETARIAT, Role.ANALYST, Role.ADMINISTRATOR}:
        assess.items.append((reverse("surveys:list"), _("Surveys")))
    if user_manages(user):  # enumerators: chiso.surveys.collection.offline.may_collect_offline
        assess.items.append((reverse("surveys:enumerator"), _("Survey collection")))
    if user.role in PROVINCIAL_ROLES or user.is_superuser:
        assess.items.append((reverse("indices:list"), _("Index runs")))
    results.items.append((reverse("results:index"), _("Results")))
    dashboard = reverse("followup:dashboard")
    for url, label in followup_nav_items(user):
        (results if url == dashboard else follow).items.append((url, label))
    notices.items.extend(notices_nav_items(user))
    follow.items.extend(feedback_nav_items(user))
    follow.items.extend(services_stats_nav_items(user))
    groups = [NavGroup(pgettext_lazy("menu group", "Home"), [(reverse("home"), _("Home"))]), data, assess, results, follow, notices]
    if user.is_staff:
        groups.append(NavGroup(pgettext_lazy("menu group", "Administration"), [(reverse("admin:index"), _("Administration"))]))
    return [group for group in groups if group.items]


def layout(request):
    user = getattr(request, "user", None)
    groups = navigation_groups(user) if user else []
    for group in groups:
        group.is_current = any(request.path == url for url, _label in group.items)
    return {
        "province": province_get(),
        "periods": Period.objects.all() if user and user.is_authenticated else [],
        "current_period": getattr(request, "period", None),
        "nav_groups": groups,
        "nav_items": [item for group in groups for item in group.items],
        "may": TemplatePermissions(user),
    }
