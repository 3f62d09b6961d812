"""Create a front-office staff user, with no prompts: a password (from --password-file, or generated and
printed once) and a TOTP authenticator whose key and otpauth:// URI are printed once, with a QR code drawn
in the terminal. Staff always sign in with password + TOTP.
"""

import io
import secrets
from base64 import b32encode
from pathlib import Path

import segno
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.activation import format_base32_key


def print_new_authenticator(command, user):
    """Give `user` a new, confirmed TOTP device and print how to add it to an app."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        device = TOTPDevice.objects.create(user=user, name="Staff authenticator", confirmed=True)
    command.stdout.write("Add this to the staff member's authenticator app (shown only now):")
    command.stdout.write(f"  key: {format_base32_key(b32encode(device.bin_key).decode())}")
    command.stdout.write(f"  URI: {device.config_url}")
    qr = segno.make(device.config_url, error="m")
    buffer = io.StringIO()
    qr.terminal(out=buffer, compact=True)
    command.stdout.write(buffer.getvalue())


class Command(BaseCommand):
    help = "Create a staff user with a password and a TOTP authenticator (printed once)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--password-file", help="Read the password from this file instead of generating one.")
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")

    def handle(self, *args, **options):
        User = get_user_model()
        username = options["username"].strip().lower()  # sign-in lower-cases what is typed
        if User.objects.filter(username=username).exists():
            raise CommandError(f"The username {username!r} is taken.")
        generated = not options["password_file"]
        if generated:
            password = "-".join(secrets.token_urlsafe(6) for _ in range(4))
        else:
            password = Path(options["password_file"]).read_text().strip()
        user = User(username=username, is_staff=True, first_name=options["first_name"],
                    last_name=options["last_name"])
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        with transaction.atomic():
            user.set_password(password)
            user.save()
        self.stdout.write(f"Staff user {username} created.")
        if generated:
            self.stdout.write(f"  password (shown only now): {password}")
        print_new_authenticator(self, user)
