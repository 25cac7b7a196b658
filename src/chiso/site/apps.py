from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SiteConfig(AppConfig):
    """The site shell: home per role, navigation, the period switcher, the demo and the daily
    housekeeping. It imports the apps; nothing imports it (core is the leaf underneath)."""

    name = "chiso.site"
    label = "site"
    verbose_name = _("Site")
