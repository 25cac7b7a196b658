from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from .events import register


class AuditConfig(AppConfig):
    name = "chiso.audit"
    verbose_name = _("Audit trail")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        register({
            "admin.added": _("Added in the administration pages"),
            "admin.changed": _("Changed in the administration pages"),
            "admin.deleted": _("Deleted in the administration pages"),
        })
