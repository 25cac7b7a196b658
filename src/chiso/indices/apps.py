from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicesConfig(AppConfig):
    name = "chiso.indices"
    verbose_name = _("Index runs and results")

    def ready(self):
        from chiso.audit.events import register

        from .analysis import EVENTS

        register(EVENTS)
        register({  # indices/national.py
            "national_result.imported": _("Published national result imported"),
            "national_result.updated": _("Published national result updated"),
        })
