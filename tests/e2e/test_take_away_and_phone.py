"""Issue 11 in real Chromium at desktop (1280 px) and phone (390 px) widths: the patient's name in the header, the
phone menu (with and without JavaScript), collapsed results, readable charts, the downloads page, printouts and
calendar files; axe-core finds no WCAG 2.1 A/AA violations on any of these pages at either width.

Set PORTAL_SCREENSHOTS=/some/dir to keep a full-page screenshot of every page at both widths (for review)."""

import io
import os
import re

import pytest
from django.conf import settings
from pypdf import PdfReader

from tests.conftest import _verified_client
from tests.e2e.conftest import axe_violations
from tests.e2e.test_demo_patient_walk import demo_data  # noqa: F401 (fixture)
from tests.records.conftest import VISIT, make_heavy, reference_data, rich  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db(transaction=True)

WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}
PAGES = ["/", "/downloads/", "/results/", "/results/?show=latest", "/results/?test=glucose&start=2026-01-01",
         "/results/analyte/2345-7/", "/medications/", "/immunizations/", "/appointments/", "/vitals/",
         f"/visits/{VISIT}/", f"/visits/{VISIT}/print/"]


def _signed_in_context(browser, client, alice, live_server, width, height, javascript=True):
    client = _verified_client(client, alice, alice.totpdevice_set.get())
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context = browser.new_context(base_url=live_server.url, bypass_csp=True, viewport={"width": width, "height": height},
                                  java_script_enabled=javascript, accept_downloads=True)
    context.set_default_timeout(20000)
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    return context


def _shot(page, name):
    folder = os.environ.get("PORTAL_SCREENSHOTS")
    if folder:
        os.makedirs(folder, exist_ok=True)
        page.screenshot(path=os.path.join(folder, re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") + ".png"),
                        full_page=True)


@pytest.fixture
def settings_with_clinic(settings):
    settings.PORTAL_CLINIC_PHONE = "(555) 201-3300"
    settings.PORTAL_CLINIC_ADDRESS = "12 River Road, Springfield, IL 62701"
    return settings


@pytest.mark.parametrize("width_name", sorted(WIDTHS))
def test_new_and_changed_pages_pass_axe_fit_the_screen_and_name_the_patient(
        browser, client, alice, live_server, rich, settings_with_clinic, width_name):
    width, height = WIDTHS[width_name]
    context = _signed_in_context(browser, client, alice, live_server, width, height)
    page = context.new_page()
    failures = {}
    for url in PAGES:
        response = page.goto(url)
        assert response.status == 200, url
        assert page.locator(".whose-chart").inner_text().strip().endswith("Alice Martín"), url
        assert page.locator("h1").count() == 1, url
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, (url, overflow)
        violations = axe_violations(page)
        if violations:
            failures[url] = violations
        _shot(page, f"{width_name} {url}")
    context.close()
    assert failures == {}


@pytest.mark.parametrize("javascript", [True, False])
def test_phone_menu_names_the_current_section_and_opens_without_javascript(
        browser, client, alice, live_server, rich, javascript):
    context = _signed_in_context(browser, client, alice, live_server, 390, 844, javascript=javascript)
    page = context.new_page()
    page.goto("/results/")
    assert not page.locator(".nav-wide").is_visible()
    summary = page.locator(".nav-phone > summary")
    assert summary.is_visible() and "Lab results" in summary.inner_text()
    box = summary.bounding_box()
    assert box["y"] < 200 and box["x"] + box["width"] <= 390  # the current section is on screen, at the top
    summary.click()
    menu = page.get_by_role("navigation", name="Main")
    assert menu.get_by_role("link", name="Immunizations").is_visible()
    _shot(page, f"phone menu open js={javascript}")
    menu.get_by_role("link", name="Immunizations").click()
    assert page.locator("h1").inner_text().strip() == "Your immunizations"
    assert "Immunizations" in page.locator(".nav-phone > summary").inner_text()
    context.close()


def test_results_list_is_collapsed_and_paged_on_a_phone(browser, client, alice, live_server, rich, openemr):
    make_heavy(openemr, pid=1, visits=60)
    context = _signed_in_context(browser, client, alice, live_server, 390, 844)
    page = context.new_page()
    page.goto("/results/")
    reports = page.locator("details.report")
    assert reports.count() == 20  # one page
    assert page.locator("details.report[open]").count() == 1  # only the newest is open
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 9000, height  # was ~28,000 px with every report expanded
    reports.nth(3).locator("summary").click()
    assert reports.nth(3).locator("table").is_visible()
    page.get_by_role("link", name="Older").click()
    assert "Page 2 of" in page.content()
    page.get_by_role("link", name="Latest value of each test").click()
    assert page.get_by_role("table").first.is_visible()
    _shot(page, "phone results latest heavy")
    context.close()


def test_trend_chart_text_stays_readable_on_a_phone(browser, client, alice, live_server, rich):
    context = _signed_in_context(browser, client, alice, live_server, 390, 844)
    page = context.new_page()
    page.goto("/vitals/")
    heights = page.evaluate("[...document.querySelectorAll('svg.chart text')].map(t => t.getBoundingClientRect().height)")
    assert heights and min(heights) >= 11, heights  # was ~5 px when the SVG shrank to the screen
    context.close()


def test_downloads_page_gives_the_pdf_for_the_chosen_range_and_the_fhir_file(
        browser, client, alice, live_server, rich):
    context = _signed_in_context(browser, client, alice, live_server, 390, 844)
    page = context.new_page()
    page.goto("/")
    page.locator(".nav-phone > summary").click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Downloads").click()
    page.get_by_label("From", exact=True).fill("2026-01-01")
    page.get_by_label("To", exact=True).fill("2026-03-31")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the PDF").click()
    assert download.value.suggested_filename == "health-record.pdf"
    assert page.locator(".busy-message").inner_text().startswith("Preparing your PDF")  # progress, said politely
    text = "\n".join(p.extract_text() for p in PdfReader(download.value.path()).pages)
    assert "Alice Martín" in text and "Jan 1, 2026 to Mar 31, 2026" in text and "Lab results" in text
    with page.expect_download() as download:
        page.get_by_role("link", name="Download for a health app (FHIR JSON)").click()
    assert download.value.suggested_filename == "health-record.fhir.json"
    context.close()


def test_printable_visit_summary_prints_on_at_most_two_letter_pages_with_the_name(
        browser, client, alice, live_server, rich):
    context = _signed_in_context(browser, client, alice, live_server, 1280, 900)
    page = context.new_page()
    page.goto(f"/visits/{VISIT}/print/")
    assert page.get_by_role("button", name="Print").is_visible()  # shown by records.js; nothing printed by itself
    pdf = page.pdf(format="Letter", print_background=False)
    if os.environ.get("PORTAL_SCREENSHOTS"):
        open(os.path.join(os.environ["PORTAL_SCREENSHOTS"], "browser-print-visit.pdf"), "wb").write(pdf)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) <= 2
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert "Alice Martín" in text and "born Apr 12, 1980" in text and "printed" in text
    assert "Vitals taken" in text and "No immunizations were given" not in text  # empty sections left out
    context.close()


def test_add_to_calendar_downloads_an_ics_file(browser, client, alice, live_server, rich):
    import datetime

    from django.utils import timezone

    from tests import factories as f

    # Browser tests run on the real clock: book one a week from today.
    f.AppointmentFactory(pc_pid="1", pc_eventDate=timezone.localdate() + datetime.timedelta(days=7))
    context = _signed_in_context(browser, client, alice, live_server, 1280, 900)
    page = context.new_page()
    page.goto("/appointments/")
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("^Add to calendar")).first.click()
    assert download.value.suggested_filename == "appointment.ics"
    assert open(download.value.path(), encoding="utf-8").read().startswith("BEGIN:VCALENDAR")
    context.close()


@pytest.mark.slow
def test_demo_patients_newest_visit_prints_on_at_most_two_letter_pages(browser, client, make_patient_account,
                                                                        demo_data, live_server):
    """Acceptance (issue 11) for the browser's own printing of the printable page, fake_openemr's pid 1."""
    from records import queries

    user = make_patient_account(1, "demo")
    demo = _verified_client(client, user, user.totpdevice_set.get())
    cookie = demo.cookies[settings.SESSION_COOKIE_NAME]
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    page = context.new_page()
    newest = queries.visit_list(1).visits[0].encounter
    page.goto(f"/visits/{newest}/print/")
    pdf = page.pdf(format="Letter")
    if os.environ.get("PORTAL_SCREENSHOTS"):
        open(os.path.join(os.environ["PORTAL_SCREENSHOTS"], "browser-print-demo-visit.pdf"), "wb").write(pdf)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) <= 2, len(reader.pages)
    context.close()
