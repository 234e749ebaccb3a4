# Two commands for a fresh clone: `make run` (demo service on SQLite) and `make test`;
# `make dev` serves the same demo with Django's debugging pages and auto-reload.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: install demo run dev test lint format migrate worker beat

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed

migrate: install
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py load_demo

# Served as a small production is: gunicorn, DEBUG off, static files collected (into the ignored
# staticfiles/) and served by WhiteNoise. PORT also gives the site's own URL (SITE_URL).
run: demo
	$(PY) manage.py collectstatic --noinput --verbosity 0
	PORT=$(PORT) DJANGO_SETTINGS_MODULE=conductatlas.settings.local $(VENV)/bin/gunicorn \
		conductatlas.wsgi --bind 127.0.0.1:$(PORT) --workers 2 --timeout 120 --access-logfile -

# runserver serves each request in a thread of its own, which a kept connection would outlive.
dev: demo
	PORT=$(PORT) DJANGO_DEBUG=true DATABASE_CONN_MAX_AGE=0 $(PY) manage.py runserver 127.0.0.1:$(PORT)

test: install
	$(VENV)/bin/pytest -n 2 $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

worker: install
	$(VENV)/bin/celery -A conductatlas worker --loglevel=info

beat: install
	$(VENV)/bin/celery -A conductatlas beat --loglevel=info
