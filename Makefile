# Quick start: `make demo` (pipeline on the default telemetry, then the report at
# http://127.0.0.1:8050) and `make test` (the whole suite). Both set everything up from nothing.

PYTHON  ?= $(shell command -v python3.11 || command -v python3)
VENV    := .venv
BIN     := $(VENV)/bin
SODAI   := $(BIN)/sodai
JARS    := jars/lib/.fetched
S3PROXY := jars/s3proxy/lib/.fetched

.PHONY: help setup demo run test test-unit lint bench serve status clean clean-data notebooks-clean bench-scale bench-daily

help:
	@echo "make demo   - set up, generate the default telemetry, run the pipeline, serve the report"
	@echo "make test   - set up and run the test suite"
	@echo "make bench  - throughput (engines vs DuckDB), site callback latency and 16 clients on sodai serve -> benchmarks/results/"
	@echo "make bench-scale - whole pipeline at 1M, 5M, 10M events per engine -> benchmarks/results/scale.json"
	@echo "make bench-daily - a scheduled day after a 1M and a 5M history, per engine -> benchmarks/results/daily.json"
	@echo "make status - tables, versions, row counts"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

# jars/lib mirrors the pom exactly: a jar an older pom fetched would stay on the engine's classpath
$(JARS): jars/pom.xml
	rm -rf jars/lib
	mvn -q -B -f jars/pom.xml dependency:copy-dependencies
	touch $@

# s3proxy: the S3-compatible store the tests and benchmarks on object storage start (tests/servers)
$(S3PROXY): jars/s3proxy/pom.xml
	mvn -q -B -f jars/s3proxy/pom.xml dependency:copy-dependencies
	touch $@

setup: $(VENV)/.installed $(JARS)

data/landing/_manifest/generation.json: | setup
	$(SODAI) generate

demo: setup data/landing/_manifest/generation.json
	$(SODAI) run
	-$(SODAI) export-pdf --lang en --lang ko --lang fr
	$(SODAI) status
	-$(SODAI) calibrate
	@echo "MLflow runs and models: $(BIN)/mlflow ui --backend-store-uri sqlite:///data/output/mlflow/mlflow.db"
	@echo "Serving the report on http://127.0.0.1:8050 (Ctrl-C to stop)"
	$(SODAI) serve --host 127.0.0.1 --port 8050

run: setup
	$(SODAI) run

serve: setup
	$(SODAI) serve

status: setup
	$(SODAI) status
	-$(SODAI) calibrate

# Two worker processes: half the suite's time is spent waiting on engine statements, not on the CPU;
# tests sharing an expensive fixture stay in one worker (tests/conftest.py, xdist groups).
test: setup lint $(S3PROXY)
	$(BIN)/pytest -n 2 --dist loadgroup --no-loadscope-reorder

# Python (ruff, pyproject.toml) and the dbt models' SQL (sqlfluff, dbt_project/.sqlfluff)
lint: setup
	$(BIN)/ruff check .
	cd dbt_project && PYTHONWARNINGS=ignore ../$(BIN)/sqlfluff lint --processes 0 models tests

test-unit: setup
	$(BIN)/pytest tests/unit

bench-scale: setup
	$(BIN)/python -m benchmarks.scale

bench-daily: setup
	$(BIN)/python -m benchmarks.daily

notebooks-clean: setup
	$(BIN)/nbstripout notebooks/*.ipynb

bench: setup
	$(BIN)/python -m benchmarks.throughput
	@test -f data/output/report.json || { echo "make bench: no data/output/report.json for the site benchmark (run make demo or sodai run)"; exit 2; }
	$(BIN)/python -m benchmarks.site_callbacks
	$(BIN)/python -m benchmarks.site_load

clean-data:
	rm -rf data

clean: clean-data
	rm -rf $(VENV) jars/lib
