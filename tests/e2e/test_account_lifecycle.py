"""The whole account story in real Chromium: staff issue a letter, the patient activates with it, enrols an
authenticator, signs out, signs in again with password + code, and a backup code works exactly once."""

import datetime
import time

import pytest
from django_otp.oath import TOTP

from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)

NEW_PASSWORD = "Velvet-Orchard-Compass-81"


def totp_code(key_hex_or_bytes, offset_steps=0):
    key = bytes.fromhex(key_hex_or_bytes) if isinstance(key_hex_or_bytes, str) else key_hex_or_bytes
    totp = TOTP(key, step=30, t0=0, digits=6, drift=0)
    totp.time = time.time() + 30 * offset_steps
    return f"{totp.token():06d}"


def code_from_base32(key_text, offset_steps=0):
    import base64

    cleaned = key_text.replace(" ", "").upper()
    cleaned += "=" * (-len(cleaned) % 8)
    return totp_code(base64.b32decode(cleaned), offset_steps)


def submit(page):
    page.locator("main form button[type=submit]").first.click()


def sign_in_staff(page, staff):
    from tests.conftest import PASSWORD

    page.goto("/staff/login/")
    page.get_by_label("Username").fill(staff.username)
    page.get_by_label("Password").fill(PASSWORD)
    submit(page)
    page.get_by_label("6-digit code").fill(totp_code(staff.totpdevice_set.get().key))
    submit(page)


def test_staff_issue_patient_activate_enrol_sign_in_and_backup_code_once(browser, live_server, staff, openemr):
    factories.PatientFactory(pid=1, pubpid="MRN777", fname="Alice", lname="Martín",
                             DOB=datetime.date(1980, 4, 12))
    staff_ctx = browser.new_context(base_url=live_server.url)
    staff_page = staff_ctx.new_page()

    # Staff: sign in with TOTP, find the patient, issue credentials, read the letter.
    sign_in_staff(staff_page, staff)
    staff_page.get_by_label("Patient id (MRN)").fill("MRN777")
    staff_page.get_by_role("button", name="Search").click()
    staff_page.get_by_role("link", name="Martín, Alice").click()
    staff_page.get_by_role("button", name="Issue credentials (letter)").click()
    boxes = staff_page.locator(".letter .code-box")
    username, activation_code = boxes.nth(0).inner_text().strip(), boxes.nth(1).inner_text().strip()
    assert username and len(activation_code.replace("-", "")) >= 16
    staff_ctx.close()

    # Patient: activate with the letter's code and the date of birth, choose a password, enrol TOTP.
    ctx = browser.new_context(base_url=live_server.url)
    page = ctx.new_page()
    page.goto("/accounts/activate/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Activation code").fill(activation_code)
    page.get_by_label("Date of birth").fill("1980-04-12")
    submit(page)
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New password again").fill(NEW_PASSWORD)
    submit(page)
    key = page.locator(".code-box").first.inner_text()
    page.get_by_label("6-digit code").fill(code_from_base32(key))
    submit(page)
    backup_codes = [c.strip() for c in page.locator(".backup-codes li").all_inner_texts()]
    assert len(backup_codes) == 10
    page.get_by_role("link", name="I have saved them: go to my health summary").click()
    assert "health summary" in page.locator("h1").inner_text().lower()

    # Sign out; sign in again with password + a fresh code (the enrolment code cannot be replayed).
    page.get_by_role("button", name="Sign out").click()
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(NEW_PASSWORD)
    submit(page)
    page.get_by_label("6-digit code").fill(code_from_base32(key, offset_steps=1))
    submit(page)
    assert "health summary" in page.locator("h1").inner_text().lower()
    assert page.url.rstrip("/") == live_server.url

    # A backup code works once.
    def sign_in_with_backup(code):
        page.get_by_role("button", name="Sign out").click()
        page.goto("/accounts/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(NEW_PASSWORD)
        submit(page)
        page.get_by_role("link", name="Use a backup code instead").click()
        page.get_by_label("Backup code").fill(code)
        submit(page)

    sign_in_with_backup(backup_codes[0])
    assert "health summary" in page.locator("h1").inner_text().lower()
    sign_in_with_backup(backup_codes[0])
    assert "health summary" not in page.locator("h1").inner_text().lower()
    assert page.locator(".errorlist, .error-summary").count() >= 1
    ctx.close()
