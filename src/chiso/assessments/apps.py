from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from chiso.audit.events import register


class AssessmentsConfig(AppConfig):
    name = "chiso.assessments"
    verbose_name = _("PAR Index assessment")

    def ready(self):
        register(EVENTS)


EVENTS = {  # the labels of the audit event codes of services.Event
    "cycle.created": _("Cycle opened"),
    "cycle.deleted": _("Cycle deleted"),
    "cycle.schedule_set": _("Schedule changed"),
    "cycle.survey_applied": _("Survey points applied"),
    "cycle.results_computed": _("Results computed"),
    "assessment.transition": _("Status changed"),
    "assessment.reopened": _("Reopened"),
    "assessment.withdrawn": _("Submission withdrawn"),
    "assessment.not_submitted": _("Closed as not submitted"),
    "assessment.excluded": _("Excluded from the cycle"),
    "assessment.included": _("Added to the cycle"),
    "assessment.explanation_extended": _("Explanation deadline extended"),
    "assessment.bonus_penalty": _("Bonus or penalty"),
    "assessment.reminder_sent": _("Reminder sent"),
    "access.refused": _("Access refused"),
    "item.self_assessed": _("Self-assessment"),
    "item.appraised": _("Appraisal"),
    "item.reappraised": _("Appraisal, round 2"),
    "item.claim_accepted": _("Claim accepted"),
    "item.explanation_replied": _("Reply to the explanation"),
    "item.explanation_asked": _("Explanation requested"),
    "item.explained": _("Explanation"),
    "item.council_adjusted": _("Council change"),
    "item.converted_points": _("Survey points"),
    "evidence.added": _("Evidence added"),
    "evidence.removed": _("Evidence removed"),
    "affiliation.declared": _("Affiliation declared"),
    "affiliation.removed": _("Affiliation removed"),
}
