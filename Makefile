# AgenPlan developer commands (GNU make). `make help` lists them.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:
# Prerequisites are steps in order (system packages, venv, messages, ...): never in parallel.
.NOTPARALLEL:

VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
# Written after a successful `pip install`; reinstall only when a requirements file is newer.
# RUN_STAMP: what running needs (requirements.txt, for `make run`); STAMP: that and the
# tests and tools (requirements-dev.txt, for `make test`, `make lint`, ...).
RUN_STAMP := $(VENV)/.installed-runtime
STAMP := $(VENV)/.installed
BOOTSTRAP_PYTHON ?= $(shell command -v python3.11 || command -v python3)
PYTEST_ARGS ?=

# Template folders for djLint: the project's and any app's own.
TEMPLATE_DIRS := $(wildcard templates */templates)

# `check --deploy` imports the production settings, which refuse to start without these.
# The values exist only for this check; no server ever runs with them.
CHECK_DEPLOY_ENV := DJANGO_SETTINGS_MODULE=agenplan.settings.production \
	DJANGO_SECRET_KEY=check-deploy-only-7Qm2vX9pL4sR8tW1yZ6nB3cF5hJ0kD-not-a-real-secret \
	DJANGO_ALLOWED_HOSTS=agenplan.example.go.id \
	AGENPLAN_SITE_URL=https://agenplan.example.go.id \
	EMAIL_URL=smtp+tls://agenplan.example.go.id:587 \
	DEFAULT_FROM_EMAIL=agenplan@agenplan.example.go.id \
	CACHE_URL=redis://127.0.0.1:6379/0 \
	DATABASE_URL=sqlite:////tmp/agenplan-check.sqlite3

# $(call pytest_group,ARGS): run pytest; exit code 5 ("no tests collected") is success,
# so an empty marker group does not fail the target. Any other failure does.
define pytest_group
rc=0; $(VENV)/bin/pytest $(1) $(PYTEST_ARGS) || rc=$$?; \
if [ "$$rc" -eq 5 ]; then echo "pytest: no tests collected in this group; that is fine."; rc=0; fi; \
exit "$$rc"
endef

.PHONY: help venv venv-runtime deps-runtime deps-test messages run test lint format clean bench loadtest fuzz backup restore

help:
	@echo "make run     install what running needs, migrate, seed demo data, start web + worker + beat"
	@echo "make test    the test suite (unit tests in parallel, then integration and browser tests)"
	@echo "make lint    ruff, djLint, makemigrations --check, check --deploy, bandit, pip-audit"
	@echo "make fuzz    10,000 generated inputs against the forms, filters and imports"
	@echo "make format  ruff format and ruff check --fix"
	@echo "make venv    create .venv and install requirements-dev.txt when it changed"
	@echo "make venv-runtime  create .venv and install only requirements.txt (what make run needs)"
	@echo "make clean   remove var/ (local database, broker, media) and test artifacts"
	@echo "make bench   run the benchmarks, if there are any"
	@echo "make loadtest LOADTEST_TEMPLATE=agenplan_scale  200 people for 10 minutes under locust (benchmarks/bench_load.py)"
	@echo "make backup  archive the database and the media files (scripts/backup.sh)"
	@echo "make restore ARCHIVE=var/backups/agenplan-....tar  put an archive back (scripts/restore.sh)"
	@echo "Pass pytest options with PYTEST_ARGS='-k plans -x'."

venv: $(STAMP)

venv-runtime: $(RUN_STAMP)

$(PY):
	@if [ -z "$(BOOTSTRAP_PYTHON)" ]; then echo "Need python3.11 (or python3) on PATH." >&2; exit 1; fi
	$(BOOTSTRAP_PYTHON) -m venv $(VENV)

$(RUN_STAMP): requirements.txt | $(PY)
	$(PY) -m pip install --disable-pip-version-check -r requirements.txt
	touch $@

# requirements-dev.txt includes requirements.txt: both stamps are then up to date.
$(STAMP): requirements.txt requirements-dev.txt | $(PY)
	$(PY) -m pip install --disable-pip-version-check -r requirements-dev.txt
	touch $@ $(RUN_STAMP)

deps-runtime:
	scripts/install_system_deps.sh runtime

deps-test:
	scripts/install_system_deps.sh test

# .po -> .mo for the project's and the apps' locale folders (needs gettext's msgfmt).
messages: venv-runtime
	$(MANAGE) compilemessages --ignore=.venv --ignore=var --ignore=node_modules

run: deps-runtime venv-runtime messages
	$(MANAGE) migrate --noinput
	$(MANAGE) seed_demo
	scripts/run_dev.sh

# Unit tests on two xdist workers; then the integration tests (real Celery workers on the
# one Redis database of the run) in one process; then the browser tests (Playwright +
# Chromium, each worker with its own test database and live server) on two workers.
test: deps-test venv messages
	$(call pytest_group,-n 2 -m "not integration and not browser")
	$(call pytest_group,-m "integration and not browser")
	$(call pytest_group,-n 2 -m "browser and not integration")

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/djlint $(TEMPLATE_DIRS) --lint
	$(MANAGE) makemigrations --check --dry-run
	$(CHECK_DEPLOY_ENV) $(MANAGE) check --deploy --fail-level WARNING
	$(VENV)/bin/bandit -c pyproject.toml -q -r .
	$(VENV)/bin/pip-audit --progress-spinner off

# 10,000 generated inputs (Hypothesis), shared by the tests of tests/test_fuzz.py; the run
# prints "fuzz: N examples, 0 errors". `make test` runs the same tests with 30 examples each.
fuzz: venv messages
	AGENPLAN_FUZZ_TOTAL=10000 $(VENV)/bin/pytest tests/test_fuzz.py -s -q -p no:cacheprovider $(PYTEST_ARGS)

format: venv
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf var test-artifacts .pytest_cache .ruff_cache

bench: venv
	@if [ -f benchmarks/run.py ]; then \
		$(PY) -m benchmarks.run; \
	else \
		echo "No benchmarks: benchmarks/run.py does not exist."; \
	fi

# A submission week under locust against gunicorn (production settings) and a Celery
# worker on loopback, on a copy of LOADTEST_TEMPLATE (a database seeded with seed_scale on
# the server of DATABASE_URL; the copy is dropped afterwards). Needs CACHE_URL and
# CELERY_BROKER_URL (Redis). About 16 minutes; docs/performance.md, "Capacity".
loadtest: venv
	@if [ -z "$(LOADTEST_TEMPLATE)" ]; then echo "usage: make loadtest LOADTEST_TEMPLATE=<database to copy> (see benchmarks/bench_load.py)" >&2; exit 2; fi
	LOADTEST_TEMPLATE="$(LOADTEST_TEMPLATE)" $(PY) -m benchmarks.run load

# The database and the media files of one moment in one archive with checksums, keeping
# the newest BACKUP_KEEP (scripts/backup.sh says what it reads from the environment).
backup:
	scripts/backup.sh

# Replaces the database and the media folder: stop the web server, worker and beat first.
restore:
	@if [ -z "$(ARCHIVE)" ]; then echo "usage: make restore ARCHIVE=var/backups/agenplan-....tar" >&2; exit 2; fi
	scripts/restore.sh "$(ARCHIVE)"
