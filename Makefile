# The two Quickstart commands: `make serve` and `make test`; `make bench` runs the benchmark (not part of `make test`).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: install serve test check bench

$(BIN)/registry: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(BIN)/registry

install: $(BIN)/registry

# Seeds the embedded SQLite store (registry.db) and serves GraphiQL on http://127.0.0.1:8000/graphql
serve: install
	$(BIN)/registry seed
	$(BIN)/registry serve

# Lint, formatting, types (tests included) and the layers (pyproject.toml's import-linter contracts).
check: install
	$(BIN)/ruff check registry graph tests bench
	$(BIN)/ruff format --check registry graph tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache --no-logo

test: check
	$(BIN)/python -m pytest

# The benchmark (README.md, "Benchmark"): fresh stores it creates itself, ×1 and ×100,
# SQLite and Neo4j, our server and the peer (@neo4j/graphql; needs Node 20+ and npm). About 20 minutes.
# Results: bench/results/<date>-<label>.md, linked from bench/results/latest.md. BENCH_ARGS=--quick for a smoke run.
bench: install
	$(BIN)/python -m bench.run $(BENCH_ARGS)
