"""Staff side of issue 11 in Chromium: the letter prints from a button and a reload cannot re-issue credentials;
the audit report fits the screen with labels in words and the raw values one click away (1280 and 390 px)."""

import os
import re

import pytest
from django.conf import settings

from accounts.models import PatientAccount
from audit.log import Event, record
from audit.models import AuditEvent
from tests import factories
from tests.conftest import _verified_client
from tests.e2e.conftest import axe_violations

pytestmark = pytest.mark.django_db(transaction=True)
LONG_UA = ("Mozilla/5.0 (Linux; Android 14; Pixel 8 Pro Build/AP2A.240805.005) AppleWebKit/537.36 (KHTML, like Gecko) "
           "Chrome/128.0.6613.127 Mobile Safari/537.36")


def _staff_context(browser, client, staff, live_server, width, height):
    client = _verified_client(client, staff, staff.totpdevice_set.get())
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context = browser.new_context(base_url=live_server.url, bypass_csp=True, viewport={"width": width, "height": height})
    context.set_default_timeout(20000)
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    return context


def _shot(page, name):
    folder = os.environ.get("PORTAL_SCREENSHOTS")
    if folder:
        os.makedirs(folder, exist_ok=True)
        page.screenshot(path=os.path.join(folder, name + ".png"), full_page=True)


def test_letter_prints_from_a_button_and_a_reload_does_not_issue_new_credentials(
        browser, client, staff, openemr, live_server, settings):
    settings.PORTAL_CLINIC_PHONE = "(555) 201-3300"
    factories.PatientFactory(pid=23, fname="Gina", lname="Park")
    context = _staff_context(browser, client, staff, live_server, 1280, 900)
    page = context.new_page()
    page.goto("/staff/patients/23/")
    page.get_by_role("button", name=re.compile("Issue")).first.click()
    assert "Your patient portal account" in page.content()
    assert page.get_by_role("button", name="Print the letter").is_visible()
    page.wait_for_url("**/staff/patients/23/")  # the POST's history entry was replaced (by a deferred script)
    assert axe_violations(page) == []
    _shot(page, "desktop-staff-letter")
    issued = AuditEvent.objects.filter(code="staff.credentials_issued").count()
    page.reload()
    assert AuditEvent.objects.filter(code="staff.credentials_issued").count() == issued == 1
    assert PatientAccount.objects.filter(pid=23).count() == 1
    context.close()


@pytest.mark.parametrize("width", [1280, 390])
def test_audit_report_fits_the_screen_with_labels_in_words(browser, client, staff, alice, live_server, rf, width):
    request = rf.get("/", HTTP_USER_AGENT=LONG_UA)
    request.user = alice
    for _ in range(3):
        record(Event.LOGIN_SUCCEEDED, request=request, actor=alice, pid=1)
        record(Event.RECORD_DOWNLOADED, request=request, actor=alice, pid=1, category="fhir.bundle",
               object_ids=["fhir", "start..now", "problems=5", "medications=4", "immunizations=4", "results=3"])
    context = _staff_context(browser, client, staff, live_server, width, 900)
    page = context.new_page()
    page.goto("/staff/audit/")
    assert page.get_by_text("Record downloaded").first.is_visible()
    assert page.get_by_text("Chrome on Android").first.is_visible()
    raw = page.get_by_text(LONG_UA[:60])  # stored as its first 120 characters
    assert not raw.first.is_visible()  # the raw user agent waits behind a click
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    if width == 1280:
        table = page.locator("table.audit-table")
        assert table.evaluate("t => t.scrollWidth <= t.parentElement.clientWidth")  # Outcome/Client on screen
        rows = page.evaluate("[...document.querySelectorAll('table.audit-table tbody tr')].map(r => r.offsetHeight)")
        assert max(rows) < 120, rows  # was 183 px with the user agent in the row
    page.get_by_text("Chrome on Android").first.click()
    assert raw.first.is_visible()
    assert axe_violations(page) == []
    _shot(page, f"{'desktop' if width == 1280 else 'phone'}-staff-audit")
    context.close()
