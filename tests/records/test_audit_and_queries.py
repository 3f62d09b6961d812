"""Every page leaves exactly one record.viewed event, and issues a fixed number of SQL queries whatever the
size of the record (the heavy patient has 300 visits with vitals, prescriptions, diagnoses, vaccines, orders)."""

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext

from audit.models import AuditEvent
from tests.records.conftest import BOB_VISIT, VISIT, make_heavy

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clinic_today")]

# (url, audit category, OpenEMR query budget)
PAGES = [
    ("/", "summary", 13),
    ("/visits/", "visits", 6),
    ("/visits/?year=2026", "visits", 6),
    (f"/visits/{VISIT}/", "visit", 25),
    ("/medications/", "medications", 6),
    ("/medications/?show=past", "medications", 6),
    ("/problems/", "problems", 3),
    ("/problems/?show=resolved", "problems", 3),
    ("/allergies/", "allergies", 3),
    ("/immunizations/", "immunizations", 5),
    ("/results/", "results", 10),
    ("/results/analyte/2345-7/", "analyte", 4),
    ("/vitals/", "vitals", 5),
    ("/appointments/", "appointments", 4),
    ("/profile/", "profile", 3),
]


def _count_openemr_queries(client, url):
    with CaptureQueriesContext(connections["openemr"]) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


@pytest.mark.parametrize(("url", "category", "_budget"), PAGES)
def test_each_page_leaves_exactly_one_view_event(alice_client, rich, url, category, _budget):
    alice_client.get(url)
    events = list(AuditEvent.objects.filter(code="record.viewed"))
    assert [(e.category, e.pid, e.actor_type) for e in events] == [(category, 1, "patient")]


def test_report_detail_leaves_one_view_event_naming_the_report(alice_client, rich):
    alice_client.get(f"/results/{rich['report']}/")
    event = AuditEvent.objects.get(code="record.viewed")
    assert (event.category, event.object_ids) == ("result", str(rich["report"]))


def test_visit_detail_event_names_the_encounter(alice_client, rich):
    alice_client.get(f"/visits/{VISIT}/")
    assert AuditEvent.objects.get(code="record.viewed").object_ids == str(VISIT)


@pytest.mark.parametrize(("url", "_category", "budget"), PAGES)
def test_page_query_count_is_fixed_for_a_heavy_record(alice_client, rich, openemr, url, _category, budget,
                                                      django_assert_num_queries, django_assert_max_num_queries):
    small = _count_openemr_queries(alice_client, url)
    make_heavy(openemr, pid=1, visits=300)
    with django_assert_num_queries(small, using="openemr"):
        alice_client.get(url)
    with django_assert_max_num_queries(budget, using="openemr"):
        alice_client.get(url)


def test_report_detail_query_count_is_fixed_for_a_heavy_record(alice_client, rich, openemr,
                                                               django_assert_num_queries):
    url = f"/results/{rich['report']}/"
    small = _count_openemr_queries(alice_client, url)
    make_heavy(openemr, pid=1, visits=300)
    with django_assert_num_queries(small, using="openemr"):
        alice_client.get(url)
    assert small <= 9


def test_heavy_record_pages_paginate(alice_client, rich, openemr):
    make_heavy(openemr, pid=1, visits=300)
    body = alice_client.get("/visits/").content.decode()
    assert "Page 1 of 16" in body
    assert body.count('href="/visits/7') <= 20
    body = alice_client.get("/visits/?page=16").content.decode()
    assert "Page 16 of 16" in body
    assert "Page 1 of 16" in alice_client.get("/results/").content.decode()
    assert "Page 1 of 16" in alice_client.get("/vitals/").content.decode()


def test_printable_visit_summary_is_audited_as_viewed_not_as_a_print_that_may_not_happen(alice_client, rich):
    response = alice_client.get(f"/visits/{VISIT}/print/")
    assert response.status_code == 200
    assert b"data-autoprint" not in response.content  # opening the page never prints by itself
    event = AuditEvent.objects.get()
    assert (event.code, event.category, event.object_ids) == ("record.viewed", "visit", str(VISIT))


def test_printing_another_patients_visit_is_not_found_and_not_audited(alice_client, rich, bob_record):
    assert alice_client.get(f"/visits/{BOB_VISIT}/print/").status_code == 404
    assert not AuditEvent.objects.exists()
