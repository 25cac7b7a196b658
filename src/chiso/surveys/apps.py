from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "chiso.surveys"
    verbose_name = _("Surveys")

    def ready(self):
        from .logfilters import install

        install()
