"""Create (or reset) the demo's sign-in accounts and print exactly how to sign in.

    manage.py demo_accounts            # idempotent: patient "demo" (OpenEMR pid 1) and staff "frontdesk"
    manage.py demo_accounts --totp     # print the current authenticator codes, for a demo without a phone

For the local demo only: the passwords and TOTP keys are fixed and printed, so that every run (and the
README) gives the same sign-in. Backup codes are regenerated on every run. It refuses to run unless both
databases are SQLite files, as only the demo has them (a real portal runs on MariaDB/MySQL).
"""

import base64
import hashlib
import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import PatientAccount

PATIENT_USERNAME = "demo"
PATIENT_PASSWORD = "Lantern-Harbor-Quill-26"
STAFF_USERNAME = "frontdesk"
STAFF_PASSWORD = "Copper-Meadow-Signal-73"
# Fixed 20-byte keys (hex, as django-otp stores them) so the key printed for an authenticator app is the same
# on every run. Derived from public strings: these accounts are for a local demo with synthetic data only.
PATIENT_TOTP_KEY = hashlib.sha1(b"openemr-portal demo patient totp").hexdigest()
STAFF_TOTP_KEY = hashlib.sha1(b"openemr-portal demo staff totp").hexdigest()
BACKUP_CODE_COUNT = 10
TOTP_COMMAND = "set -a; . ./demo.env; .venv/bin/python manage.py demo_accounts --totp"


def base32_key(hex_key):
    """The key as authenticator apps want it: base32, grouped by four."""
    b32 = base64.b32encode(bytes.fromhex(hex_key)).decode().rstrip("=")
    return " ".join(b32[i:i + 4] for i in range(0, len(b32), 4))


def current_code(hex_key, at=None):
    """The TOTP code for `hex_key` now (SHA1, 6 digits, 30 s), as the portal's TOTPDevice computes it."""
    totp = TOTP(bytes.fromhex(hex_key), step=30, t0=0, digits=6, drift=0)
    if at is not None:
        totp.time = at
    return f"{totp.token():06d}"


def refuse_outside_the_demo():
    """The accounts made here have passwords and TOTP keys published in this file: on a real portal they would be
    a staff login anyone can use. The demo (scripts/demo) keeps both databases in SQLite files; a deployment
    never does (MariaDB/MySQL), so that is the test, and there is no setting to override it."""
    engines = {alias: settings.DATABASES[alias]["ENGINE"].rsplit(".", 1)[-1] for alias in ("default", "openemr")}
    if set(engines.values()) != {"sqlite3"}:
        raise CommandError(
            "demo_accounts only runs on the demo's SQLite databases (make demo): it creates a staff login and a "
            "patient login whose passwords and authenticator keys are published in the source code. This portal's "
            f"databases are {engines['default']} (PORTAL_DATABASE_URL) and {engines['openemr']} "
            "(OPENEMR_DATABASE_URL): nothing was changed. Use create_staff and issue_credentials instead.")


class Command(BaseCommand):
    help = "Create or reset the demo patient (pid 1) and front-desk accounts, and print how to sign in."

    def add_arguments(self, parser):
        parser.add_argument("--pid", type=int, default=1, help="OpenEMR pid of the demo patient")
        parser.add_argument("--totp", action="store_true", help="only print the current authenticator codes")

    def handle(self, *args, **options):
        refuse_outside_the_demo()
        if options["totp"]:
            self._print_codes()
            return
        pid = options["pid"]
        self._check_patient(pid)
        with transaction.atomic():
            backup_codes = self._patient(pid)
            self._staff()
        self.stdout.write(self._box(pid, backup_codes))

    def _check_patient(self, pid):
        from records.models import PatientData

        row = PatientData.objects.filter(pid=pid).values("allow_patient_portal").first()
        if row is None:
            raise CommandError(f"OpenEMR has no patient with pid {pid}; build the demo data first "
                               "(manage.py fake_openemr --patients 200 --create-schema).")
        if row["allow_patient_portal"] != "YES":
            self.stderr.write(self.style.WARNING(f"pid {pid} does not allow the patient portal in OpenEMR; "
                                                 "sign-in will be refused while PORTAL_REQUIRE_ALLOW_PORTAL is on."))

    def _user(self, username, **fields):
        user, _ = get_user_model().objects.get_or_create(username=username)
        for name, value in fields.items():
            setattr(user, name, value)
        user.is_active = True
        user.save()
        return user

    def _set_password(self, user, password):
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise CommandError(f"The demo password for {user.username} no longer passes the password rules: "
                               + " ".join(exc.messages)) from None
        user.set_password(password)
        user.save(update_fields=["password"])

    def _totp(self, user, name, hex_key):
        devices = TOTPDevice.objects.filter(user=user)
        device = devices.order_by("pk").first() or TOTPDevice(user=user)
        device.name, device.key, device.confirmed = name, hex_key, True
        device.step, device.t0, device.digits, device.tolerance, device.drift = 30, 0, 6, 1, 0
        device.last_t = -1
        device.throttling_failure_count = 0
        device.throttling_failure_timestamp = None
        device.save()
        devices.exclude(pk=device.pk).delete()

    def _patient(self, pid):
        user = self._user(PATIENT_USERNAME, is_staff=False, is_superuser=False)
        # The demo patient's pid belongs to the demo account: an account issued for it by hand is replaced.
        PatientAccount.objects.filter(pid=pid).exclude(user=user).delete()
        now = timezone.now()
        PatientAccount.objects.update_or_create(user=user, defaults={
            "pid": pid, "state": PatientAccount.State.ACTIVE, "issued_at": now, "activated_at": now,
            "activation_code_hash": "", "activation_expires_at": None, "activation_failures": 0,
        })
        user.refresh_from_db()  # the password rules read the patient's name and birth date through the account
        self._set_password(user, PATIENT_PASSWORD)
        self._totp(user, "Authenticator app", PATIENT_TOTP_KEY)
        StaticDevice.objects.filter(user=user).delete()
        device = StaticDevice.objects.create(user=user, name="Backup codes", confirmed=True)
        codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
        StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
        self._reset_lockout(PATIENT_USERNAME)
        from audit.log import Event, record

        record(Event.CREDENTIALS_ISSUED, pid=pid, category="demo")
        return codes

    def _staff(self):
        user = self._user(STAFF_USERNAME, is_staff=True, is_superuser=False,
                          first_name="Dana", last_name="Whitaker")
        self._set_password(user, STAFF_PASSWORD)
        self._totp(user, "Staff authenticator", STAFF_TOTP_KEY)
        self._reset_lockout(STAFF_USERNAME)

    def _reset_lockout(self, username):
        from axes.utils import reset

        reset(username=username)

    def _box(self, pid, backup_codes):
        base = settings.PORTAL_BASE_URL.rstrip("/")
        login = base + reverse("accounts:login")
        lines = [
            f"{settings.PORTAL_CLINIC_NAME}: patient portal demo",
            "",
            f"Open {login}",
            "",
            f"Patient (OpenEMR pid {pid})",
            f"  username    {PATIENT_USERNAME}",
            f"  password    {PATIENT_PASSWORD}",
            "  then a 6-digit code from an authenticator app (TOTP, SHA1, 30 s) set up with the key",
            f"              {base32_key(PATIENT_TOTP_KEY)}",
            f"  or a backup code (each works once): {', '.join(backup_codes[:3])}",
            "",
            f"Front desk (staff console at {base}/staff/)",
            f"  username    {STAFF_USERNAME}",
            f"  password    {STAFF_PASSWORD}",
            f"  TOTP key    {base32_key(STAFF_TOTP_KEY)}",
            "",
            "No authenticator app? Print the current codes with:",
            f"  {TOTP_COMMAND}",
        ]
        width = max(len(line) for line in lines)
        rule = "+" + "-" * (width + 2) + "+"
        return "\n".join([rule, *(f"| {line.ljust(width)} |" for line in lines), rule])

    def _print_codes(self):
        now = time.time()
        remaining = 30 - int(now) % 30
        for username, hex_key in ((PATIENT_USERNAME, PATIENT_TOTP_KEY), (STAFF_USERNAME, STAFF_TOTP_KEY)):
            device = TOTPDevice.objects.filter(user__username=username, confirmed=True).first()
            key = device.key if device is not None else hex_key
            self.stdout.write(f"{username:10} {current_code(key, now)}  (valid {remaining:2d} s more; "
                              f"next {current_code(key, now + 30)})")
