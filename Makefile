# The two commands a newcomer needs: `make run` and `make test`. Everything else is a helper.
SHELL := /bin/bash
.DEFAULT_GOAL := run

VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
WEB_WORKERS ?= 2

# Django 6.1 needs Python 3.12+. The default python3 here may be older, and a pyenv shim can exist on
# PATH yet fail for a version that is not selected, so every candidate is run, not just looked up.
# Recursively expanded: it is only evaluated when the virtualenv has to be created.
FIND_PYTHON = for c in python3.14 python3.13 python3.12 \
	  $$(ls -d "$$(pyenv root 2>/dev/null || echo $$HOME/.pyenv)"/versions/3.1[2-9]*/bin/python3 2>/dev/null | sort -rV) python3; do \
	  if "$$c" -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then \
	    command -v "$$c"; exit 0; fi; \
	done; exit 1

.PHONY: run dev test lint format messages clean install install-test backup restore screenshots audit bench

$(VENV)/bin/python:
	@py=$$($(FIND_PYTHON)) || { \
	  echo "error: no Python 3.12 or newer found (tried python3.14/3.13/3.12 on PATH and pyenv's versions)." >&2; \
	  echo "Install one (e.g. 'pyenv install 3.13') and run make again." >&2; exit 1; }; \
	echo "Using $$py ($$($$py --version))"; \
	"$$py" -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# Stamps make a second run fast: pip only runs again when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(PY) -m pip install --quiet -e ".[test]"
	@touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

# Prepare the database, content and static files, then serve with gunicorn, with the mail
# worker beside it (it stops with the server).
run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_empact_content
	$(PY) manage.py collectstatic --noinput --verbosity 0
	@echo "Serving on http://$(HOST):$(PORT)/ (mail worker running beside it)"
	@$(PY) manage.py send_pending_mail --loop & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	$(VENV)/bin/gunicorn empact_site.wsgi --config gunicorn.conf.py --bind $(HOST):$(PORT) \
	  --workers $(WEB_WORKERS)

# Autoreloading development server with DEBUG on.
dev: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_empact_content
	DJANGO_DEBUG=1 $(PY) manage.py runserver $(HOST):$(PORT)

# The whole suite; on PostgreSQL when DATABASE_URL is set (as .ci/run does).
test: install-test
	$(VENV)/bin/pytest $(PYTEST_ARGS)

lint: install-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(PY) manage.py makemigrations --check --dry-run

format: install-test
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Extract and compile the interface translations (locale/); needs GNU gettext.
messages: install
	$(PY) manage.py makemessages --locale da --ignore '.venv/*' --ignore 'var/*' --no-obsolete
	$(PY) manage.py compilemessages --ignore '.venv/*'

# The database and uploaded media into var/backups/empact-<time>.tar.gz (BACKUP=path overrides).
backup: install
	$(PY) manage.py backup $(if $(BACKUP),--output $(BACKUP))

# Replace the database and media with a backup: make restore BACKUP=var/backups/empact-….tar.gz
restore: install
	@test -n "$(BACKUP)" || { echo "usage: make restore BACKUP=path/to/backup.tar.gz" >&2; exit 1; }
	$(PY) manage.py restore $(BACKUP)

# Test-only tools from the npm registry (package-lock.json): axe-core and the Nu Html Checker for
# the browser tests, Lighthouse for `make audit`. The browser is Debian's chromium, never a download.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

# The README's screenshots (docs/screenshots/): home, a priority and the contact form on a 375 px
# phone and a 1280 px desktop, taken by the browser tests against the live test server.
screenshots: install-test node_modules/.installed
	SCREENSHOT_DIR=$(CURDIR)/docs/screenshots $(VENV)/bin/pytest -q \
	  tests/browser/test_screenshots.py tests/browser/test_leads.py

# Lighthouse's four category scores for /da/ and /en/, mobile and desktop, against `make run`'s
# server on AUDIT_PORT (started and stopped here); each page is audited AUDIT_RUNS times and the
# run with the median performance score is reported, as the simulated throttling varies with the
# machine's load. Reports in var/lighthouse/. Not part of the tests.
AUDIT_PORT ?= 8091
AUDIT_RUNS ?= 3
# Not $(MAKE) in the recipe: `make -n audit` would start the server.
AUDIT_SERVER = $(MAKE) --no-print-directory run PORT=$(AUDIT_PORT) HOST=127.0.0.1
AUDIT_CHROME_FLAGS := --headless=new --no-sandbox --disable-gpu --disable-background-networking \
  --disable-component-update --disable-sync --no-first-run
define LIGHTHOUSE_ROW
const [page, device, ...files] = process.argv.slice(1);
const runs = files.map(file => require(require("path").resolve(file)).categories)
  .sort((a, b) => a.performance.score - b.performance.score);
const median = runs[Math.floor(runs.length / 2)];
const scores = ["performance", "accessibility", "best-practices", "seo"]
  .map(key => Math.round(median[key].score * 100));
console.log(`| $${page} | $${device} | $${scores.join(" | ")} |`);
endef
export LIGHTHOUSE_ROW

audit: install node_modules/.installed
	@command -v chromium >/dev/null || { echo "error: no chromium on PATH (apt-get install chromium)" >&2; exit 1; }
	@mkdir -p var/lighthouse
	@SITE_URL=http://127.0.0.1:$(AUDIT_PORT) setsid $(AUDIT_SERVER) > var/lighthouse/server.log 2>&1 & \
	server=$$!; trap 'kill -TERM -- -$$server 2>/dev/null; wait $$server 2>/dev/null' EXIT; \
	for _ in $$(seq 1 120); do \
	  curl -fsS -o /dev/null http://127.0.0.1:$(AUDIT_PORT)/healthz 2>/dev/null && break; sleep 1; done; \
	curl -fsS -o /dev/null http://127.0.0.1:$(AUDIT_PORT)/healthz || { \
	  echo "error: the server did not start; see var/lighthouse/server.log" >&2; exit 1; }; \
	printf '| page | device | performance | accessibility | best practices | SEO |\n'; \
	printf '|---|---|---|---|---|---|\n'; \
	for lang in da en; do for device in mobile desktop; do \
	  for run in $$(seq 1 $(AUDIT_RUNS)); do \
	    CHROME_PATH=$$(command -v chromium) node_modules/.bin/lighthouse \
	      http://127.0.0.1:$(AUDIT_PORT)/$$lang/ $$([ $$device = desktop ] && echo --preset=desktop) \
	      --only-categories=performance,accessibility,best-practices,seo \
	      --output=json --output-path=var/lighthouse/$$lang-$$device-$$run.json --quiet \
	      --chrome-flags="$(AUDIT_CHROME_FLAGS)" || exit 1; \
	  done; \
	  node -e "$$LIGHTHOUSE_ROW" /$$lang/ $$device var/lighthouse/$$lang-$$device-*.json; \
	done; done

# Requests/s of the site against the same pages as static files, memory, two instances sharing
# PostgreSQL and Redis, and the contact POST (bench/run.py). Needs wrk (apt-get install wrk).
bench: install-test
	@command -v wrk >/dev/null || { echo "error: wrk is missing (apt-get install wrk)" >&2; exit 1; }
	$(PY) bench/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) staticfiles
