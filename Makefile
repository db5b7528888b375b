# Two commands on a fresh machine: `make run` and `make test` (both set up .venv themselves).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
MANIFEST := dbt/target/manifest.json
export DAGSTER_HOME ?= $(CURDIR)/.dagster_home
export GX_ANALYTICS_ENABLED := False
export DBT_SEND_ANONYMOUS_USAGE_STATS := False

.DEFAULT_GOAL := help
.PHONY: help setup run daemon dev test lint eval bench corpus offline-assets

help: ## List the make targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-6s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) not found: install Python 3.11 or set PYTHON=" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

$(MANIFEST): $(STAMP) $(shell find dbt/models dbt/macros dbt/tests dbt/seeds seeds/reference -type f 2>/dev/null) dbt/dbt_project.yml \
		dagster_project/marts_properties.py
	$(BIN)/python -m dagster_project.marts_properties  # the wide marts' properties, from the catalog
	# Parsed for the default build file, as `make run` uses it: the refresh then parses partially.
	cd dbt && CCHC_BUILD_DB=$(CURDIR)/warehouse/build/cchc.build.duckdb ../$(BIN)/dbt parse --quiet --profiles-dir .
	@touch $@

setup: $(STAMP) $(MANIFEST) ## Create .venv, install the project, prepare the dbt manifest
	@mkdir -p $(DAGSTER_HOME)

run: setup ## Refresh the warehouse from the bundled reports (seeds/reports)
	$(BIN)/cchc refresh

daemon: setup ## Keep running (Dagster's daemon): refresh when reports change, and nightly
	exec $(BIN)/dagster-daemon run -w workspace.yaml

dev: setup ## Start the Dagster UI on http://127.0.0.1:3000
	exec $(BIN)/dagster dev -w workspace.yaml

test: setup ## Run the test suite
	$(BIN)/pytest tests dagster_project/extraction dagster_project/ingest

offline-assets: ## Fetch again (npm) the copies Data Docs use instead of CDNs (dagster_project/quality/offline_assets)
	dagster_project/quality/offline_assets/fetch.sh

lint: setup ## Lint Python (ruff)
	$(BIN)/ruff check dagster_project tests bench

# Shared development sets beside the checkout (`make eval` skips any that is absent), and the sets
# helper agents wrote for this project (blind when first scored: docs/extraction_results.md).
SHARED_SETS ?= ../shared/extraction/real_dev ../shared/extraction/written_dev
AGENT_SETS = tests/fixtures/agent_sets/2026_12_05_a tests/fixtures/agent_sets/2026_12_05_b
eval: setup ## Extraction precision and recall on every development set (EVAL_ARGS="-v --json FILE")
	$(BIN)/python -m dagster_project.extraction.evaluation --reports seeds/reports \
		--gold tests/fixtures/gold_bundled.yaml \
		--passages tests/fixtures/labelled_passages.yaml tests/fixtures/heldout_passages.yaml \
			tests/fixtures/cue_examples.yaml \
		--sets $(SHARED_SETS) $(AGENT_SETS) $(EVAL_ARGS)

N ?= 1000
CORPUS ?= corpus
corpus: setup ## Write a benchmark corpus of N reports with gold facts into CORPUS (make corpus N=5000)
	$(BIN)/python bench/corpus.py --documents $(N) --out $(CORPUS)

bench: setup ## Refresh cost, extraction and BI latency against the targets (bench/results.json, README)
	$(BIN)/python bench/run.py $(BENCH_ARGS)
