"""One appointment as an iCalendar (RFC 5545) file, for "add to calendar". Written by hand: 20 lines of a
well-specified text format do not justify a dependency (escaping and line folding are the only subtleties)."""

import datetime
import re
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _escape(text):
    """TEXT value escaping (RFC 5545 §3.3.11); line breaks become \\n, other control characters are dropped."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text)
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line):
    """Lines longer than 75 octets are folded (RFC 5545 §3.1)."""
    data, out = line.encode(), []
    while len(data) > 75:
        cut = 75
        while (data[cut] & 0xC0) == 0x80:  # never split a UTF-8 character
            cut -= 1
        out.append(data[:cut].decode())
        data = b" " + data[cut:]
    out.append(data.decode())
    return "\r\n".join(out)


def ics(appointment):
    """The VCALENDAR text for one Appointment (records.queries): times in the clinic's zone, as UTC."""
    zone = ZoneInfo(settings.CLINIC_TIME_ZONE)
    stamp = timezone.now().astimezone(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    what = appointment.category or appointment.title or "Appointment"
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//OpenEMR patient portal//EN", "CALSCALE:GREGORIAN",
             "METHOD:PUBLISH", "BEGIN:VEVENT", f"UID:{appointment.key}@{settings.PORTAL_BASE_URL.split('//')[-1]}",
             f"DTSTAMP:{stamp}"]
    if appointment.all_day or appointment.start_time is None:
        day = appointment.date
        lines += [f"DTSTART;VALUE=DATE:{day:%Y%m%d}",
                  f"DTEND;VALUE=DATE:{day + datetime.timedelta(days=1):%Y%m%d}"]
    else:
        start = datetime.datetime.combine(appointment.date, appointment.start_time, tzinfo=zone)
        end_time = appointment.end_time if appointment.end_time and appointment.end_time > appointment.start_time \
            else None
        end = datetime.datetime.combine(appointment.date, end_time, tzinfo=zone) if end_time else \
            start + datetime.timedelta(minutes=30)
        lines += [f"DTSTART:{start.astimezone(datetime.timezone.utc):%Y%m%dT%H%M%SZ}",
                  f"DTEND:{end.astimezone(datetime.timezone.utc):%Y%m%dT%H%M%SZ}"]
    summary = f"{what} at {settings.PORTAL_CLINIC_NAME}"
    if appointment.provider:
        summary += f" with {appointment.provider}"
    location = ", ".join(p for p in (appointment.facility, settings.PORTAL_CLINIC_ADDRESS) if p)
    description = "To change or cancel, contact the clinic" + (
        f" at {settings.PORTAL_CLINIC_PHONE}." if settings.PORTAL_CLINIC_PHONE else ".")
    lines += [f"SUMMARY:{_escape(summary)}", f"DESCRIPTION:{_escape(description)}"]
    if location:
        lines.append(f"LOCATION:{_escape(location)}")
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
