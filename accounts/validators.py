"""Password rules beyond Django's: an upper bound, and no personal information."""

import unicodedata

from django.core.exceptions import ValidationError


class MaximumLengthValidator:
    def __init__(self, max_length=128):
        self.max_length = max_length

    def validate(self, password, user=None):
        if len(password) > self.max_length:
            raise ValidationError(
                f"Please use at most {self.max_length} characters.", code="password_too_long"
            )

    def get_help_text(self):
        return f"At most {self.max_length} characters."


def _fold(text):
    """Lower case without accents, so that "Martín" also catches "martin"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _date_forms(dob):
    """The usual ways of writing a birth date: 1980-04-12, 12/04/1980, 4/12/1980, 041280, 19800412 ..."""
    year, year2 = f"{dob.year:04d}", f"{dob.year % 100:02d}"
    month, day = f"{dob.month:02d}", f"{dob.day:02d}"
    short_month, short_day = str(dob.month), str(dob.day)
    forms = set()
    for sep in ("", "-", "/", ".", " "):
        forms.update({
            sep.join((year, month, day)),
            sep.join((month, day, year)), sep.join((day, month, year)),
            sep.join((month, day, year2)), sep.join((day, month, year2)),
        })
        if sep:
            forms.update({
                sep.join((short_month, short_day, year)), sep.join((short_day, short_month, year)),
                sep.join((short_month, short_day, year2)), sep.join((short_day, short_month, year2)),
            })
    return forms


class PersonalInformationValidator:
    """Refuse passwords that contain the patient's first or last name, the username or the date of birth.

    Those are the first things someone who knows the patient (or has a letter from the clinic) would try.
    Names shorter than 3 letters are not checked, so that a name like "Li" does not forbid half the language.
    The patient's name and date of birth are read from OpenEMR (records.identity), never stored here.
    """

    MIN_PART = 3

    def validate(self, password, user=None):
        if user is None:
            return
        folded = _fold(password)
        words = [getattr(user, "username", "") or "", getattr(user, "first_name", "") or "",
                 getattr(user, "last_name", "") or ""]
        dob = None
        account = getattr(user, "patient_account", None) if getattr(user, "pk", None) else None
        if account is not None:
            from records.identity import patient_identity

            identity = patient_identity(account.pid)
            if identity is not None:
                words += [identity.fname, identity.lname]
                dob = identity.dob
        for word in words:
            for part in _fold(word).replace("-", " ").split():
                if len(part) >= self.MIN_PART and part in folded:
                    raise ValidationError(
                        "Your password must not contain your name or your username: people who know you "
                        "could guess it. Please choose something else.",
                        code="password_personal_information",
                    )
        if dob is not None and any(form in folded for form in _date_forms(dob)):
            raise ValidationError(
                "Your password must not contain your date of birth: it is printed on many documents and "
                "easy to guess. Please choose something else.",
                code="password_personal_information",
            )

    def get_help_text(self):
        return "It must not contain your name, username or date of birth."
