# chaindb — `make help` lists the targets. Every target that talks to a database
# uses DATABASE_URL when it is set, else the embedded server (`make db`).

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

VENV    ?= .venv
PYTHON  ?= python3
PY      := $(VENV)/bin/python
CLI     := $(PY) -m chaindb.cli
STAMP   := $(VENV)/.installed
BENCH_STAMP := $(VENV)/.installed-bench
SQL_DIRS := migrations queries tests/pgtap sql/roles.sql sql/extensions.sql sql/fixtures
# The schema registry ([tool.chaindb] schemas in pyproject.toml), read without the venv.
SCHEMAS := $(shell $(PYTHON) -c 'import tomllib; print(*tomllib.load(open("pyproject.toml", "rb"))["tool"]["chaindb"]["schemas"])')
PGTAP_CONTROL := $(firstword $(wildcard /usr/share/postgresql/*/extension/pgtap.control))
PG_PROVE ?= pg_prove
SUDO_CMD ?= sudo
APT_PACKAGES := postgresql-15-pgtap libtap-parser-sourcehandler-pgtap-perl

.PHONY: help setup setup-apt db db-stop migrate rollback status check-db drift schema verify-schema generate \
        verify-generate docs verify-docs verify verify-compat lint pgtap pytest test coverage mutate fuzz demo fixtures \
        bench clean clean-db partitions retention replica replica-stop

help: ## Show this help
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_\/-]+:.*## / {printf "  \033[36m%-16s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)
	@echo ""
	@echo "  Variables: DATABASE_URL (use this server instead of the embedded one),"
	@echo "             CHAINDB_PGPORT (embedded server port: default the recorded one, else 54329),"
	@echo "             ALL=1 (rollback everything; CONFIRM=1 confirms it on DATABASE_URL),"
	@echo "             ACCEPT_CHANGED=1 (migrate/rollback although applied migration files changed),"
	@echo "             QUICK=1 (make bench: small sizes), K=pattern (fuzz: only the write functions matching it)"
	@echo "             SAMPLE=N SEED=s JOBS=n (make mutate: a reproducible sample, mutants at once)"
	@echo "  Schemas:   common $(SCHEMAS) (registry: [tool.chaindb] in pyproject.toml)"

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

$(BENCH_STAMP): $(STAMP) pyproject.toml
	$(PY) -m pip install --quiet -e '.[dev,bench]'
	@touch $(BENCH_STAMP)

setup: $(STAMP) setup-apt ## Create the venv and install what is missing (pip; apt for pgTAP and pg_prove)

# pgTAP and pg_prove come from apt (as root, else through sudo). Without them (no sudo, apt failed)
# this says what to install and succeeds: only the pgTAP stage needs them, and it fails then.
setup-apt:
	@if command -v $(PG_PROVE) >/dev/null && [ -n "$(PGTAP_CONTROL)" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then SUDO=; elif command -v $(SUDO_CMD) >/dev/null; then SUDO=$(SUDO_CMD); \
	else SUDO=none; fi; \
	if [ "$$SUDO" != none ] && command -v apt-get >/dev/null; then \
	  echo "installing pgTAP and pg_prove with apt"; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $(APT_PACKAGES) >/dev/null && exit 0; \
	fi; \
	echo "pgTAP/pg_prove are missing and could not be installed (not root, no $(SUDO_CMD), or apt failed)."; \
	echo "Install them as root:  apt-get install -y $(APT_PACKAGES)"; \
	echo "Going on without them: only the pgTAP stage needs them (it will fail, naming them)."

db: $(STAMP) ## Start the embedded PostgreSQL (.pgdata/, port CHAINDB_PGPORT); idempotent
	@if [ -n "$${DATABASE_URL:-}" ]; then echo "DATABASE_URL is set: not starting the embedded server"; \
	else $(PY) -m chaindb.embedded start; fi

db-stop: $(STAMP) ## Stop the embedded PostgreSQL (and its replica, if running)
	$(PY) -m chaindb.standby stop
	$(PY) -m chaindb.embedded stop

replica: db ## Start a streaming read replica of the embedded server (pg_basebackup -R; port CHAINDB_REPLICA_PORT)
	$(PY) -m chaindb.standby start

replica-stop: $(STAMP) ## Stop the replica of the embedded server
	$(PY) -m chaindb.standby stop

partitions: $(STAMP) ## Create the monthly partitions due ahead of the clock (as the owner; run daily)
	$(CLI) partitions

retention: $(STAMP) ## Detach and drop the expired monthly partitions (as the owner; the only way they go)
	$(CLI) retention

migrate: $(STAMP) ## check-db, the roles, then every pending migration, with each one's duration
	$(CLI) migrate $(if $(ACCEPT_CHANGED),--accept-changed,)

rollback: $(STAMP) ## Roll back the last migration (ALL=1: every one; on DATABASE_URL also CONFIRM=1)
	$(CLI) rollback $(if $(ALL),--all,) $(if $(CONFIRM),--yes,) $(if $(ACCEPT_CHANGED),--accept-changed,)

status: $(STAMP) ## List migrations: applied or pending, and applied files changed since (reads only)
	$(CLI) status

check-db: $(STAMP) ## Check the user's rights to migrate; print the GRANTs a DBA runs for what is missing
	$(CLI) check-db

drift: $(STAMP) ## Compare the database's catalog with what its migrations make (scratch, throwaway server)
	$(CLI) drift --throwaway

schema: $(STAMP) ## Write the schema snapshots sql/<schema>.sql from a database migrated from zero (throwaway server unless DATABASE_URL)
	$(CLI) schema

verify-schema: $(STAMP) ## Fail when sql/<schema>.sql differs from what the migrations produce
	$(CLI) schema --check

generate: $(STAMP) ## Generate the typed packages python/chaindb/<schema>/queries/ (throwaway server unless DATABASE_URL)
	$(CLI) generate

verify-generate: $(STAMP) ## Fail when the generated modules differ from what `make generate` writes
	$(CLI) generate --check

docs: $(STAMP) ## Write the reference docs docs/<schema>.md and docs/README.md from the catalog (throwaway server unless DATABASE_URL)
	$(CLI) docs

verify-docs: $(STAMP) ## Fail when docs/ differs from what `make docs` writes
	$(CLI) docs --check

verify: $(STAMP) ## verify-schema, verify-generate and verify-docs at once, on a throwaway server (unless DATABASE_URL)
	$(CLI) verify --throwaway

verify-compat: $(STAMP) ## Prepare REF's queries (default HEAD~1) on the working tree's migrations; report breaks (REF=<git ref>)
	$(CLI) verify-compat --throwaway --ref $(or $(REF),HEAD~1)

lint: $(STAMP) ## sqlfluff, squawk, ruff and mypy
	$(VENV)/bin/sqlfluff lint $(SQL_DIRS)
	$(VENV)/bin/squawk --config .squawk.toml $$(find migrations -name '*.sql' ! -name '*.rollback.sql' | sort)
	$(VENV)/bin/ruff check python tests/python $(wildcard bench)
	$(VENV)/bin/mypy

pgtap: setup ## Run the pgTAP suites (pg_prove) on a fresh migrated scratch database
	$(CLI) pgtap

pytest: $(STAMP) ## Run pytest (its own throwaway server unless DATABASE_URL is set)
	$(VENV)/bin/pytest

# make test kills a sample of the mutants (seeded by the commit, so each commit is reproducible and
# the sample moves on); make mutate runs them all (README: Mutation testing).
MUTATE_SAMPLE ?= 36
MUTATE_SEED ?= $(shell git rev-parse --short HEAD 2>/dev/null || echo 0)

# pg_prove runs last of the database suites: it is the only stage that needs the apt packages (see setup-apt).
# Both suites record what they execute of the database's logic (chaindb.coverage): one run serves
# the tests and the coverage gate (a function or trigger function no test executes fails `make test`).
COVERAGE_DIR := .coverage-db
test coverage: export CHAINDB_DB_COVERAGE = $(CURDIR)/$(COVERAGE_DIR)

test: setup lint verify $(BENCH_STAMP) ## Lint, check generated files and the previous commit's queries, run pytest and pg_prove, coverage gate, smoke-run the benchmarks, kill a sample of the mutants
	$(CLI) verify-compat --throwaway --ref HEAD~1 --if-available
	rm -rf $(COVERAGE_DIR)
	$(VENV)/bin/pytest
	$(PY) -m bench --quick
	$(CLI) pgtap --throwaway
	$(CLI) coverage --check
	$(PY) -m chaindb.mutation --sample $(MUTATE_SAMPLE) --seed $(MUTATE_SEED) --no-baseline

coverage: setup ## Run pytest and pg_prove and print, per schema, the functions, CHECKs and state-machine moves they exercised
	rm -rf $(COVERAGE_DIR)
	$(VENV)/bin/pytest
	$(CLI) pgtap --throwaway
	$(CLI) coverage

mutate: setup ## Mutation testing of the rules: mutants from the catalog, each must fail a rule test (SAMPLE=N SEED=s)
	$(PY) -m chaindb.mutation $(if $(SAMPLE),--sample $(SAMPLE) --seed '$(or $(SEED),0)') $(if $(JOBS),--jobs $(JOBS))

fuzz: $(STAMP) ## Property tests of every generated write function, 10,000 examples each, counts printed (K=pattern: some)
	CHAINDB_HYPOTHESIS_PROFILE=chaindb-fuzz $(VENV)/bin/pytest tests/python/properties -p no:cacheprovider \
	  $(if $(K),-k "$(K)",)

demo: setup db ## Embedded server, migrate, fixtures, each product's main flow (as an app login role)
	$(CLI) migrate
	$(CLI) fixtures
	$(PY) -m chaindb.demo

fixtures: $(STAMP) ## Load the deterministic fixtures sql/fixtures/<schema>.sql (static ids; re-runnable) as the owner
	$(CLI) fixtures

bench: $(BENCH_STAMP) ## Side-by-side benchmarks ending in one table (QUICK=1: every item on small sizes, < 1 min)
	$(PY) -m bench $(if $(QUICK),--quick,)

clean-db: ## Stop the embedded server and remove its data (.pgdata, and its folder in /tmp as root)
	@if [ -x $(PY) ]; then $(PY) -m chaindb.standby stop >/dev/null; fi
	@$(PYTHON) python/chaindb/embedded.py destroy

clean: clean-db ## clean-db, and remove the venv, caches and build files
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache python/*.egg-info build dist .coverage-db
