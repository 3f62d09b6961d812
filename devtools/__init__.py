"""Development tools that never run in the DMZ: synthetic OpenEMR data (`manage.py fake_openemr`), the loader
of our SQL scripts (tests/sql/), and the benchmark's support code (bench/run).

Production never imports this package: it is an installed app only when PORTAL_DEVTOOLS=1 (portal/settings.py),
and tests/test_devtools_separation.py checks that nothing under portal/, records/, accounts/ or audit/ imports it.
"""
