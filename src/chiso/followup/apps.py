from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from chiso.audit.events import register


class FollowupConfig(AppConfig):
    name = "chiso.followup"
    verbose_name = _("Follow-up")

    def ready(self):
        register(EVENTS)


EVENTS = {  # the labels of services.EventCode
    "directive.created": _("Directive recorded"),
    "task.created": _("Task assigned"),
    "task.cancelled": _("Task cancelled"),
    "task.reassigned": _("Task passed to another unit"),
    "task.reported": _("Progress reported"),
    "task.completion_asked": _("Completion reported, awaiting confirmation"),
    "task.completion_confirmed": _("Completion confirmed"),
    "task.completion_rejected": _("Completion sent back"),
    "plan.created": _("Improvement plan created"),
    "plan.action_added": _("Action added to the plan"),
    "plan.action_done": _("Plan action done"),
    "plan.submitted": _("Improvement plan submitted"),
    "target.created": _("Target set"),
    "statistic.created": _("Statistic created"),
    "statistic.value_set": _("Statistic value recorded"),
}
