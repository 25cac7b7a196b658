from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from chiso.audit.events import register


class ServicesStatsConfig(AppConfig):
    name = "chiso.services_stats"
    verbose_name = _("One-stop-shop statistics")

    def ready(self):
        register({  # services_stats/importing.py
            "service_stats.imported": _("One-stop-shop statistics imported"),
            "service_stat.added": _("A unit's one-stop-shop statistics added"),
            "service_stat.changed": _("A unit's one-stop-shop statistics changed"),
            "service_stat.removed": _("A unit's one-stop-shop statistics removed"),
            "source_format.saved": _("Source format saved"),  # services_stats/services.py
        })
