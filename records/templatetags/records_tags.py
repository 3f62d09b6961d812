"""Template filters for the patient pages (dates in the clinic's format, "unknown" for missing dates)."""

from django import template

from records import display

register = template.Library()


@register.filter
def pdate(value):
    """{{ value|pdate }}: date in settings.PORTAL_DATE_FORMAT; None or a zero date reads "unknown"."""
    return display.format_date(value)


@register.filter
def pdatetime(value):
    return display.format_datetime(value)


@register.filter
def ptime(value):
    return display.format_time(value)


@register.filter
def or_unknown(value):
    return value if value not in (None, "") else display.UNKNOWN


@register.simple_tag(takes_context=True)
def page_query(context, page_number):
    """The current query string with `page` replaced (keeps the year / show filters)."""
    params = context["request"].GET.copy()
    params["page"] = page_number
    return params.urlencode()
