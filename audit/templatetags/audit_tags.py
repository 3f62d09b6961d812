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
