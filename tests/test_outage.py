"""A database outage gives the friendly 503, and the portal recovers by itself when the database returns."""

import pytest
from django.db import connections

from tests.mariadb import load_openemr_schema


@pytest.mark.django_db(transaction=True)
def test_openemr_outage_gives_503_and_recovers_without_restart(client, mariadb_server):
    conn = mariadb_server.connect()
    conn.cursor().execute("CREATE DATABASE openemr_outage CHARACTER SET utf8mb4")
    conn.select_db("openemr_outage")
    load_openemr_schema(conn)
    conn.close()
    settings_dict = connections["openemr"].settings_dict
    saved = dict(settings_dict)
    connections["openemr"].close()
    settings_dict.update(NAME="openemr_outage", PORT=str(mariadb_server.port), HOST="127.0.0.1")
    try:
        assert client.get("/healthz").status_code == 200

        mariadb_server.stop()
        response = client.get("/healthz")
        assert response.status_code == 503
        assert response.json()["openemr"] == "unavailable"
        page = client.get("/accounts/login/")
        assert page.status_code in (200, 503)  # sign-in page reads no OpenEMR data

        mariadb_server.start()
        assert client.get("/healthz").status_code == 200
    finally:
        connections["openemr"].close()
        settings_dict.clear()
        settings_dict.update(saved)
