# PlurAlps Atlas: the README's two commands are `make run` and `make test`; each sets up what it needs.
VENV    ?= .venv
PY      := $(VENV)/bin/python
PORT    ?= 8050
WORKERS ?= 2
export PLURALPS_SOURCES ?= $(CURDIR)/data/sources

.PHONY: setup system-deps data run dev test test-fast lint bench bench-quick clean

# Python environment for development: the runtime (requirements.txt) and the test and tooling packages
# (requirements-dev.txt, which includes the first); rebuilt when either file changes. The Docker image
# installs requirements.txt only.
$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

# Browser libraries served by the app itself (MapLibre GL; axe-core for the tests), from the npm registry.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

setup: $(VENV)/.installed node_modules/.installed

# Debian's Chromium and ChromeDriver for the browser tests (installed only where missing).
system-deps:
	./.ci/system-deps

# Fetch what is missing and can be fetched, then build (returns at once when nothing changed).
data: setup
	-$(PY) -m geo.download --sources "$(PLURALPS_SOURCES)" > /dev/null
	$(PY) -m geo.build

run: data
	$(VENV)/bin/gunicorn --preload --workers $(WORKERS) --timeout 120 --bind 0.0.0.0:$(PORT) app:server

dev: data
	$(PY) app.py

test: setup system-deps
	$(PY) -m pytest

test-fast: setup
	$(PY) -m pytest -m "not browser and not integration"

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# Benchmarks against targets and the naive Dash app (Chromium for the browser figures): about 7 minutes;
# `make bench-quick` in about a minute.
bench: data system-deps
	$(PY) -m bench

bench-quick: data system-deps
	$(PY) -m bench --quick

clean:
	rm -rf data/build data/build.tmp .pytest_cache
