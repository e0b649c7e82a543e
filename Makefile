# Two commands do everything: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
MO := $(foreach locale,kk ru,helpline/translations/$(locale)/LC_MESSAGES/messages.mo)
HOST ?= 127.0.0.1
PORT ?= 5000
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: install install-test test-packages run-packages lint test run bench clean translations

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

# The app and its runtime dependencies (pinned ranges in pyproject.toml).
install: $(BIN)/python
	$(BIN)/pip install -q -e .

# Plus what the tests need: pytest, Playwright's Python client, ruff, psycopg, Debian's Chromium,
# redis-server (the fault tests start and stop their own Redis), PostgreSQL (the suite's second
# run starts a throw-away cluster), nginx (the production-shape test) and espeak-ng, and axe-core
# from npm (the accessibility tests inject it into every page; package-lock.json pins the version).
install-test: $(BIN)/python test-packages node_modules/axe-core/axe.min.js
	$(BIN)/pip install -q -e '.[test]'

node_modules/axe-core/axe.min.js: package.json package-lock.json | test-packages
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

test-packages: run-packages
	@if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/redis-server ] || ! command -v npm >/dev/null || \
	    [ ! -x /usr/sbin/nginx ] || ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
	  echo "Installing Debian's chromium, redis-server, postgresql, nginx, nodejs and npm for the tests"; \
	  $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    chromium fonts-dejavu-core redis-server postgresql nginx nodejs npm; \
	fi

# Debian's espeak-ng speaks the Kazakh prompts (`helpline prompts build`).
run-packages:
	@if ! command -v espeak-ng >/dev/null; then \
	  echo "Installing Debian's espeak-ng for the Kazakh prompts"; \
	  $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    espeak-ng; \
	fi

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/lint-imports

# The whole suite twice: on the embedded defaults (SQLite, live state in memory), then on what
# production runs (PostgreSQL and Redis; tests/fixtures_backend.py starts both).
test: install-test $(MO)
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	HELPLINE_TEST_BACKEND=sqlite $(BIN)/pytest
	HELPLINE_TEST_BACKEND=postgres $(BIN)/pytest

run: install run-packages $(MO)
	$(BIN)/helpline db upgrade
	$(BIN)/helpline demo-data
	$(BIN)/helpline prompts build
	@echo
	@echo "  Senim:           http://$(HOST):$(PORT)/"
	@echo "  Simulated phone: http://$(HOST):$(PORT)/simulator"
	@echo
	$(BIN)/helpline run --host $(HOST) --port $(PORT)

bench: $(BIN)/python
	$(BIN)/pip install -q -e '.[bench]'
	$(BIN)/python bench/incoming_call.py
	$(BIN)/python bench/run_load.py
	$(BIN)/python bench/queue_to_offer.py
	$(BIN)/python bench/queue_to_offer.py --processes 2 --backend postgres --agents 200 --rate 5
	$(BIN)/python bench/year_replay.py --calls 5000
	$(BIN)/python bench/rota_check.py
	$(BIN)/python bench/monthly_report.py

clean:
	rm -rf $(VENV) build *.egg-info node_modules

# The interface in Kazakh and Russian: the .po files are the source (translators edit them).
# Extract every message of the code and templates, add the new ones to both catalogues (empty,
# or fuzzy when close to an old one: the tests refuse both until translated), compile the .mo.
translations: install
	@mkdir -p build
	$(BIN)/pybabel -q extract -F babel.cfg -k _l --add-location=file -w 100 -o build/messages.pot .
	$(BIN)/pybabel -q update -i build/messages.pot -d helpline/translations -w 100 --ignore-obsolete
	$(BIN)/pybabel compile -d helpline/translations --statistics

# The compiled catalogues are committed (a wheel and a fresh clone have them); a .po edited by
# hand is compiled again before the app runs or is tested.
$(MO): %.mo: %.po | install
	$(BIN)/pybabel compile -d helpline/translations
