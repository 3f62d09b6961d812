"""The second-factor reset in real Chromium: staff reset the app and print the letter; the patient needs the
password and the letter's code to set up a new app; a new backup-code set needs the password again. The new
pages stay axe-clean (WCAG 2.1 A/AA) at phone width."""

import pytest

from tests import factories
from tests.conftest import PASSWORD
from tests.e2e.conftest import axe_violations
from tests.e2e.test_account_lifecycle import code_from_base32, sign_in_staff, submit

pytestmark = pytest.mark.django_db(transaction=True)


def _clean(page):
    violations = axe_violations(page)
    assert violations == [], violations


def test_staff_reset_then_patient_sets_up_a_new_app_with_password_and_letter(browser, live_server, staff,
                                                                              make_patient_account, openemr):
    factories.PatientFactory(pid=1, pubpid="MRN778", fname="Alice", lname="Martín")
    make_patient_account(1, "alice")

    staff_ctx = browser.new_context(base_url=live_server.url)
    staff_page = staff_ctx.new_page()
    sign_in_staff(staff_page, staff)
    staff_page.goto("/staff/patients/1/")
    staff_page.get_by_role("button", name="Reset the authenticator app").click()
    assert "Set up your authenticator app again" in staff_page.locator(".letter h1").inner_text()
    reset_code = staff_page.locator(".letter .code-box").nth(1).inner_text().strip()
    staff_ctx.close()

    ctx = browser.new_context(base_url=live_server.url, bypass_csp=True, viewport={"width": 390, "height": 844})
    page = ctx.new_page()
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    submit(page)
    # The password alone leads only to the letter's code, never to a new app.
    assert page.url.endswith("/accounts/login/reset-code/")
    _clean(page)
    page.goto("/accounts/login/new-authenticator/")
    assert page.url.endswith("/accounts/login/reset-code/")
    page.get_by_label("Code from the clinic's letter").fill(reset_code)
    submit(page)
    assert page.url.endswith("/accounts/login/new-authenticator/")
    _clean(page)
    assert page.get_by_role("link", name="Open in your authenticator app").get_attribute("href").startswith(
        "otpauth://totp/")
    key = page.locator(".code-box").first.inner_text()
    page.get_by_label("6-digit code").fill(code_from_base32(key))
    submit(page)
    assert len(page.locator(".backup-codes li").all_inner_texts()) == 10

    # New backup codes from the security page: the password first.
    page.goto("/accounts/security/")
    page.get_by_role("link", name="Make new backup codes").click()
    assert "/accounts/security/confirm-password/" in page.url
    _clean(page)
    page.get_by_label("Your password").fill(PASSWORD)
    submit(page)
    assert page.url.endswith("/accounts/backup-codes/regenerate/")
    _clean(page)
    submit(page)
    assert len(page.locator(".backup-codes li").all_inner_texts()) == 10
    ctx.close()


def test_lockout_page_is_accessible_and_says_how_long(page, alice):
    for _ in range(5):
        page.goto("/accounts/login/")
        page.get_by_label("Username").fill("alice")
        page.get_by_label("Password").fill("Wrong-password-123")
        submit(page)
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    submit(page)
    assert "Too many attempts" in page.locator("h1").inner_text()
    assert "15 minutes" in page.locator("main").inner_text()
    _clean(page)
