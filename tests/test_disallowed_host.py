"""A forged Host header is refused with a 400 and one log line, not a 15-line traceback (issue 9, defect 13).

Served by gunicorn with the production configuration, so that the log is the real one (Django's logging config,
the django.security.DisallowedHost logger, gunicorn's error log).
"""

import os
import time

import pytest

from tests.liveserver import Gunicorn, production_env

pytestmark = pytest.mark.slow


@pytest.fixture
def server(django_db_setup, tmp_path):
    from django.db import connections

    # The session's test databases; self-checks off: the session's MariaDB account is root (it can write), which
    # they would rightly refuse.
    env = production_env(PORTAL_SELF_CHECK_SECONDS="0", PORTAL_DATABASE_URL=os.environ["PORTAL_DATABASE_URL"].rsplit(
        "/", 1)[0] + "/" + connections["default"].settings_dict["NAME"])
    server = Gunicorn(env, tmp_path / "gunicorn.log", workers=1).start()
    yield server
    server.stop()


def test_a_forged_host_header_gives_400_and_exactly_one_log_line(server):
    offset = server.log_size()
    response = server.request("GET", "/accounts/login/", {"Host": "attacker.example"})
    time.sleep(0.3)  # the worker writes its log line after answering
    lines = [line for line in server.log_since(offset).splitlines()
             if line.strip() and not line.startswith("request_id=")]  # gunicorn's access line is separate
    assert response.status == 400, server.log()
    assert "Traceback" not in response.text and "attacker.example" not in response.text
    assert len(lines) == 1, "\n".join(lines)
    assert "DisallowedHost" in lines[0] and "Invalid HTTP_HOST header" in lines[0]


def test_the_allowed_host_is_served_without_any_log_line(server):
    offset = server.log_size()
    assert server.request("GET", "/accounts/login/", {"Host": "localhost"}).status == 200
    time.sleep(0.3)
    assert [line for line in server.log_since(offset).splitlines()
            if line.strip() and not line.startswith("request_id=")] == []
