"""Who may see the chart: signed-in patients, their own records only, and only if OpenEMR allows the portal."""

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from tests import factories as f
from tests.records.conftest import BOB_VISIT, SENSITIVE_VISIT, VISIT

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clinic_today")]

PAGES = ["/", "/visits/", f"/visits/{VISIT}/", "/medications/", "/problems/", "/allergies/", "/immunizations/",
         "/results/", "/results/1/", "/results/analyte/2345-7/", "/vitals/", "/appointments/", "/profile/"]


@pytest.mark.parametrize("url", PAGES)
def test_anonymous_visitor_is_sent_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("url", PAGES)
def test_password_only_session_is_sent_to_the_second_factor(client, alice, url):
    from tests.accounts.conftest import sign_in

    sign_in(client, "alice")
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login_otp")


def test_staff_user_without_patient_account_gets_403(staff_client):
    response = staff_client.get("/")
    assert response.status_code == 403
    assert not AuditEvent.objects.filter(code="record.viewed").exists()


def test_patient_not_allowed_to_use_portal_gets_a_clear_403_page(client, make_patient_account, openemr):
    from tests.conftest import _verified_client

    f.PatientFactory(pid=5, allow_patient_portal="NO")
    user = make_patient_account(5, "eve")
    client = _verified_client(client, user, user.totpdevice_set.get())
    for url in ("/", "/visits/", "/profile/"):
        response = client.get(url)
        assert response.status_code == 403
        assert "Portal access is not turned on" in response.content.decode()
    assert not AuditEvent.objects.filter(code="record.viewed").exists()


def test_portal_allowance_is_not_required_when_the_setting_is_off(client, make_patient_account, openemr, settings):
    from tests.conftest import _verified_client

    settings.PORTAL_REQUIRE_ALLOW_PORTAL = False
    f.PatientFactory(pid=5, allow_patient_portal="")
    user = make_patient_account(5, "eve")
    client = _verified_client(client, user, user.totpdevice_set.get())
    assert client.get("/").status_code == 200


def test_allow_patient_portal_is_read_case_insensitively(client, make_patient_account, openemr):
    from tests.conftest import _verified_client

    f.PatientFactory(pid=6, allow_patient_portal="yes")
    user = make_patient_account(6, "frank")
    client = _verified_client(client, user, user.totpdevice_set.get())
    assert client.get("/").status_code == 200


def test_patient_without_patient_data_row_is_refused(client, make_patient_account, openemr):
    from tests.conftest import _verified_client

    user = make_patient_account(77, "ghost")
    client = _verified_client(client, user, user.totpdevice_set.get())
    assert client.get("/").status_code == 403


def test_another_patients_encounter_is_not_found(alice_client, rich, bob_record):
    response = alice_client.get(f"/visits/{BOB_VISIT}/")
    assert response.status_code == 404
    assert "Bob" not in response.content.decode()
    assert not AuditEvent.objects.filter(code="record.viewed").exists()


def test_another_patients_report_is_not_found(alice_client, rich, bob_record):
    response = alice_client.get(f"/results/{bob_record['report']}/")
    assert response.status_code == 404
    assert "lipid" not in response.content.decode()


def test_another_patients_analyte_is_not_found(alice_client, rich, bob_record):
    assert alice_client.get("/results/analyte/2093-3/").status_code == 404


def test_unknown_encounter_number_is_not_found(alice_client, rich):
    assert alice_client.get("/visits/123456789/").status_code == 404


def test_sensitive_encounter_is_not_found_by_default(alice_client, rich):
    assert alice_client.get(f"/visits/{SENSITIVE_VISIT}/").status_code == 404


def test_sensitive_encounter_is_shown_when_the_clinic_allows_it(alice_client, rich, settings):
    settings.PORTAL_SHOW_SENSITIVE_ENCOUNTERS = True
    response = alice_client.get(f"/visits/{SENSITIVE_VISIT}/")
    assert response.status_code == 200
    assert "Confidential counselling" in response.content.decode()


def test_report_of_a_sensitive_encounter_is_not_found(alice_client, rich):
    assert alice_client.get(f"/results/{rich['sensitive_report']}/").status_code == 404


def test_report_of_a_deleted_order_is_not_found(alice_client, rich):
    assert alice_client.get(f"/results/{rich['deleted_report']}/").status_code == 404


def test_chart_pages_refuse_post(alice_client, rich):
    assert alice_client.post("/").status_code == 405


def test_analyte_code_with_unsafe_characters_does_not_route(alice_client, rich):
    assert alice_client.get("/results/analyte/%27%20OR%201=1/").status_code == 404


def test_chart_pages_are_never_cached(alice_client, rich):
    response = alice_client.get("/vitals/")
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    assert "private" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
