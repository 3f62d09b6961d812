"""Receivers: the session registry, sign-in timestamps for the timeout middleware, and lockout audit events."""

import time

from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver

from accounts import services
from audit.log import Event, record

# Session keys (private to accounts): when the user signed in, and when we last saw them (epoch seconds).
AUTH_AT = "_portal_auth_at"
LAST_SEEN = "_portal_last_seen"


@receiver(user_logged_in, dispatch_uid="accounts.session_started")
def session_started(sender, request, user, **kwargs):
    now = int(time.time())
    request.session[AUTH_AT] = now
    request.session[LAST_SEEN] = now
    if request.session.session_key is None:
        request.session.save()
    services.register_session(user, request.session.session_key)


@receiver(user_logged_out, dispatch_uid="accounts.session_ended")
def session_ended(sender, request, user, **kwargs):
    services.forget_session(request.session.session_key)


@receiver(user_locked_out, dispatch_uid="accounts.locked_out")
def locked_out(sender, request, username, ip_address, **kwargs):
    # Nothing that identifies a username that does not exist is stored (it may be a mistyped password).
    user = get_user_model().objects.filter(username=username or "").select_related("patient_account").first()
    account = getattr(user, "patient_account", None) if user else None
    record(Event.LOCKED_OUT, request=request, actor=user, pid=account.pid if account else None,
           outcome="failure")
