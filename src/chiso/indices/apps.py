from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from chiso.audit.events import register


class IndicesConfig(AppConfig):
    name = "chiso.indices"
    verbose_name = _("Index runs and results")

    def ready(self):
        register({"run_analysis.created": _("Run analysed (audit, sensitivity or comparison)")})  # indices/analysis.py
        register({
            "run.computed": _("Index run computed"),
            "run.published": _("Index run published"),
            "run.superseded": _("Index run superseded"),
            "run.discarded": _("Draft run discarded"),
            "value.set": _("Indicator value entered"),
            "value.removed": _("Indicator value withdrawn"),
        })
        register({  # indices/national.py
            "national_result.imported": _("Published national result imported"),
            "national_result.updated": _("Published national result updated"),
            "national_result.removed": _("Published national result removed"),
        })
        register({"indicator_values.imported": _("Indicator values imported from a file")})  # indices/values_import.py
