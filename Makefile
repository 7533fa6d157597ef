# Chorus: `make run` serves the demo, `make test` runs the whole suite.
# Both install what is missing first, so they work on a fresh machine.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8050
FLASK  := $(BIN)/flask --app app:server
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: install browser run test test-fast lint format bench audit clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,dev]'
	touch $@

install: $(VENV)/.installed

# Debian's Chromium and its driver for the browser tests (no tool downloads its own browser).
browser:
	@if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then \
		$(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q chromium chromium-driver; \
	fi

run: install
	$(FLASK) init-db
	$(FLASK) seed-demo --if-empty
	@echo "Chorus is at http://$(HOST):$(PORT)/ (Ctrl+C to stop)"
	$(BIN)/gunicorn --workers 2 --threads 4 --bind $(HOST):$(PORT) --access-logfile - app:server

# The whole suite: lint (ruff and the mypy type check), then everything on SQLite (data_access on PostgreSQL too),
# then the app-level integration and security tests again with the app on PostgreSQL.
test: lint browser
	$(BIN)/pytest -p no:cacheprovider --durations=15
	CHORUS_TEST_DATABASE=postgresql $(BIN)/pytest -p no:cacheprovider --durations=15 tests/integration tests/security

test-fast: install
	$(BIN)/pytest -p no:cacheprovider -m "not browser" -x

# Types: strict on analysis/ and the view service (see [tool.mypy] in pyproject.toml).
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: install browser
	$(BIN)/python -m bench.run

# Known vulnerabilities in the installed packages (needs pypi.org's JSON API). Offline it
# says so and fails; `make audit AUDIT_OFFLINE_OK=1` lets an offline run pass. Not part of
# `make test` because it needs the network. See SECURITY.md.
audit: install
	AUDIT_OFFLINE_OK=$(AUDIT_OFFLINE_OK) $(BIN)/python tools/dependency_audit.py

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache
