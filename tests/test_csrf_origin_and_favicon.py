"""The portal's own origin (PORTAL_BASE_URL, port included) is a trusted CSRF origin; a POST refused because of
its Origin says so instead of blaming cookies; /favicon.ico is served."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

ROOT = Path(__file__).resolve().parent.parent


def settings_value(name, **env):
    code = f"import json, django; django.setup(); from django.conf import settings; print(json.dumps(settings.{name}))"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60,
                            env={**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings", **env})
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_trusted_origins_include_the_base_url_with_its_port():
    assert settings_value("CSRF_TRUSTED_ORIGINS", PORTAL_BASE_URL="https://Portal.example.org:8443/",
                          PORTAL_CSRF_TRUSTED_ORIGINS="https://other.example.org") == [
        "https://other.example.org", "https://portal.example.org:8443"]
    assert settings_value("CSRF_TRUSTED_ORIGINS", PORTAL_BASE_URL="https://portal.example.org") == [
        "https://portal.example.org"]


def _login_post(origin=None, with_token=True):
    client = Client(enforce_csrf_checks=True)
    page = client.get("/accounts/login/")
    token = page.context["csrf_token"] if with_token else "x" * 64
    headers = {"HTTP_ORIGIN": origin} if origin else {}
    return client.post("/accounts/login/", {"csrfmiddlewaretoken": str(token), "username": "a", "password": "b"},
                       **headers)


@pytest.mark.django_db
def test_a_post_from_an_untrusted_origin_is_explained_as_such(caplog):
    response = _login_post(origin="http://testserver:8443")
    assert response.status_code == 403
    text = response.content.decode()
    assert "does not recognise" in text and "PORTAL_BASE_URL" in text and "cookies" not in text
    assert "csrf origin refused: origin=http://testserver:8443" in caplog.text


@pytest.mark.django_db
def test_a_post_from_the_trusted_base_url_origin_passes_csrf(settings):
    settings.CSRF_TRUSTED_ORIGINS = ["http://testserver:8443"]
    response = _login_post(origin="http://testserver:8443")
    assert response.status_code != 403


@pytest.mark.django_db
def test_a_stale_form_still_gets_the_expired_form_page():
    response = _login_post(with_token=False)
    assert response.status_code == 403
    text = response.content.decode()
    assert "This form has expired" in text and "does not recognise" not in text


@pytest.mark.django_db
def test_favicon_is_served_to_anyone(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200 and response["Content-Type"] == "image/x-icon"
    assert b"".join(response.streaming_content).startswith(b"\x00\x00\x01\x00")  # an ICO file
    assert "max-age" in response["Cache-Control"]
