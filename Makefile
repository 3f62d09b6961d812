# The two commands: `make demo` (portal on embedded SQLite demo data) and `make test` (full suite on MariaDB).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: demo test test-fast venv system-deps-runtime system-deps-test bench clean

$(VENV)/.installed: pyproject.toml
	@scripts/install-system-deps runtime
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@echo "==> Installing Python packages into $(VENV)/"
	@$(VENV)/bin/pip install --quiet --disable-pip-version-check --upgrade pip
	@$(VENV)/bin/pip install --quiet --disable-pip-version-check -e '.[test]'
	@touch $@

venv: $(VENV)/.installed

demo: venv
	@scripts/demo

test: 
	@scripts/install-system-deps test
	@$(MAKE) --no-print-directory venv
	@$(PY) -m pytest

# Everything except browser tests and the slow set (for quick local iterations; CI runs `make test`).
test-fast: venv
	@$(PY) -m pytest -m "not slow and not e2e"

bench: venv
	@bench/run

clean:
	rm -rf $(VENV) var staticfiles demo.env
