# The two Quickstart commands: `make serve` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: install serve test check

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

check: install
	$(BIN)/ruff check registry graph tests
	$(BIN)/mypy

test: check
	$(BIN)/python -m pytest
