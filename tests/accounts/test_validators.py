"""The personal-information password rule, on its own."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from accounts.validators import PersonalInformationValidator
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def zoe(make_patient_account, openemr):
    factories.PatientFactory(pid=41, fname="Zoë", lname="Martín-López", DOB=datetime.date(1992, 11, 3))
    return make_patient_account(41, "pzoe4412")


@pytest.mark.parametrize("password", [
    "zoe-likes-tea-2020", "ZOË-likes-tea", "martin-and-tea-cups", "lopez-garden-path", "my-pzoe4412-pass",
    "tea-1992-11-03-x", "tea11/03/1992", "tea3.11.1992", "walk-19921103", "cups-110392-x",
])
def test_refuses_name_username_and_birth_date(zoe, password):
    with pytest.raises(ValidationError):
        PersonalInformationValidator().validate(password, zoe)


@pytest.mark.parametrize("password", ["Lantern-orchard-piano-97", "correct horse battery staple", "1992-was-a-year"])
def test_accepts_unrelated_passwords(zoe, password):
    PersonalInformationValidator().validate(password, zoe)


def test_staff_names_are_checked_from_the_user(db):
    user = get_user_model()(username="reception", first_name="Dana", last_name="Fronteira")
    with pytest.raises(ValidationError):
        PersonalInformationValidator().validate("dana-walks-daily-9", user)
    PersonalInformationValidator().validate("orchard-lantern-97", user)
