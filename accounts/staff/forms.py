"""Staff console forms."""

from django import forms
from django.core.exceptions import ValidationError

from accounts.models import PatientAccount


class PatientSearchForm(forms.Form):
    pubpid = forms.CharField(label="Patient id (MRN)", required=False, max_length=255,
                             widget=forms.TextInput(attrs={"autocomplete": "off"}))
    name = forms.CharField(label="Name", required=False, max_length=100,
                           help_text="First or last name, or the start of them.",
                           widget=forms.TextInput(attrs={"autocomplete": "off"}))
    dob = forms.DateField(label="Date of birth", required=False,
                          widget=forms.DateInput(attrs={"type": "date", "autocomplete": "off"}, format="%Y-%m-%d"))

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not any(cleaned.get(key) for key in ("pubpid", "name", "dob")):
            raise ValidationError("Enter a patient id, a name or a date of birth.")
        return cleaned


class AccountFilterForm(forms.Form):
    state = forms.ChoiceField(label="State", required=False,
                              choices=[("", "Any state"), *PatientAccount.State.choices])
    q = forms.CharField(label="Username", required=False, max_length=150,
                        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}))
