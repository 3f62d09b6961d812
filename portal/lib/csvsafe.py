"""CSV cells that a spreadsheet will not run as formulas (CSV injection), for every CSV the portal writes.

Text from OpenEMR and client-supplied text (user agents) may start with = + - @ or a control character; such a
cell is prefixed with an apostrophe. A plain number (e.g. a result of -5.5) is left as it is.
"""

import re

_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")


def cell(value):
    text = "" if value is None else str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r") and not _NUMBER.match(text):
        return "'" + text
    return text
