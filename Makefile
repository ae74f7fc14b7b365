# cchc-warehouse — every entry point bootstraps the virtualenv from requirements.lock first.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
UV_VERSION := 0.13.8
export CCHC_HOME := $(CURDIR)
# No phoning home from the stack (Cosmos/Scarf, GX, dbt): this runs where only registries are reachable.
export DO_NOT_TRACK := 1
export SCARF_NO_ANALYTICS := true
export AIRFLOW__COSMOS__ENABLE_TELEMETRY := False
export GX_ANALYTICS_ENABLED := false
export DBT_SEND_ANONYMOUS_USAGE_STATS := false

.PHONY: demo test lint pytest lock bench airflow-ui stack stack-down docs bi bi-stop tools db-start db-stop clean-state seeds help

help:
	@echo "make demo   - run the nightly DAG end to end on the embedded warehouse and print KPIs"
	@echo "make test   - lint (ruff, sqlfluff) and the whole test suite"
	@echo "make bench  - benchmark against the COPY floor and the pandas way"
	@echo "make airflow-ui - airflow standalone on http://127.0.0.1:8080"
	@echo "make docs   - GX Data Docs and dbt docs on http://127.0.0.1:8081"
	@echo "make bi     - Apache Superset dashboards on http://127.0.0.1:8088 (bi-stop stops it)"
	@echo "make stack  - scheduler, dag-processor, triggerer, api-server, 2 Celery workers, Redis (stack-down stops them)"

# The local virtualenv: production pins plus development tools and the local stack's servers.
# --compile-bytecode: uv installs no .pyc by default, and where PYTHONDONTWRITEBYTECODE is set (CI
# here) none are ever written, so every process compiled the modules it imports: `import
# great_expectations` took 15 s instead of 7, `dbt --version` 6.5-8.5 s instead of 4 (pip, as in
# the Dockerfile, compiles by default).
$(STAMP): requirements.lock requirements-dev.lock pyproject.toml world/pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install -q --disable-pip-version-check uv==$(UV_VERSION)
	@$(BIN)/uv pip sync -q --compile-bytecode --python $(BIN)/python requirements-dev.lock
	@$(BIN)/uv pip install -q --python $(BIN)/python --no-deps -e . -e world
	@touch $(STAMP)

venv: $(STAMP)

demo: $(STAMP)
	CCHC_DEMO=1 $(BIN)/cchc demo $(DEMO_ARGS)

test: $(STAMP) tools lint pytest

# System tools some tests use, from Debian's packages: headless Chromium (pages looked at as a
# person would) and docker-compose (validates docker-compose.yml; no engine needed). Root (as CI
# is) installs what is missing; elsewhere those tests are skipped, and say so.
TOOLS := chromium:chromium docker-compose:docker-compose
tools:
	@missing=""; for pair in $(TOOLS); do command -v $${pair%%:*} >/dev/null 2>&1 || missing="$$missing $${pair##*:}"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing:$$missing"; apt-get update -qq >/dev/null && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else echo "not installed (and not root):$$missing - the tests that need them are skipped"; fi; fi

# GX Data Docs and dbt docs on http://127.0.0.1:8081 (offline: assets vendored).
docs: $(STAMP)
	CCHC_DEMO=1 $(BIN)/cchc docs serve $(DOCS_ARGS)

# Apache Superset on the marts, in its own virtualenv from bi/requirements.lock (its pins conflict
# with Airflow's), dashboards from bi/superset/ (login admin / cchc-local, 127.0.0.1 only).
bi: $(STAMP)
	CCHC_DEMO=1 $(BIN)/cchc bi up $(BI_ARGS)

bi-stop: $(STAMP)
	$(BIN)/cchc bi down

lint: $(STAMP)
	$(BIN)/ruff check src world dags tests bench
	$(BIN)/ruff format --check src world dags tests bench
	$(BIN)/sqlfluff lint dbt_project/models dbt_project/macros dbt_project/tests src/cchc/warehouse/ddl

pytest: $(STAMP)
	CCHC_DEMO=1 $(BIN)/python -m pytest $(PYTEST_ARGS)

bench: $(STAMP)
	CCHC_DEMO=1 $(BIN)/python -m bench $(BENCH_ARGS)

airflow-ui: $(STAMP)
	CCHC_DEMO=1 $(BIN)/cchc airflow standalone

# The production shape on this machine: Celery (2 workers), Redis, PostgreSQL metadata DB.
stack: $(STAMP)
	CCHC_DEMO=1 $(BIN)/cchc stack up $(STACK_ARGS)

stack-down: $(STAMP)
	CCHC_DEMO=1 $(BIN)/cchc stack down

db-start: $(STAMP)
	$(BIN)/cchc db start

db-stop: $(STAMP)
	$(BIN)/cchc db stop

seeds: $(STAMP)
	$(BIN)/python -m cchc.reference.build_seeds

lock:
	@test -x $(BIN)/uv || { $(PYTHON) -m venv $(VENV) && $(BIN)/python -m pip install -q uv==$(UV_VERSION); }
	$(BIN)/uv pip compile requirements.in --python-version 3.11 -q -o requirements.lock
	$(BIN)/uv pip compile requirements-dev.in --python-version 3.11 -q -o requirements-dev.lock
	cd bi && ../$(BIN)/uv pip compile requirements.in -c constraints.txt --python-version 3.11 -q -o requirements.lock

clean-state:
	-$(BIN)/cchc db stop
	rm -rf .cchc
