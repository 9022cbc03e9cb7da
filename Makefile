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
SQL_DIRS := migrations queries tests/pgtap sql/roles.sql
# The schema registry ([tool.chaindb] schemas in pyproject.toml), read without the venv.
SCHEMAS := $(shell $(PYTHON) -c 'import tomllib; print(*tomllib.load(open("pyproject.toml", "rb"))["tool"]["chaindb"]["schemas"])')
PGTAP_CONTROL := $(firstword $(wildcard /usr/share/postgresql/*/extension/pgtap.control))

.PHONY: help setup setup-apt db db-stop migrate rollback status schema verify-schema generate \
        verify-generate verify lint pgtap pytest test mutate demo bench clean

help: ## Show this help
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_\/-]+:.*## / {printf "  \033[36m%-16s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)
	@echo ""
	@echo "  Variables: DATABASE_URL (use this server instead of the embedded one),"
	@echo "             CHAINDB_PGPORT (embedded server port, default 54329), ALL=1 (rollback everything)"
	@echo "             SAMPLE=N SEED=s JOBS=n (make mutate: a reproducible sample, mutants at once)"
	@echo "  Schemas:   common $(SCHEMAS) (registry: [tool.chaindb] in pyproject.toml)"

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

setup: $(STAMP) setup-apt ## Create the venv and install what is missing (pip; apt for pgTAP and pg_prove)

setup-apt:
	@if ! command -v pg_prove >/dev/null || [ -z "$(PGTAP_CONTROL)" ]; then \
	  echo "installing pgTAP and pg_prove with apt"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq; \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq postgresql-15-pgtap libtap-parser-sourcehandler-pgtap-perl >/dev/null; \
	fi

db: $(STAMP) ## Start the embedded PostgreSQL (.pgdata/, port CHAINDB_PGPORT); idempotent
	@if [ -n "$${DATABASE_URL:-}" ]; then echo "DATABASE_URL is set: not starting the embedded server"; \
	else $(PY) -m chaindb.embedded start; fi

db-stop: $(STAMP) ## Stop the embedded PostgreSQL
	$(PY) -m chaindb.embedded stop

migrate: $(STAMP) ## Apply pending migrations of every schema (creates the roles first)
	$(CLI) migrate

rollback: $(STAMP) ## Roll back the last migration (ALL=1: every migration)
	$(CLI) rollback $(if $(ALL),--all,)

status: $(STAMP) ## List migrations and whether each is applied
	$(CLI) status

schema: $(STAMP) ## Write the schema snapshots sql/<schema>.sql from a database migrated from zero
	$(CLI) schema

verify-schema: $(STAMP) ## Fail when sql/<schema>.sql differs from what the migrations produce
	$(CLI) schema --check

generate: $(STAMP) ## Generate the typed modules python/chaindb/<schema>/queries.py (scratch database migrated from zero)
	$(CLI) generate

verify-generate: $(STAMP) ## Fail when the generated modules differ from what `make generate` writes
	$(CLI) generate --check

verify: $(STAMP) ## verify-schema and verify-generate at once, on a throwaway server (unless DATABASE_URL)
	$(CLI) verify --throwaway

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

test: setup lint verify ## Lint, check generated files, run pytest and pg_prove, kill a sample of the mutants
	$(VENV)/bin/pytest
	$(CLI) pgtap --throwaway
	$(PY) -m chaindb.mutation --sample $(MUTATE_SAMPLE) --seed $(MUTATE_SEED) --no-baseline

mutate: setup ## Mutation testing of the rules: mutants from the catalog, each must fail a rule test (SAMPLE=N SEED=s)
	$(PY) -m chaindb.mutation $(if $(SAMPLE),--sample $(SAMPLE) --seed '$(or $(SEED),0)') $(if $(JOBS),--jobs $(JOBS))

demo: setup db ## Start the embedded server, migrate, load fixtures and walk each product's main flow
	$(CLI) migrate
	$(PY) -m chaindb.demo

bench: $(STAMP) ## Benchmarks (code-pack generation vs raw COPY; generic vs hand-written state machine trigger)
	$(PY) bench/authenticity_bench.py
	$(PY) bench/state_machine_bench.py

clean: ## Stop the embedded server and remove the venv and its data
	-$(PY) -m chaindb.embedded stop
	rm -rf $(VENV) .pgdata .mypy_cache .ruff_cache .pytest_cache
