"""Numbers as the province writes them (1.234,5), with a sign for changes and arrows that say
in words what they show, for screen readers."""

from django import template
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from chiso.results.downloads import SHOWN_DECIMALS  # CSV downloads round as the pages do

register = template.Library()
DASH = "—"


@register.filter
def num(value, digits=SHOWN_DECIMALS):
    """1.234,56 in Vietnamese, 1,234.56 in English; a dash for no value."""
    if value is None or value == "":
        return DASH
    return number_format(round(float(value), int(digits)), int(digits), use_l10n=True, force_grouping=True)


@register.filter
def signed(value, digits=2):
    """+1,25 or −0,50 (a true minus sign); a dash for no value."""
    if value is None or value == "":
        return DASH
    value = round(float(value), int(digits))
    text = number_format(abs(value), int(digits), use_l10n=True, force_grouping=True)
    return ("+" if value > 0 else "−" if value < 0 else "±") + text


@register.simple_tag
def rank_change(change):
    """▲ 3 / ▼ 2 / = for ranks gained or lost; nothing when ranks cannot be compared (across
    the 2025 reform), a dash when there is nothing to compare with."""
    if not change:
        return format_html('<span class="change change-none">{}</span>', DASH)
    if change.rank is not None:
        n = abs(change.rank)
        if change.rank > 0:
            words = ngettext("up %(n)s place", "up %(n)s places", n) % {"n": n}
            return format_html('<span class="change change-up" title="{0}">▲ {1}<span class="sr">{0}</span></span>', words, n)
        if change.rank < 0:
            words = ngettext("down %(n)s place", "down %(n)s places", n) % {"n": n}
            return format_html('<span class="change change-down" title="{0}">▼ {1}<span class="sr">{0}</span></span>', words, n)
        return format_html('<span class="change change-same" title="{0}">=<span class="sr">{0}</span></span>', _("same rank"))
    return ""  # compared through lineage: a score, no rank to compare


@register.simple_tag
def score_change(value, digits=2):
    """The score's change with an arrow: ↑ +1,25 / ↓ −0,50."""
    if value is None or value == "":
        return format_html('<span class="change change-none">{}</span>', DASH)
    if round(value, int(digits)) > 0:
        return format_html('<span class="change change-up" title="{1}">↑ {0}</span>', signed(value, digits), _("higher than last period"))
    if round(value, int(digits)) < 0:
        return format_html('<span class="change change-down" title="{1}">↓ {0}</span>', signed(value, digits), _("lower than last period"))
    return format_html('<span class="change change-same">{}</span>', signed(value, digits))


@register.simple_tag
def chart(chart, print=False, scroll=False):
    """A figure with the chart and its text alternative as caption: inline SVG on pages (drawn
    by chiso.results.charts from our own numbers), or an image from its URL when it has one,
    and an SVG image embedded in PDFs."""
    if not chart:
        return ""
    if print:
        body = format_html('<img src="{}" alt="{}">', chart.data_uri, chart.alt)
    elif chart.url:  # a large chart: loaded (and cached) on its own, the page stays light
        body = format_html('<img class="chart" src="{}" alt="{}" loading="lazy">', chart.url, chart.alt)
    else:
        body = mark_safe(chart.svg)
        if scroll:
            body = format_html('<div class="chart-scroll">{}</div>', body)
    return format_html('<figure class="chart-box">{}<figcaption>{}</figcaption></figure>', body, chart.alt)
