"""Forms: validation only. Sign-in errors never say whether a username exists."""

from django import forms
from django.contrib.auth import authenticate, password_validation
from django.core.exceptions import ValidationError

from accounts.activation import normalize_username

SIGN_IN_FAILED = "The username or password is not right. Please check them and try again."

# Django's own messages, said more plainly (the code names come from django.contrib.auth.password_validation).
_PLAIN_PASSWORD_MESSAGES = {
    "password_too_common": "This password is on the lists of common passwords that attackers try first. "
                           "Please choose something less common, for example four or five unrelated words.",
    "password_too_similar": "This password is too close to your username or name, so it would be easy to "
                            "guess. Please choose something else.",
    "password_too_short": "Please use at least 12 characters. A few unrelated words make a long password "
                          "that is easy to remember.",
    "password_entirely_numeric": "Please do not use only numbers.",
}


def _plain(error):
    return ValidationError(_PLAIN_PASSWORD_MESSAGES.get(error.code, error.message), code=error.code,
                           params=error.params)


def validate_new_password(password, user):
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError([_plain(error) for error in exc.error_list]) from None


class SignInForm(forms.Form):
    username = forms.CharField(max_length=150, widget=forms.TextInput(attrs={
        "autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"}))
    password = forms.CharField(max_length=4096, strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))

    def __init__(self, request, *args, **kwargs):
        self.request = request
        self.user = None
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        username, password = cleaned.get("username"), cleaned.get("password")
        if username is None or password is None:
            return cleaned
        # django-axes' backend runs first inside authenticate() and refuses a locked-out username or address
        # before any password check; ModelBackend hashes once for an unknown username too (equal timing).
        self.user = authenticate(self.request, username=normalize_username(username), password=password)
        if self.user is None:
            raise ValidationError(SIGN_IN_FAILED, code="invalid_login")
        return cleaned


class TokenForm(forms.Form):
    otp_token = forms.CharField(
        label="6-digit code", max_length=6, min_length=6,
        help_text="Open your authenticator app and type the 6-digit code it shows for this portal.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                      "pattern": "[0-9]*", "autocapitalize": "none"}),
    )

    def clean_otp_token(self):
        token = self.cleaned_data["otp_token"].replace(" ", "")
        if not token.isdigit():
            raise ValidationError("The code is 6 digits, with no letters.")
        return token


class BackupCodeForm(forms.Form):
    otp_token = forms.CharField(
        label="Backup code", max_length=20,
        help_text="One of the backup codes you saved when you set up your account. Each code works once.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autocapitalize": "none",
                                      "spellcheck": "false"}),
    )

    def clean_otp_token(self):
        return "".join(ch for ch in self.cleaned_data["otp_token"].lower() if ch.isalnum())


class ActivationForm(forms.Form):
    username = forms.CharField(max_length=150, help_text="As printed on your letter.", widget=forms.TextInput(
        attrs={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"}))
    activation_code = forms.CharField(
        max_length=40, help_text="The code on your letter, for example ABCD-EFGH-JKMN-PQRS.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters",
                                      "spellcheck": "false"}))
    date_of_birth = forms.DateField(
        help_text="Pick it from the calendar or type it in; for example, April 12, 1980.",
        widget=forms.DateInput(attrs={"type": "date", "autocomplete": "bday"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%m/%d/%Y"],
        error_messages={"invalid": "Enter your date of birth as a full date, for example April 12, 1980 "
                                   "(04/12/1980)."},
    )


class NewPasswordForm(forms.Form):
    new_password1 = forms.CharField(
        label="New password", strip=False, max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 12 characters, at most 128. Not a common password, and not your name, username "
                  "or date of birth. A few unrelated words work well.",
    )
    new_password2 = forms.CharField(
        label="New password again", strip=False, max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="Type the same password again, to be sure there is no typing mistake.",
    )

    def __init__(self, user, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_new_password2(self):
        first, second = self.cleaned_data.get("new_password1"), self.cleaned_data["new_password2"]
        if first and first != second:
            raise ValidationError("The two passwords are not the same. Please type them again.")
        return second

    def _post_clean(self):
        super()._post_clean()
        password = self.cleaned_data.get("new_password2")
        if password:
            try:
                validate_new_password(password, self.user)
            except ValidationError as exc:
                self.add_error("new_password1", exc)


class PasswordChangeForm(NewPasswordForm):
    old_password = forms.CharField(
        label="Current password", strip=False, max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    field_order = ["old_password", "new_password1", "new_password2"]

    def clean_old_password(self):
        password = self.cleaned_data["old_password"]
        if not self.user.check_password(password):
            raise ValidationError("Your current password is not right.")
        return password


class ResetCodeForm(forms.Form):
    reset_code = forms.CharField(
        label="Code from the clinic's letter", max_length=40,
        help_text="The clinic gave you a letter with this code when they reset your authenticator app, "
                  "for example ABCD-EFGH-JKMN-PQRS.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters",
                                      "spellcheck": "false"}),
    )


class ConfirmPasswordForm(forms.Form):
    password = forms.CharField(label="Your password", strip=False, max_length=4096,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))

    def __init__(self, user, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise ValidationError("That password is not right.")
        return password
