"""records.identity: the few patient_data columns accounts may read, with OpenEMR's quirks."""

import datetime

import pytest

from records.identity import find_patients, patient_identities, patient_identity
from tests import factories

pytestmark = pytest.mark.django_db


def test_identity_reads_zero_birth_date_as_unknown_and_portal_flag_as_openemr_compares_it(openemr):
    # One rule with the pages (records.openemr.meaning.allows_portal, issue 10 item 10): OpenEMR compares
    # allow_patient_portal = 'YES' in SQL under utf8mb4_general_ci, ignoring case and trailing spaces.
    factories.PatientFactory(pid=51, DOB="0000-00-00", allow_patient_portal="yes ")
    identity = patient_identity(51)
    assert identity.dob is None and identity.allow_portal is True
    factories.PatientFactory(pid=52, allow_patient_portal="YES")
    assert patient_identity(52).allow_portal is True
    factories.PatientFactory(pid=55, allow_patient_portal="NO")
    assert patient_identity(55).allow_portal is False
    assert patient_identity(999) is None


def test_find_patients_needs_a_criterion_and_matches_all_given(openemr):
    factories.PatientFactory(pid=53, fname="Ana", lname="Silva", DOB=datetime.date(1970, 1, 1))
    factories.PatientFactory(pid=54, fname="Ana", lname="Souza", DOB=datetime.date(1980, 1, 1))
    assert find_patients() == []
    assert [p.pid for p in find_patients(name="ana")] == [53, 54]
    assert [p.pid for p in find_patients(name="ana s", dob=datetime.date(1980, 1, 1))] == [54]
    assert [p.pid for p in find_patients(pubpid="MRN000053")] == [53]


def test_account_list_reads_names_in_one_query_whatever_the_page_size(staff_client, make_patient_account, openemr,
                                                                        django_assert_max_num_queries):
    for pid in range(60, 80):
        factories.PatientFactory(pid=pid)
        make_patient_account(pid, f"user{pid}")
    with django_assert_max_num_queries(12):
        response = staff_client.get("/staff/accounts/")
    assert response.status_code == 200 and response.content.decode().count("Martín, Alice") == 20
    assert patient_identities([60, 61, 999]).keys() == {60, 61}
