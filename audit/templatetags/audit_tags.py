"""Readable audit report cells: staff labels for event codes, a short browser name for a user agent."""

from django import template

from audit import display

register = template.Library()


@register.filter
def staff_label(code):
    return display.staff_label(code)


@register.filter
def browser(user_agent):
    return display.browser_summary(user_agent)


@register.filter
def spaced(object_ids):
    """ "a,b,c" -> "a, b, c": lets a narrow column wrap between ids rather than inside them."""
    return ", ".join(part for part in (object_ids or "").split(","))
