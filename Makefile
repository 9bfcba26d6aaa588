# The two Quickstart commands: `make serve` and `make test`; `make bench` runs the benchmark (not part of `make test`).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

LOCK := requirements.lock
# `make serve PORT=8080 STORE=sqlite:///other.db` (or postgresql://…, bolt://…): another port or store.
PORT ?= 8000
STORE ?=
store_option = $(if $(STORE),--store $(STORE),)
# The lock's resolution: every extra, for every platform, Python 3.11 and later, with hashes.
COMPILE = $(BIN)/uv pip compile --quiet pyproject.toml --extra dev --universal --python-version 3.11 --generate-hashes --no-header

.PHONY: install serve test check bench lock

# The whole dependency tree comes from requirements.lock (hashes checked); the package itself is
# installed editable on top, without resolving anything again.
$(BIN)/registry: pyproject.toml $(LOCK)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/pip install -qq --no-deps -e .  # -qq: setuptools notes every editable install as such
	touch $(BIN)/registry

install: $(BIN)/registry

# Seeds the embedded SQLite store (registry.db, or STORE) and serves http://127.0.0.1:8000/explore and /graphql (or PORT)
serve: install
	$(BIN)/registry seed $(store_option)
	$(BIN)/registry serve --port $(PORT) $(store_option)

# Re-resolve requirements.lock after a change of pyproject.toml's dependencies (pins already in the lock are kept).
lock: install
	$(COMPILE) -o $(LOCK)

# Lint, formatting, types (tests included) and the layers (pyproject.toml's import-linter contracts).
check: install
	cp $(LOCK) $(VENV)/lock-check.txt && $(COMPILE) -o $(VENV)/lock-check.txt && diff -u $(LOCK) $(VENV)/lock-check.txt || (echo "requirements.lock is not current: run make lock"; exit 1)
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
