from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from chiso.audit.events import register

from chiso.surveys.collection.logfilters import install


class SurveysConfig(AppConfig):
    name = "chiso.surveys"
    verbose_name = _("Surveys")

    def ready(self):
        install()
        register(EVENTS)


EVENTS = {  # the labels of services.SurveyEventCode and sampling.SampleEventCode
    "survey.created": _("Survey created"),
    "survey.opened": _("Survey opened"),
    "survey.closed": _("Survey closed"),
    "survey.extended": _("Survey extended"),
    "survey.version_changed": _("Questionnaire version changed"),
    "survey.anonymity_changed": _("Anonymity of the survey changed"),
    "questionnaire.version_imported": _("Questionnaire version imported"),
    "survey.invitations_created": _("Invitations created"),
    "survey.responses_imported": _("Responses imported"),
    "survey.paper_double_entry": _("Double entry of paper forms changed"),
    "survey.analysis_changed": _("Analysis settings changed"),
    "invitation.resent": _("Invitation sent again"),
    "invitation.revoked": _("Invitation revoked"),
    "paper_form.settled": _("Paper form settled"),
    "sample.drawn": _("Sample drawn"),
    "sample.replaced": _("Sampled business replaced"),
    "sample_frame.imported": _("Sample frame imported"),
    "survey.message_template_changed": _("Text of the invitations changed"),
    "sample.invitations_sent": _("Invitations e-mailed"),
    "sample.reminders_sent": _("Reminders e-mailed"),
}
