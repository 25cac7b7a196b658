"""Template helpers of follow-up: figures as the province writes them, and the leader's home card."""

from django import template

from ..queries import dashboard_card
from ..targets import figure as _figure

register = template.Library()


@register.filter
def figure(value):
    """171 · 19,58 · — for nothing."""
    return _figure(value)


@register.filter
def signed(value):
    """+19,58 or −3: a change with its sign."""
    if value is None:
        return "—"
    text = _figure(abs(value))
    return f"+{text}" if value > 0 else (f"−{text}" if value < 0 else text)


@register.filter
def due_on(task, today):
    """The date a task is due as of `today`: a recurring task owes its last period's report only."""
    return task.due_on(today) if today else task.due_date


@register.inclusion_tag("followup/_home_leader.html", takes_context=True)
def followup_leader_card(context):
    return {"card": dashboard_card(), "request": context.get("request")}
