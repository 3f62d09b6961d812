"""Activation codes and usernames: easy to read aloud and type, hard to guess.

The alphabets leave out the look-alikes 0/O, 1/I/L (codes, usernames and backup codes), so a code copied from
paper is typed right the first time. A code is 16 characters of 31 symbols, about 79 bits: far beyond online
guessing even without the lockout. Only a hash of it is stored (Django's make_password, Argon2 in production).
"""

import secrets

from django.contrib.auth.hashers import check_password, make_password

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_GROUPS, CODE_GROUP_SIZE = 4, 4
USERNAME_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
USERNAME_LENGTH = 8


def new_activation_code():
    """A fresh code, formatted for the letter: ABCD-EFGH-JKMN-PQRS."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_GROUPS * CODE_GROUP_SIZE))
    return "-".join(raw[i:i + CODE_GROUP_SIZE] for i in range(0, len(raw), CODE_GROUP_SIZE))


def normalize_code(text):
    """What the patient typed, without spaces or dashes, in upper case."""
    return "".join(ch for ch in (text or "").upper() if ch.isalnum())


def hash_code(code):
    return make_password(normalize_code(code))


def code_matches(typed, encoded):
    """True when `typed` is the code behind `encoded` (always runs the hasher, even for an empty hash)."""
    # "!" is an unusable hash: Django then hashes a random string, so the cost is the same.
    return check_password(normalize_code(typed), encoded or "!") and bool(encoded)


def new_username():
    """A username that says nothing about the patient (it appears on paper and in the audit log)."""
    return "p" + "".join(secrets.choice(USERNAME_ALPHABET) for _ in range(USERNAME_LENGTH - 1))


def new_backup_code():
    """A backup code: 8 characters without look-alikes (~40 bits; each works once, after the password)."""
    return "".join(secrets.choice(USERNAME_ALPHABET) for _ in range(8))


def normalize_username(text):
    return (text or "").strip().lower()


def format_base32_key(key):
    """A TOTP key in groups of four, for typing into an authenticator app by hand."""
    return " ".join(key[i:i + 4] for i in range(0, len(key), 4))
