from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from chiso.audit.events import register


class FrameworksConfig(AppConfig):
    name = "chiso.frameworks"
    verbose_name = _("Frameworks")

    def ready(self):
        register({"framework.version_imported": _("Framework version imported")})
