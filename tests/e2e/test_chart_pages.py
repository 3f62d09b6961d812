"""A patient walks through every chart page in real Chromium; axe-core finds no WCAG 2.1 A/AA violations."""

import pytest
from django.conf import settings

from tests.conftest import _verified_client
from tests.e2e.conftest import axe_violations
from tests.records.conftest import VISIT, reference_data, rich  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db(transaction=True)

CHART_PAGES = ["/", "/visits/", f"/visits/{VISIT}/", "/medications/", "/medications/?show=past", "/problems/",
               "/problems/?show=resolved", "/allergies/", "/immunizations/", "/results/",
               "/results/analyte/2345-7/", "/vitals/", "/appointments/", "/profile/"]


@pytest.fixture
def signed_in_page(page, client, alice, live_server):
    client = _verified_client(client, alice, alice.totpdevice_set.get())
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    return page


def test_every_chart_page_passes_axe(signed_in_page, rich):
    page = signed_in_page
    failures = {}
    for url in CHART_PAGES + [f"/results/{rich['report']}/"]:
        response = page.goto(url)
        assert response.status == 200, url
        assert page.locator("h1").count() == 1
        violations = axe_violations(page)
        if violations:
            failures[url] = violations
    assert failures == {}


def test_navigation_walks_the_chart_by_its_links(signed_in_page, rich):
    page = signed_in_page
    page.goto("/")
    for label, heading in (("Visits", "Your visits"), ("Lab results", "Your lab results"),
                           ("Medications", "Your current medications"), ("Vitals", "Your vitals"),
                           ("Profile", "Your profile")):
        page.get_by_role("navigation", name="Main").get_by_role("link", name=label, exact=True).click()
        assert page.locator("h1").inner_text().strip() == heading
    page.get_by_role("link", name="Visits", exact=True).click()
    page.locator("table a").first.click()
    assert page.locator("h1").inner_text().startswith("Visit summary")
