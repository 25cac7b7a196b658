from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from chiso.audit.events import register


class ApiConfig(AppConfig):
    name = "chiso.api"
    verbose_name = _("Open data and API")

    def ready(self):
        register({  # services.TokenEvent
            "api_token.created": _("API token created"),
            "api_token.revoked": _("API token revoked"),
        })
