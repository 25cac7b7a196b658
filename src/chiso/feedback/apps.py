from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from chiso.audit.events import register


class FeedbackConfig(AppConfig):
    name = "chiso.feedback"
    verbose_name = _("Business feedback")

    def ready(self):
        register(EVENTS)


EVENTS = {  # the labels of services.FeedbackEvent
    "feedback.routed": _("Routed to a unit"),
    "feedback.rerouted": _("Routed to another unit"),
    "feedback.split": _("Split"),
    "feedback.merged": _("Merged"),
    "feedback.dismissed": _("Not handled"),
    "feedback.answered": _("Answered"),
    "feedback.published": _("Answer published"),
    "feedback.unpublished": _("Answer withdrawn from publication"),
    "feedback.escalated": _("Overdue: escalated"),
}
