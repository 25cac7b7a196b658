from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from chiso.audit.events import register


class AccountsConfig(AppConfig):
    name = "chiso.accounts"
    verbose_name = _("Accounts")

    def ready(self):
        register({"user.created": _("Account created")})  # services.USER_CREATED
