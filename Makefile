# Chorus: `make run` serves the demo, `make test` runs the whole suite.
# Both install what is missing first, so they work on a fresh machine.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8050
FLASK  := $(BIN)/flask --app app:server
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: install browser run test test-fast lint format bench bench-pages audit clean

$(BIN)/python:
	@echo "==> Creating the virtual environment in $(VENV)/"
	$(PYTHON) -m venv $(VENV)

# Editable, with the jobs extra (Celery), so `import app` always finds this checkout.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	@echo "==> Updating pip"
	@$(BIN)/python -m pip install --quiet --upgrade pip
	@echo "==> Installing Chorus and its dependencies (a few minutes the first time)"
	@$(BIN)/python -m pip install --quiet --progress-bar off -e '.[test,dev,jobs]'
	@echo "==> Installed"
	@touch $@

install: $(VENV)/.installed

# Debian's Chromium and its driver for the browser tests (no tool downloads its own browser).
browser:
	@if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then \
		$(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q chromium chromium-driver; \
	fi

# gunicorn runs in the background while the shell waits for /health/live, so the ready
# line appears only once Chorus answers; Ctrl+C stops gunicorn (the trap) and make.
run: install
	@echo "==> Bringing the database up to date"
	@$(FLASK) init-db
	@echo "==> Loading the demo if the database is empty (about a minute the first time)"
	@$(FLASK) seed-demo --if-empty
	@echo "==> Starting the web server on http://$(HOST):$(PORT)"
	@$(BIN)/gunicorn -c gunicorn.conf.py --workers 2 --threads 4 --bind $(HOST):$(PORT) --access-logfile - app:server & \
	pid=$$!; \
	trap 'kill $$pid 2>/dev/null; wait $$pid 2>/dev/null; exit 0' INT TERM; \
	waited=0; \
	until $(BIN)/python -c "import urllib.request as u; u.urlopen('http://$(HOST):$(PORT)/health/live', timeout=2)" 2>/dev/null; do \
		if ! kill -0 $$pid 2>/dev/null; then echo "The web server stopped: see the messages above."; exit 1; fi; \
		waited=$$((waited + 1)); \
		if [ $$((waited % 10)) -eq 0 ]; then echo "    still starting ($$((waited / 2)) s)"; fi; \
		sleep 0.5; \
	done; \
	$(BIN)/python -c "import urllib.request as u; u.urlopen('http://$(HOST):$(PORT)/login', timeout=60)" >/dev/null 2>&1; \
	echo "Chorus is ready at http://$(HOST):$(PORT) (Ctrl+C to stop)"; \
	wait $$pid

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
	$(MAKE) bench-pages

# Every navigation page drawn in Chromium on the demo data, and the warm panel callback
# against /health on 2 workers (bench/pagebench.py).
bench-pages: install browser
	@$(FLASK) init-db
	@$(FLASK) seed-demo --if-empty
	$(BIN)/python -m bench.pagebench

# Known vulnerabilities in the installed packages (needs pypi.org's JSON API). Offline it
# says so and fails; `make audit AUDIT_OFFLINE_OK=1` lets an offline run pass. Not part of
# `make test` because it needs the network. See SECURITY.md.
audit: install
	AUDIT_OFFLINE_OK=$(AUDIT_OFFLINE_OK) $(BIN)/python tools/dependency_audit.py

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache
