# The two commands: `make demo` (portal on embedded SQLite demo data) and `make test` (full suite on MariaDB).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: demo test test-fast test-install venv lock system-deps-runtime system-deps-test bench clean

# Python packages come only from the hash-locked file (made by `make lock` from pyproject.toml): the same
# versions and the same bytes on every machine and every day. The project itself is not installed: it runs
# from this checkout (manage.py, gunicorn's working directory), so nothing is built outside the lock.
$(VENV)/.installed: requirements-test.lock
	@scripts/install-system-deps runtime
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@echo "==> Installing Python packages into $(VENV)/ (requirements-test.lock, hashes required)"
	@$(VENV)/bin/pip install --quiet --disable-pip-version-check --require-hashes -r requirements-test.lock
	@touch $@

venv: $(VENV)/.installed

# After changing a dependency in pyproject.toml: rewrite requirements.lock and requirements-test.lock (needs PyPI).
lock: venv
	@scripts/lock

demo: venv
	@scripts/demo

test: 
	@scripts/install-system-deps test
	@$(MAKE) --no-print-directory venv
	@$(PY) -m pytest

# Only deploy/install on a bare Debian 12 root made by debootstrap (tests/deploy/test_install.py; part of
# `make test` too: about 2.5 minutes here), printing its phase times.
test-install: venv
	@scripts/install-system-deps test
	@$(PY) -m pytest -m debootstrap -s tests/deploy/test_install.py

# Everything except browser tests and the slow set (for quick local iterations; CI runs `make test`).
test-fast: venv
	@$(PY) -m pytest -m "not slow and not e2e and not debootstrap"

bench: venv
	@bench/run

clean:
	rm -rf $(VENV) var staticfiles demo.env
