from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentsConfig(AppConfig):
    name = "chiso.assessments"
    verbose_name = _("PAR Index assessment")
