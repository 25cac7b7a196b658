"""A run's steps in words on pages."""

from django import template

from chiso.indices.step_words import steps_described

register = template.Library()


@register.filter
def steps_in_words(steps_log) -> list[tuple[str, str]]:
    """A run's step log as (step, what it did) in words, for "How this result was computed"."""
    return steps_described(steps_log)
