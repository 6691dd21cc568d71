# jiceng — see README.md. Two commands matter: `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PG_URL ?= postgres://postgres@127.0.0.1:5432/postgres
PG_TEST_DB ?= jiceng_test_$(shell id -un)
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: install demo serve test test-sqlite test-postgres browser-deps postgres-up bench-deps clean

$(VENV)/.installed: pyproject.toml
	$(BIN)/python -m pip --version >/dev/null 2>&1 || $(PYTHON) -m venv --clear $(VENV)  # a venv cut short is made anew
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	touch $@

src/jiceng/locale/en/LC_MESSAGES/django.mo: src/jiceng/locale/en/LC_MESSAGES/django.po $(VENV)/.installed
	JICENG_DEBUG=1 $(BIN)/jiceng compilepo

install: $(VENV)/.installed node_modules/.installed src/jiceng/locale/en/LC_MESSAGES/django.mo

# Serve the demo district on SQLite at http://127.0.0.1:$(PORT) (built once; `jiceng demo --reset` rebuilds).
demo: install
	JICENG_DEBUG=1 $(BIN)/jiceng demo --port $(PORT)
	JICENG_DEBUG=1 $(BIN)/jiceng serve --port $(PORT)

# What bench/import_residents.py compares against (django-import-export).
bench-deps: install
	$(BIN)/pip install --quiet -e '.[bench]'

browser-deps:
	@command -v chromium >/dev/null 2>&1 && fc-list 2>/dev/null | grep -q "Noto Sans CJK" && ldconfig -p | grep -q libharfbuzz-subset || \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 libfontconfig1 >/dev/null; }

postgres-up:
	@pg_isready -q -h 127.0.0.1 -p 5432 || pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql) main start
	@for i in $$(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && exit 0; sleep 1; done; echo "PostgreSQL is not answering on 127.0.0.1:5432"; exit 1

test-sqlite: install browser-deps
	env -u DATABASE_URL JICENG_TESTING=1 $(BIN)/pytest -p no:cacheprovider $(PYTEST_ARGS)

test-postgres: install browser-deps postgres-up
	JICENG_TESTING=1 DATABASE_URL=$(PG_URL) JICENG_TEST_DB_NAME=$(PG_TEST_DB) $(BIN)/pytest -p no:cacheprovider --create-db $(PYTEST_ARGS)

# Every test: the whole suite (browser tests included) on SQLite, then again on PostgreSQL.
test: test-sqlite test-postgres

clean:
	rm -rf $(VENV) node_modules var
