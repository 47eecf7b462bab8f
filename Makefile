# The two commands a newcomer needs: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
export FLASK_APP := lti_tool

.PHONY: run test install install-dev browser-deps lint bench load clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet --quiet -e .

install-dev: $(BIN)/python
	$(BIN)/pip install --quiet --quiet -e '.[dev]'
	$(BIN)/pip install --quiet --quiet -e tests/sample_plugin

# Chromium from Debian and axe-core from npm, for the browser tests. Best effort:
# without them the browser tests are skipped and say so.
browser-deps:
	@bash scripts/browser-deps.sh

# The demo's administrator password (/admin); set your own for anything but a demo.
DEMO_ADMIN_PASSWORD ?= demo-admin-password

run: install
	LTI_TOOL_DEMO=1 $(BIN)/flask --app lti_tool db upgrade
	LTI_TOOL_DEMO=1 $(BIN)/flask --app lti_tool demo setup
	@echo ""
	@echo "  Demo LMS:  http://localhost:5000/demo/   (choose a person, open an activity)"
	@echo "  The tool:  http://127.0.0.1:5000/"
	@echo "  Admin:     http://127.0.0.1:5000/admin/   (password: $(DEMO_ADMIN_PASSWORD))"
	@echo ""
	LTI_TOOL_DEMO=1 LTI_TOOL_ADMIN_PASSWORD=$(DEMO_ADMIN_PASSWORD) $(BIN)/flask --app lti_tool run --host 127.0.0.1 --port 5000

test: lint browser-deps
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# ruff, then mypy (configured in pyproject.toml).
lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

bench: install-dev
	cd benchmarks && ../$(BIN)/python launch_bench.py
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
	rm -rf $(VENV) instance .pytest_cache .mypy_cache
