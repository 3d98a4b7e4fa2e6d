# Parovoz: the whole platform as local processes on real engines (state under .run/).
#   make dev    install what is missing, then start engines, migrations, services, stand-ins, gateway
#   make test   the same, then ruff, the stubs check and every member's tests plus tests-e2e
# Every recipe line runs under `bash -euo pipefail`: any failing step fails the target.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

PYTHON := .venv/bin/python
RUFF := .venv/bin/ruff
MYPY := .venv/bin/mypy
LINT_IMPORTS := .venv/bin/lint-imports
PLATFORM := $(PYTHON) deploy/local/platform.py
UV := $(shell command -v uv 2>/dev/null || echo python3 -m uv)
# Every member's tests folder that exists, then the end-to-end tests.
TEST_DIRS = $(wildcard libs/*/tests services/*/tests deploy/standins/*/tests) tests-e2e
# `make test-lanes`: the members' tests in two lanes side by side (deploy/local/test_lanes.py;
# one service's tests always in one lane), then tests-e2e. About 12 minutes instead of 19, but
# not yet `make test`: the kit's outbox and relay tests listen on the payment database's
# NOTIFY channel, which the other lane's calls to the running payment service also wake.
TEST_LANE_1 = services/payment/tests libs/*/tests deploy/standins/*/tests
TEST_LANE_2 = services/*/tests !services/payment/tests

.PHONY: help install dev engines up restart down status migrate test test-lanes e2e lint proto proto-check \
	events-catalog ledger-check bench chaos fuzz

help:
	@echo "make dev          install what is missing, start the whole platform (idempotent)"
	@echo "make engines      start PostgreSQL, Redis, the broker and S3 only"
	@echo "make restart      restart services, stand-ins and gateway on the current code"
	@echo "make status       what is up, with pids and ports"
	@echo "make down         stop everything make dev started"
	@echo "make migrate      engines, then alembic upgrade head for every service"
	@echo "make test         dev, then lint, proto-check and all tests (what CI runs)"
	@echo "make e2e          dev, then tests-e2e only"
	@echo "make fuzz         dev, then a long schemathesis run over every service's OpenAPI through"
	@echo "                  the gateway (FUZZ_EXAMPLES=50); summary in bench/results/fuzz-latest.json"
	@echo "make lint         ruff check, ruff format --check, mypy and import-linter's contracts"
	@echo "make proto        regenerate the gRPC stubs;  make proto-check: fail if they are stale"
	@echo "make events-catalog  regenerate docs/events (JSON Schema catalogue of every event type)"
	@echo "make ledger-check prove the payment ledger is consistent (running payment database)"
	@echo "make bench        benchmarks (bench/*.py; figures in bench/results/latest.json,"
	@echo "                  BENCH_FLAGS=--quick / --strict);  make chaos: engine faults at scale"

install:
	bash deploy/local/install.sh

dev: install
	$(PLATFORM) up

up: dev

engines: install
	$(PLATFORM) engines

restart: install
	$(PLATFORM) restart

down:
	$(PLATFORM) down

status:
	$(PLATFORM) status

migrate: install
	$(PLATFORM) migrate

test: install
	$(PLATFORM) up
	$(MAKE) --no-print-directory lint
	$(PYTHON) protos/generate.py --check
	$(PYTHON) -m parovoz_events.catalog --check
	$(PYTHON) -m pytest $(TEST_DIRS) --ignore=tests-e2e/chaos
	@echo "chaos, bounded (last: it freezes the broker and kills Redis under the running platform)"
	$(PYTHON) -m pytest tests-e2e/chaos

test-lanes: install
	$(PLATFORM) up
	$(PYTHON) deploy/local/test_lanes.py "$(TEST_LANE_1)" "$(TEST_LANE_2)"
	$(PYTHON) -m pytest tests-e2e --ignore=tests-e2e/chaos

e2e: dev
	$(PYTHON) -m pytest tests-e2e

# The bounded schemathesis and poison-value runs are in tests-e2e/contract (part of make test).
fuzz: dev
	$(PYTHON) tests-e2e/contract/fuzz.py --max-examples $${FUZZ_EXAMPLES:-50} --seed $${FUZZ_SEED:-20261111}

# ruff, mypy (strict on libs/ and every domain module; config in pyproject.toml, cache in
# .mypy_cache) and import-linter's contracts (domain imports no framework or driver, services
# and libs import no other service).
lint:
	$(RUFF) check .
	$(RUFF) format --check .
	$(MYPY)
	$(LINT_IMPORTS)

proto:
	$(UV) run --no-sync python protos/generate.py

events-catalog:
	$(PYTHON) -m parovoz_events.catalog

proto-check:
	$(UV) run --no-sync python protos/generate.py --check

ledger-check: install
	$(PYTHON) -m parovoz_payment.jobs.ledger_check

# BENCH_FLAGS: --quick (short runs) and/or --strict (exit 1 when a ratio misses its goal).
bench: dev
	$(PYTHON) bench/run.py
	$(PYTHON) bench/ledger_vs_pgbench.py
	$(PYTHON) bench/upload.py $(BENCH_FLAGS)
	$(PYTHON) bench/game_routes.py $(BENCH_FLAGS)
	$(PYTHON) bench/check_access.py $(BENCH_FLAGS)
	$(PYTHON) bench/greenlight_votes.py $(BENCH_FLAGS)

chaos: dev
	CHAOS_SCALE=$${CHAOS_SCALE:-10} $(PYTHON) -m pytest tests-e2e/chaos
