from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServicesStatsConfig(AppConfig):
    name = "chiso.services_stats"
    verbose_name = _("One-stop-shop statistics")
