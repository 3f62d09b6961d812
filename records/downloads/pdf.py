"""Printouts as PDF with WeasyPrint, from the same partial templates as the pages (templates/records/pdf/).

WeasyPrint never fetches anything: the one stylesheet is read from our static files and every other URL is
refused (a patient-controlled string must not make the DMZ host open connections). The PDF is tagged (PDF/UA-1
variant: structure tree, language, title) as far as WeasyPrint allows.
"""

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

PDF_STYLESHEET = "css/pdf.css"


class FetchRefused(ValueError):
    pass


def _refuse(url, *args, **kwargs):
    raise FetchRefused("The PDF renderer fetches nothing.")


def render_pdf(template, context, request=None):
    """The PDF bytes for `template` rendered with `context`."""
    import weasyprint  # imported here: loading pango costs ~0.3 s, paid only by the downloads

    html = render_to_string(template, context, request=request)
    stylesheet = weasyprint.CSS(filename=finders.find(PDF_STYLESHEET), url_fetcher=_refuse)
    document = weasyprint.HTML(string=html, base_url="about:blank", url_fetcher=_refuse)
    return document.write_pdf(stylesheets=[stylesheet], pdf_variant="pdf/ua-1")
