"""WSGI application for the "before" runs of bench/audit_scaling.py: the portal with the old head-lock append."""

from portal.wsgi import application  # noqa: F401  (django.setup() happens here)

from devtools.bench import legacy_chain

legacy_chain.install()
