"""Password rules beyond Django's: an upper bound, and no personal information."""

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


class PersonalInformationValidator:
    """Placeholder until the accounts work: checks nothing yet beyond Django's similarity validator."""

    def validate(self, password, user=None):
        return None

    def get_help_text(self):
        return "It must not contain your name, username or date of birth."
