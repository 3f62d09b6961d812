"""The demo patient (fake_openemr's pid 1) walks every page by its links in real Chromium, and axe-core finds
no WCAG 2.1 A/AA violations on any patient, account or staff page."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connections

from tests.conftest import _verified_client
from tests.e2e.conftest import axe_violations

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def demo_data(openemr):
    """fake_openemr's synthetic clinic (small), written into the test OpenEMR database, emptied afterwards."""
    name = connections["openemr"].settings_dict["NAME"]
    url = f"mysql://root@127.0.0.1:{os.environ['PORTAL_TEST_MARIADB_PORT']}/{name}"
    subprocess.run([sys.executable, "manage.py", "fake_openemr", "--patients=12", "--seed=2026", "--heavy-pid=0",
                    f"--database-url={url}", "--verbosity=0"], check=True, cwd=ROOT)
    tables = [row[0] for row in openemr.execute("SHOW TABLES")]
    yield
    for table in tables:
        openemr.execute(f"DELETE FROM `{table}`")


def _sign_in(page, client, user, live_server):
    client = _verified_client(client, user, user.totpdevice_set.get())
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


def _check(page, url, failures):
    response = page.goto(url)
    assert response.status == 200, url
    assert page.locator("h1").count() == 1, url
    violations = axe_violations(page)
    if violations:
        failures[url] = violations


def test_demo_patient_walks_every_page_by_its_links_without_axe_violations(
        page, client, make_patient_account, demo_data, live_server):
    _sign_in(page, client, make_patient_account(1, "demo"), live_server)
    failures, seen = {}, set()
    page.goto("/")
    nav = [link.get_attribute("href") for link in page.get_by_role("navigation", name="Main").locator("a").all()]
    assert len(nav) >= 12
    for href in nav:
        _check(page, href, failures)
        seen.add(href)
        # Follow the first detail link of each list: a visit, a report, an analyte history, a printable visit.
        for pattern in (r"^/visits/\d+/$", r"^/results/\d+/$", r"^/results/analyte/[^/]+/$"):
            links = [a.get_attribute("href") for a in page.locator("main a").all()]
            detail = next((h for h in links if h and re.match(pattern, h) and h not in seen), None)
            if detail:
                _check(page, detail, failures)
                seen.add(detail)
    assert any(re.match(r"^/visits/\d+/$", h) for h in seen), seen
    assert any(re.match(r"^/results/\d+/$", h) for h in seen), seen
    assert any(re.match(r"^/results/analyte/", h) for h in seen), seen
    assert failures == {}


def test_sign_in_and_activation_pages_have_no_axe_violations(page):
    failures = {}
    for url in ("/accounts/login/", "/accounts/activate/", "/staff/login/"):
        _check(page, url, failures)
    # A form with errors (error summary, aria-describedby) is checked too.
    page.goto("/accounts/login/")
    page.locator("main form button[type=submit]").first.click()
    violations = axe_violations(page)
    if violations:
        failures["/accounts/login/ (errors)"] = violations
    assert failures == {}


def test_staff_console_and_patient_account_pages_have_no_axe_violations(
        page, client, staff, make_patient_account, demo_data, live_server):
    make_patient_account(1, "demo")
    _sign_in(page, client, staff, live_server)
    failures = {}
    for url in ("/staff/", "/staff/accounts/", "/staff/patients/1/", "/staff/audit/"):
        _check(page, url, failures)
    page.goto("/staff/")
    page.get_by_label("Name").fill("a")
    page.get_by_role("button", name="Search").click()
    violations = axe_violations(page)
    if violations:
        failures["/staff/ (results)"] = violations
    page.goto("/staff/patients/1/")
    page.get_by_role("button", name="Re-issue credentials (new letter)").click()
    assert "Your patient portal account" in page.content()
    violations = axe_violations(page)
    if violations:
        failures["letter"] = violations
    assert failures == {}
