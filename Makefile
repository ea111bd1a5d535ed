# Entry points. `make run` serves on SQLite; `make test` is the README's test command.
CARGO ?= cargo
PG_URL ?= postgres://postgres@127.0.0.1:5432/postgres

.PHONY: run build release test test-pg lint fmt openapi ubl-validate ocds-validate clients bench bench-join bench-scale bench-live reliability replica-e2e webhooks-e2e oidc-e2e browser-e2e ci

run:
	$(CARGO) run -p groupbuy-api --bin groupbuy -- serve

build:
	$(CARGO) build --workspace

release:
	$(CARGO) build --release -p groupbuy-api --bin groupbuy

# SQLite always; PostgreSQL too when GROUPBUY_TEST_POSTGRES_URL is set (see test-pg).
test:
	$(CARGO) test --workspace

test-pg:
	GROUPBUY_TEST_POSTGRES_URL=$(PG_URL) $(CARGO) test --workspace

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings
	RUSTDOCFLAGS="-D warnings" $(CARGO) doc --no-deps --workspace -q
	! $(CARGO) tree -p groupbuy-domain -e normal | grep -E '\b(diesel|actix-web|actix-rt|tokio|r2d2)\b'

fmt:
	$(CARGO) fmt --all

openapi:
	GROUPBUY_WRITE_OPENAPI=1 $(CARGO) test -p groupbuy-api --test api openapi::committed_openapi_document_is_current

# Every UBL invoice the tests produce (the domain's matrix of VAT categories and currencies,
# and the documents a settled pool serves over HTTP on each backend), checked by the official
# EN 16931 and Peppol BIS Billing 3.0 rules (tools/validators/ubl, Saxon from PyPI, pinned):
# 0 fatal findings or the target fails.
UBL_OUT ?= target/ubl
ubl-validate:
	python3 -m venv $(RELIABILITY_VENV)
	$(RELIABILITY_VENV)/bin/pip install -q saxonche==13.1.1 lxml==6.2.0
	rm -rf $(UBL_OUT) && mkdir -p $(UBL_OUT)
	GROUPBUY_UBL_OUT=$(abspath $(UBL_OUT)) $(CARGO) test -q -p groupbuy-api --lib ubl
	GROUPBUY_UBL_OUT=$(abspath $(UBL_OUT)) $(CARGO) test -q -p groupbuy-api --test api ubl_
	$(RELIABILITY_VENV)/bin/python tools/validators/ubl/validate.py $(UBL_OUT)/*.xml

# OCDS 1.1 release packages (tools/validators/ocds, libcoveocds from PyPI, pinned, offline
# with the 1.1.5 schema zip): the packages the API tests serve at each stage, public and
# private (PostgreSQL too when GROUPBUY_TEST_POSTGRES_URL is set); 0 validation errors, no
# closed codelist value outside its list and no field outside the schema, or the target fails.
OCDS_OUT ?= target/ocds
ocds-validate:
	python3 -m venv $(RELIABILITY_VENV)
	$(RELIABILITY_VENV)/bin/pip install -q libcoveocds==0.17.0
	rm -rf $(OCDS_OUT) && mkdir -p $(OCDS_OUT)
	GROUPBUY_OCDS_OUT=$(abspath $(OCDS_OUT)) $(CARGO) test -q -p groupbuy-api --test api ocds_
	$(RELIABILITY_VENV)/bin/python tools/validators/ocds/validate.py $(OCDS_OUT)/*.json

# Redocly lint, then a Python and a TypeScript client generated from the live /openapi.json,
# type-checked (mypy/tsc --strict) and run against the server (clients/run.sh, ~2 minutes;
# needs PyPI and npm).
clients:
	bash clients/run.sh

# The benchmark (docs/PERFORMANCE.md, "Benchmark"): the release server as a separate process
# under bench/loadgen's load, next to its references (pgbench on bench/pgbench/, the SQLite
# script), invariants checked after every run; the table goes to bench/results/latest.md.
# GROUPBUY_BENCH_SECONDS (10) per run; ONLY=hot-pg,hot-sqlite,spread-pg,detail-pg for a subset;
# RUNS=3 repeats the table three times (bench/results/run-N.md).
# PostgreSQL scenarios are skipped when GROUPBUY_TEST_POSTGRES_URL (default PG_URL) is down.
BENCH_BIN_DIR = $${CARGO_TARGET_DIR:-target}/release
RUNS ?= 1
bench:
	$(CARGO) build --release -p groupbuy-api --bin groupbuy
	$(CARGO) build --release -p groupbuy-bench
	for run in $$(seq 1 $(RUNS)); do \
		GROUPBUY_TEST_POSTGRES_URL=$${GROUPBUY_TEST_POSTGRES_URL-$(PG_URL)} $(BENCH_BIN_DIR)/groupbuy-bench \
			--server $(BENCH_BIN_DIR)/groupbuy $(if $(ONLY),--only $(ONLY)) \
			$$( [ $(RUNS) -gt 1 ] && echo --out bench/results/run-$$run.md ) || exit 1; \
	done

bench-join: bench

# Scale (docs/PERFORMANCE.md, "Scale"): seeds 100,000 groups / 1,000,000 participants on PostgreSQL, compares
# read latency with a nearly empty database, captures the reads' plans, then times the
# server's sweep of 100,000 expired groups and checks every refund was paid once
# (bench/scale.py, about 6 minutes; databases gb_scale_*; SCALE_ARGS=--reuse keeps seeded ones).
bench-scale: release
	python3 bench/scale.py --bin $${CARGO_TARGET_DIR:-target}/release/groupbuy --pg $(PG_URL) $(SCALE_ARGS)

# Pages and live updates (docs/PERFORMANCE.md, "Pages and live updates"): wrk (Debian
# package) at 16 connections on /g/{code} against the JSON read of the same group, the
# page weight, and LIVE_SUBSCRIBERS event-stream subscribers over two instances on one
# PostgreSQL database: join-to-receipt latency and memory per subscriber (bench/live/).
LIVE_SUBSCRIBERS ?= 10000
bench-live: release
	python3 bench/live/live_bench.py --bin $${CARGO_TARGET_DIR:-target}/release/groupbuy --pg $(PG_URL) --subscribers $(LIVE_SUBSCRIBERS)

# Black-box reliability scenarios on PostgreSQL (reliability/README.md), about 5 minutes:
# two instances under a randomized workload, SIGKILLs, pg_terminate_backend, retry storms,
# schemathesis with two users. Needs GROUPBUY_TEST_POSTGRES_URL (defaults to PG_URL).
RELIABILITY_VENV ?= .ci/.venv
reliability:
	python3 -m venv $(RELIABILITY_VENV)
	$(RELIABILITY_VENV)/bin/pip install -q -r reliability/requirements.txt
	$(CARGO) build -q -p groupbuy-api --bin groupbuy
	GROUPBUY_TEST_POSTGRES_URL=$${GROUPBUY_TEST_POSTGRES_URL-$(PG_URL)} $(RELIABILITY_VENV)/bin/python reliability/run.py

# Scale-out on PostgreSQL's own machinery (docs/SCALING.md, "Read replicas and PgBouncer"),
# about 90 s: a real streaming replica (pg_basebackup -R, a second cluster on 127.0.0.1:5433)
# and PgBouncer (Debian package) in transaction pooling mode on 127.0.0.1:6433, each under the
# reliability workload plus shoppers reading their own joins and viewers reading public pages
# (tools/replica/). Runs as root (the cluster and PgBouncer run as postgres); appends a
# replication line to the primary's pg_hba.conf when it has none (says so).
replica-e2e:
	python3 -m venv $(RELIABILITY_VENV)
	$(RELIABILITY_VENV)/bin/pip install -q -r reliability/requirements.txt
	$(CARGO) build -q -p groupbuy-api --bin groupbuy
	GROUPBUY_TEST_POSTGRES_URL=$${GROUPBUY_TEST_POSTGRES_URL-$(PG_URL)} PYTHON=$(RELIABILITY_VENV)/bin/python \
		bash tools/replica/run.sh $${CARGO_TARGET_DIR:-target}/debug/groupbuy

# Webhooks as an integrator sees them: the real server, a receiver verifying every delivery
# with the official standardwebhooks library (PyPI), a SIGKILL between commit and delivery.
webhooks-e2e:
	python3 -m venv $(RELIABILITY_VENV)
	$(RELIABILITY_VENV)/bin/pip install -q -r webhooks/requirements.txt
	$(CARGO) build -q -p groupbuy-api --bin groupbuy
	$(RELIABILITY_VENV)/bin/python webhooks/e2e.py $${CARGO_TARGET_DIR:-target}/debug/groupbuy

# Sign-in by a real OpenID provider (oidc/provider.mjs: the pinned npm package oidc-provider
# on a loopback port): provider tokens on every surface with mapped roles, organisation and
# scopes, key rotation, and the refused attacks (oidc/e2e.py, about 15 s; needs Node 20+ and npm).
oidc-e2e:
	cd oidc && npm ci --no-audit --no-fund --silent
	$(CARGO) build -q -p groupbuy-api --bin groupbuy
	python3 oidc/e2e.py $${CARGO_TARGET_DIR:-target}/debug/groupbuy

# The pages in a real browser (browser/run.mjs): playwright-core and axe-core pinned in
# browser/package.json, Debian's Chromium (/usr/bin/chromium, package chromium; never a
# downloaded browser), the OpenID provider of oidc/; SQLite, and PostgreSQL too when
# GROUPBUY_TEST_POSTGRES_URL is set. Screenshots: target/browser/<backend>/.
browser-e2e:
	cd oidc && npm ci --no-audit --no-fund --silent
	cd browser && npm ci --no-audit --no-fund --silent
	$(CARGO) build -q -p groupbuy-api --bin groupbuy
	node browser/run.mjs $${CARGO_TARGET_DIR:-target}/debug/groupbuy

ci:
	bash .ci/run
