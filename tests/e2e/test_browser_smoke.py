"""The browser harness itself: Chromium reaches the live portal."""

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def test_chromium_loads_the_sign_in_page(page):
    page.goto("/accounts/login/")
    assert page.locator("h1").first.inner_text().strip().lower().startswith("sign in")
    assert "Sign in" in page.title()
