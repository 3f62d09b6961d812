"""OpenEMR's calendar has no index on pc_pid (schema doc §1.14, §7). With one, a recurring series is found
whenever it started; without, the read stays a date range and a series is looked for from the lookback on
(issue 10, item 2). Transactional: the index DDL must not wait for the portal's open transaction."""

import datetime

import pytest

from records.chart import appointments as appointments_module
from tests import factories as f
from tests.records.test_pages import text

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("clinic_today")]


@pytest.fixture
def pc_pid_index(openemr):
    openemr.execute("SET SESSION lock_wait_timeout = 60")
    openemr.execute("CREATE INDEX portal_pc_pid ON openemr_postcalendar_events (pc_pid, pc_eventDate)")
    yield
    openemr.execute("DROP INDEX portal_pc_pid ON openemr_postcalendar_events")


def _forget_detection():
    appointments_module._calendar_index.update(checked=None, value=False)


def test_the_pc_pid_index_is_detected_in_information_schema(openemr, settings):
    settings.PORTAL_CALENDAR_PID_INDEX = "auto"
    _forget_detection()
    assert appointments_module.calendar_pid_index() is False
    openemr.execute("CREATE INDEX portal_pc_pid ON openemr_postcalendar_events (pc_pid, pc_eventDate)")
    try:
        _forget_detection()
        assert appointments_module.calendar_pid_index() is True
    finally:
        openemr.execute("DROP INDEX portal_pc_pid ON openemr_postcalendar_events")
        _forget_detection()


def test_a_weekly_series_running_since_2022_is_shown_when_the_calendar_has_a_pc_pid_index(
        alice_client, reference_data, pc_pid_index, settings):
    settings.PORTAL_CALENDAR_PID_INDEX = "auto"
    _forget_detection()
    f.AppointmentFactory(pc_pid="1", pc_eventDate=datetime.date(2022, 1, 3), pc_recurrtype=1,
                         pc_recurrspec=f.weekly_recurrspec(), pc_endDate=None, pc_title="Physical therapy",
                         pc_hometext=":text:Weekly therapy since 2022")
    page = text(alice_client.get("/appointments/"))
    assert "Weekly therapy since 2022" in page and "Apr 6, 2026" in page
    assert "Apr 6, 2026" in text(alice_client.get("/"))
    _forget_detection()
