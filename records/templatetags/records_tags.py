"""Template filters for the patient pages (dates in the clinic's format, "unknown" for missing dates)."""

from django import template

from records import display, plain

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


# --- Plain language (records/plain.py) ------------------------------------------------------------------

@register.filter
def plain_lab(result):
    """{{ result|plain_lab }}: a LabResult's plain name."""
    return plain.lab_name(getattr(result, "name", ""), getattr(result, "code", ""))


@register.filter
def lab_about(code):
    return plain.lab_about(code)


@register.filter
def lab_info_url(code):
    return plain.lab_info_url(code)


@register.filter
def plain_unit(text):
    return plain.unit(text)


@register.filter
def directions(medication):
    return plain.directions(medication)


@register.filter
def appt_status(appointment, past=False):
    return plain.appointment_status(getattr(appointment, "status", ""), past=bool(past))


# --- The patient's navigation (templates/records/_nav.html) ---------------------------------------------

_NAV = (("summary", "records:summary", "Summary"), ("visits", "records:visits", "Visits"),
        ("results", "records:results", "Lab results"), ("medications", "records:medications", "Medications"),
        ("problems", "records:problems", "Problems"), ("allergies", "records:allergies", "Allergies"),
        ("immunizations", "records:immunizations", "Immunizations"), ("vitals", "records:vitals", "Vitals"),
        ("appointments", "records:appointments", "Appointments"), ("downloads", "records:downloads", "Downloads"),
        ("profile", "records:profile", "Profile"), ("activity", "audit:activity", "Activity"),
        ("security", "accounts:security", "Password and security"))


@register.simple_tag
def patient_nav(current):
    """[{url, label, current}] for the sections that exist in this deployment (the activity page may not)."""
    from django.urls import NoReverseMatch, reverse

    items = []
    for key, name, label in _NAV:
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        items.append({"url": url, "label": label, "current": key == current})
    return items


@register.filter
def plain_lab_name(name, code=""):
    """{{ name|plain_lab_name:code }}"""
    return plain.lab_name(name, code)


@register.simple_tag
def printed_now():
    """ "Printed on" for printable pages: now, in the clinic's time and the portal's date format."""
    from django.utils import timezone

    return display.format_datetime(timezone.localtime())
