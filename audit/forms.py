"""The staff audit report's filters (GET: pids, usernames, codes and dates only, never patient names)."""

from django import forms
from django.contrib.auth import get_user_model

from audit.log import Event


class AuditFilterForm(forms.Form):
    pid = forms.IntegerField(label="Patient ID (pid)", required=False, min_value=1)
    account = forms.CharField(label="Account (username)", required=False, max_length=150)
    code = forms.ChoiceField(label="Event", required=False,
                             choices=[("", "Any event"), *((code, code) for code in Event.values)])
    date_from = forms.DateField(label="From (date)", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="To (date, inclusive)", required=False,
                              widget=forms.DateInput(attrs={"type": "date"}))

    def clean_account(self):
        username = self.cleaned_data["account"].strip()
        self.account_user = None
        if username:
            self.account_user = get_user_model().objects.filter(username=username).first()
            if self.account_user is None:
                raise forms.ValidationError("No account has that username.")
        return username

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("date_from") and cleaned.get("date_to") and cleaned["date_from"] > cleaned["date_to"]:
            raise forms.ValidationError("The start date is after the end date.")
        return cleaned

    def filters(self):
        """Keyword arguments for audit.export.filtered()."""
        data = self.cleaned_data
        return {"since": data.get("date_from"), "until": data.get("date_to"), "pid": data.get("pid"),
                "actor_ids": [self.account_user.pk] if self.account_user else None, "code": data.get("code") or None}

    def summary(self):
        """The filters as ids only, for the audit event that records this report being read."""
        data = self.cleaned_data
        parts = {"account": self.account_user.pk if self.account_user else "", "code": data.get("code") or "",
                 "from": data.get("date_from") or "", "to": data.get("date_to") or ""}
        return [f"{key}={value}" for key, value in parts.items() if value != ""]
