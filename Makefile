# The two commands a new user needs: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000

.PHONY: install run test lint bench bench-scale resilience worker beat clean draft-eval messages

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	@$(PY) -m pip install --quiet --disable-pip-version-check '.[dev]'
	@touch $@

run: install
	@DEBUG=1 $(PY) manage.py migrate --noinput -v 0
	@# The demo patients are fictional: their confirmation emails are not worth printing.
	@DEBUG=1 EMAIL_BACKEND=django.core.mail.backends.dummy.EmailBackend $(PY) manage.py load_demo
	@echo
	@echo "  The portal is at http://127.0.0.1:$(PORT)/trials/"
	@DEBUG=1 SITE_URL=http://127.0.0.1:$(PORT) $(PY) manage.py demo_logins
	@echo
	@DEBUG=1 SITE_URL=http://127.0.0.1:$(PORT) $(PY) manage.py runserver 127.0.0.1:$(PORT)

test: install
	@$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	@$(VENV)/bin/ruff check .
	@$(VENV)/bin/ruff format --check .
	@$(VENV)/bin/mypy
	@$(VENV)/bin/lint-imports --no-logo
	@SECRET_KEY=lint $(PY) manage.py makemigrations --check --dry-run

# Extract new strings into locale/*/django.po (needs GNU gettext), compile the .mo with
# polib, and list every string still without a translation (exit 1 while any is missing).
messages: install
	@$(PY) -m config.translations

# The criteria drafter on the Chia DEV split (data/chia): P/R/F1 overall and per key, and
# trials per second. Fails when precision or recall drops below the figures reached.
DRAFT_MIN_PRECISION ?= 0.992
DRAFT_MIN_RECALL ?= 0.952
draft-eval: install
	@$(PY) scripts/draft_eval.py --min-precision $(DRAFT_MIN_PRECISION) --min-recall $(DRAFT_MIN_RECALL)

worker: install
	@$(VENV)/bin/celery -A config worker --loglevel=INFO

beat: install
	@$(VENV)/bin/celery -A config beat --loglevel=INFO

bench: install
	@$(PY) -m bench $(BENCH_ARGS)

# Faults, measured: its own PostgreSQL, Redis, SMTP server, gunicorn and Celery worker on
# ports 8100-8109 (RESILIENCE_PORT_BASE), broken on purpose; prints a table, exits 1 on
# a lost or doubled email or application. Needs postgresql and redis-server installed.
resilience: install
	@$(PY) -m resilience $(RESILIENCE_ARGS)

# Service times at 2,500, 10,000 and 40,000 trials (each seeded once, in its own database).
bench-scale: install
	@$(PY) -m bench scale $(BENCH_ARGS)

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
