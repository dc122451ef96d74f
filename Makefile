# Two commands do all the set-up: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1:8000

.PHONY: run demo serve test test-browser install install-dev migrate catalogue lint messages clean

$(BIN)/python:
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is required"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

migrate: install
	$(BIN)/python manage.py migrate --noinput

catalogue: migrate
	$(BIN)/python manage.py load_catalogue

run: catalogue
	$(BIN)/python manage.py runserver $(HOST)

# A populated demo team, its links printed for the address `make run` serves on.
demo: catalogue
	$(BIN)/python manage.py demo_team --base-url http://$(HOST)

# Production-like: gunicorn on PostgreSQL, DEBUG off, static files through whitenoise,
# a Celery worker and the scheduler (beat) on Redis (scripts/serve.py stops them together).
# Set SECRET_KEY (and PRODUCTION=true behind HTTPS) for a real deployment.
DATABASE_URL ?= postgres://postgres:postgres@127.0.0.1:5432/skills
CELERY_BROKER_URL ?= redis://127.0.0.1:6379/0
WORKERS ?= 4
serve: install
	@export SECRET_KEY="$${SECRET_KEY:-$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))')}" \
		DATABASE_URL="$(DATABASE_URL)" DEBUG="$${DEBUG:-false}" \
		ALLOWED_HOSTS="$${ALLOWED_HOSTS:-127.0.0.1,localhost}" CONN_MAX_AGE="$${CONN_MAX_AGE:-60}" \
		CELERY_BROKER_URL="$(CELERY_BROKER_URL)" SITE_URL="$${SITE_URL:-http://$(HOST)}"; \
	$(BIN)/python scripts/ensure_database.py && \
	$(BIN)/python manage.py migrate --noinput && \
	$(BIN)/python manage.py load_catalogue && \
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0 && \
	exec $(BIN)/python scripts/serve.py $(HOST) $(WORKERS)

test: install-dev
	$(BIN)/ruff check --quiet .
	$(BIN)/ruff format --check --quiet .
	$(BIN)/mypy .
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Real-browser tests (Playwright driving Chromium; `make test` leaves them out). Debian:
# apt-get install -y chromium. CHROMIUM=/path/to/chrome to use another build.
CHROMIUM ?= /usr/bin/chromium
test-browser: install-dev
	@test -x "$(CHROMIUM)" || { echo "Chromium not found at $(CHROMIUM): apt-get install -y chromium"; exit 1; }
	CHROMIUM=$(CHROMIUM) $(BIN)/python -m pytest -m browser -p no:cacheprovider tests/browser $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .

messages: install-dev
	$(BIN)/python manage.py makemessages -l fr -l en --ignore=.venv --ignore=static
	$(BIN)/python manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
