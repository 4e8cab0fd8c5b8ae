# The README's whole set-up: `make run` and `make test` on a fresh Debian 12 machine.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
export DJANGO_SETTINGS_MODULE := vetq.settings

.PHONY: run test install assets messages lint check-migrations test-sqlite test-postgres test-e2e screenshots clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	touch $@

install: $(VENV)/.installed assets messages

assets: node_modules/.installed

messages: $(VENV)/.installed
	scripts/system-deps.sh gettext
	scripts/system-deps.sh pdf
	cd src/vetq && ../../$(BIN)/python -m vetq compilemessages --ignore=.venv -v0

run: install
	mkdir -p var
	$(BIN)/python -m vetq migrate --no-input -v0
	$(BIN)/python -m vetq policy load policies/wuxi-2016-77.toml
	VETQ_DEMO=1 $(BIN)/python -m vetq demo
	@echo "vetq serves on http://$(HOST):$(PORT)/"
	PY=$(BIN)/python scripts/serve.sh $(HOST):$(PORT)

lint: $(VENV)/.installed
	$(BIN)/ruff check .

check-migrations: $(VENV)/.installed
	$(BIN)/python -m vetq makemigrations --check --dry-run -v1

test-sqlite: install
	$(BIN)/pytest -m "not e2e" -q -n 2

test-e2e: install
	scripts/system-deps.sh browser
	DJANGO_ALLOW_ASYNC_UNSAFE=true $(BIN)/pytest -m e2e -q

test-postgres: install
	scripts/system-deps.sh postgresql
	scripts/with-postgres.sh $(BIN)/pytest -m "not e2e" -q -n 2
	scripts/with-postgres.sh env DJANGO_ALLOW_ASYNC_UNSAFE=true $(BIN)/pytest -m e2e -q

# Refresh the screenshots in docs/guide/img from the browser journeys.
screenshots: install
	scripts/system-deps.sh browser
	VETQ_SCREENSHOTS=docs/guide/img DJANGO_ALLOW_ASYNC_UNSAFE=true $(BIN)/pytest -m e2e -q

test: install lint check-migrations test-sqlite test-e2e test-postgres
	@echo "make test: lint, migrations, SQLite, browser and PostgreSQL runs all passed"

clean:
	rm -rf $(VENV) node_modules var
