from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from chiso.audit.events import register


class UnitsConfig(AppConfig):
    name = "chiso.units"
    verbose_name = _("Units and periods")

    def ready(self):
        register(EVENTS)


EVENTS = {  # the labels of services.Event
    "period.created": _("Period created"),
    "period.updated": _("Period changed"),
    "period.closed": _("Period closed"),
    "period.reopened": _("Period reopened"),
    "unit.created": _("Unit created"),
    "unit.updated": _("Unit edited"),
    "unit.ended": _("Unit ended"),
    "succession.created": _("Succession recorded"),
    "succession.updated": _("Succession changed"),
}
