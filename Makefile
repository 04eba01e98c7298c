# The two commands of the README: `make run` (try it) and `make test` (the whole suite).
SHELL := /bin/bash
UV := $(shell .ci/ensure-uv)
PY := .venv/bin/python

.PHONY: run test test-fast sync lint format check-deploy compose-check audit bench load clean backup restore

sync:
	@$(UV) sync --frozen --quiet

# --- make run: SQLite, a filesystem Celery broker, the web app and a worker with beat.
run: export DJANGO_DEBUG ?= true
run: export EMAIL_URL ?= outbox://
run: sync
	@mkdir -p var/broker/queue var/broker/control
	@$(PY) manage.py migrate --noinput -v0
	@$(PY) manage.py seed_demo
	@echo ""
	@echo "Maturity is starting on http://127.0.0.1:8000  (e-mails sent: http://127.0.0.1:8000/dev/outbox/)"
	@echo "Stop with Ctrl-C."
	@trap 'kill $$(jobs -p) 2>/dev/null; wait' EXIT; \
	.venv/bin/celery -A config worker --beat -Q account,bulk,celery --loglevel=INFO --concurrency=2 \
		--schedule=var/celerybeat-schedule --without-gossip --without-mingle & \
	$(PY) manage.py runserver 127.0.0.1:8000 & \
	wait -n

# --- make test: PostgreSQL and Redis (URLs from the environment, defaulting to localhost).
test: export DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/maturity
test: export REDIS_URL ?= redis://127.0.0.1:6379/15
test: export DJANGO_SECRET_KEY ?= test-only-not-secret
test: export DJANGO_ALLOWED_HOSTS ?= testserver,localhost,127.0.0.1
test: sync
	@$(PY) -m pytest $(PYTEST_ARGS)

# --- make test-fast: only the tests marked `pure` (formulas, file formats, charts, policies, text
# helpers), without PostgreSQL or Redis. The URLs point where nothing listens, so a pure test
# that reaches for either fails at once instead of passing here by luck.
test-fast: export DATABASE_URL = postgres://pure-tests-use-no-database@127.0.0.1:1/none
test-fast: export REDIS_URL = redis://127.0.0.1:1/0
test-fast: export DJANGO_SECRET_KEY ?= test-only-not-secret
test-fast: export DJANGO_ALLOWED_HOSTS ?= testserver,localhost,127.0.0.1
test-fast: sync
	@$(PY) -m pytest -m pure $(PYTEST_ARGS)

lint:
	@$(UV) run --frozen ruff check .
	@$(UV) run --frozen ruff format --check .

format:
	@$(UV) run --frozen ruff format .
	@$(UV) run --frozen ruff check --fix .

# Production settings must pass Django's deployment checks.
check-deploy: sync
	@DJANGO_DEBUG=false DJANGO_SECRET_KEY=$$(openssl rand -hex 32) DJANGO_ALLOWED_HOSTS=maturity.example.com \
	DJANGO_SECURE_SSL_REDIRECT=true DJANGO_SECURE_COOKIES=true DJANGO_HSTS_SECONDS=31536000 \
	DJANGO_HSTS_INCLUDE_SUBDOMAINS=true DJANGO_HSTS_PRELOAD=true EMAIL_URL=smtp+tls://user:pass@smtp.example.com:587 \
	$(PY) manage.py check --deploy --fail-level WARNING

# Dashboard and history timings on a large organization (PostgreSQL, its own database).
bench: sync
	@$(PY) benchmarks/dashboard.py
	@$(PY) benchmarks/result.py
	@$(PY) benchmarks/pdf.py
	@$(PY) benchmarks/respondent.py

# Known vulnerabilities in the locked dependencies (pip-audit; fails when a fix is available).
audit:
	@python3 .ci/audit.py $(UV)

# 200 respondents answering at once through gunicorn, executives reading; checks every answer.
load: sync
	@$(PY) benchmarks/load.py

# The database (pg_dump, custom format) and every report file (bucket or folder) into a new
# directory with a manifest of counts: `make backup` (var/backups/<UTC time>) or TO=dir.
backup: sync
	@$(PY) manage.py backup $(TO)

# A backup into an empty database and an empty bucket or folder: `make restore FROM=dir`.
restore: sync
	@test -n "$(FROM)" || { echo "Say which backup: make restore FROM=var/backups/20261128-120000"; exit 2; }
	@$(PY) manage.py restore "$(FROM)"

compose-check:
	@DJANGO_SECRET_KEY=compose-check docker-compose config -q && echo "docker-compose.yml is valid"

clean:
	rm -rf var db.sqlite3 .tools
