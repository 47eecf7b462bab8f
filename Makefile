# The two commands a newcomer needs: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
export FLASK_APP := lti_tool
TRANSLATIONS := lti_tool/translations
PO := $(TRANSLATIONS)/fr_CA/LC_MESSAGES/messages.po
MO := $(PO:.po=.mo)

.PHONY: run test test-lowest install install-dev browser-deps lint bench load clean translations compile-translations

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --quiet --upgrade pip

# Installed once, again only when pyproject.toml changes (not on every `make run`).
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --quiet -e .
	@touch $@

# The compiled French catalogue, again whenever messages.po changes (never committed: 0019).
$(MO): $(PO) | $(VENV)/.installed
	$(BIN)/pybabel --quiet compile -d $(TRANSLATIONS)

install: $(VENV)/.installed $(MO)

install-dev: $(BIN)/python
	$(BIN)/pip install --quiet --quiet -e '.[dev]'
	$(BIN)/pip install --quiet --quiet -e tests/sample_plugin
	@touch $(VENV)/.installed
	@$(MAKE) --no-print-directory compile-translations

# French (Canada): extract every marked text (babel.cfg), bring the catalogue up to date with the
# code (new texts get an empty msgstr to fill), compile it. The .po is committed, the .mo never
# (docs/decisions/0019-translations.md); a wheel compiles its own (setup.py).
translations: install-dev
	@mkdir -p build
	$(BIN)/pybabel --quiet extract -F babel.cfg -k lazy_gettext -k _l -k lazy_ngettext:1,2 \
		--add-location=file --sort-output --project=p3-workshop-lti -o build/messages.pot lti_tool plugins
	$(BIN)/pybabel --quiet update -i build/messages.pot -d $(TRANSLATIONS) -l fr_CA \
		--no-fuzzy-matching --ignore-obsolete --ignore-pot-creation-date
	@$(MAKE) --no-print-directory compile-translations

compile-translations:
	$(BIN)/pybabel --quiet compile -d $(TRANSLATIONS)

# Chromium from Debian and axe-core from npm, for the browser tests. Best effort:
# without them the browser tests are skipped and say so.
browser-deps:
	@bash scripts/browser-deps.sh

# The demo's administrator password (/admin); set your own for anything but a demo.
DEMO_ADMIN_PASSWORD ?= demo-admin-password
# `make run PORT=5055`: the tool and its demo LMS follow the port.
PORT ?= 5000

# `flask demo run` upgrades the database, sets up the demo LMS, serves, and prints where to
# click last, once the server listens.
run: install
	@LTI_TOOL_DEMO=1 LTI_TOOL_ADMIN_PASSWORD=$(DEMO_ADMIN_PASSWORD) \
	  LTI_TOOL_BASE_URL=http://127.0.0.1:$(PORT) exec $(BIN)/flask --app lti_tool demo run

# One pytest-xdist worker per core (tests/README.md, "Time"); `make test PYTEST_ARGS=` runs serially.
PYTEST_ARGS ?= -n auto --dist loadgroup

# One run: the browser tests are one xdist group on one worker, beside the rest on the other
# (decisions 0044 and 0049; tests/README.md, "Time").
test: lint browser-deps
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Are pyproject.toml's minimums true? The suite (browser tests left out) against the lowest
# version of each direct dependency (uv's --resolution lowest-direct), on the oldest Python we
# support, in a virtualenv of its own made afresh each time. Not part of `make test` (CI time);
# decision 0054, tests/README.md ("Lowest versions").
LOWEST_PYTHON ?= python3.11
LOWEST_VENV ?= .venv-lowest
test-lowest:
	rm -rf $(LOWEST_VENV)
	$(LOWEST_PYTHON) -m venv $(LOWEST_VENV)
	$(LOWEST_VENV)/bin/pip install --quiet --quiet uv
	$(LOWEST_VENV)/bin/uv pip install --python $(LOWEST_VENV)/bin/python --resolution lowest-direct \
		-e '.[dev]' -e tests/sample_plugin
	$(LOWEST_VENV)/bin/pybabel --quiet compile -d $(TRANSLATIONS)
	$(LOWEST_VENV)/bin/python -m pytest -n auto --dist loadgroup -p no:cacheprovider --ignore=tests/browser

# ruff, then mypy (configured in pyproject.toml).
lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

bench: install-dev
	cd benchmarks && ../$(BIN)/python launch_bench.py
	cd benchmarks && ../$(BIN)/python compare_launch.py
	cd benchmarks && ../$(BIN)/python launch_profile.py
	cd benchmarks && ../$(BIN)/python assessment_bench.py
	cd benchmarks && ../$(BIN)/python grades_bench.py
	cd benchmarks && ../$(BIN)/python isolation_bench.py
	cd benchmarks && ../$(BIN)/python class_bench.py

# A class at 9:00 (Locust, headless) against gunicorn + PostgreSQL + a grade worker; a few
# minutes of both cores. LOAD_ARGS="--users 30 --arrival 10" for a short one; see the script.
load: install-dev
	$(BIN)/pip install --quiet --quiet -e '.[bench]'
	cd benchmarks && ../$(BIN)/python class_wave.py $(LOAD_ARGS)

clean:
	rm -rf $(VENV) $(LOWEST_VENV) instance .pytest_cache .mypy_cache
