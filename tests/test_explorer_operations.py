"""The explorer's GraphQL operations: all named, all in operations.js, all valid against the schema."""

from __future__ import annotations

import re
from pathlib import Path

from graphql import OperationDefinitionNode, parse, validate

from registry.api.execution.strawberry_adapter import graphql_schema
from registry.api.graphql.schema import schema

STATIC = Path(__file__).resolve().parents[1] / "registry" / "explorer" / "static"
EXPORT = re.compile(r"export const (\w+) = /\* GraphQL \*/ `([^`]*)`;")
OPERATION_TEXT = re.compile(r"\b(query|mutation|subscription)\s+\w+\s*[({]")


def _operations() -> dict[str, str]:
    return dict(EXPORT.findall((STATIC / "operations.js").read_text(encoding="utf-8")))


def test_every_operation_is_one_named_operation_exported_under_its_name() -> None:
    operations = _operations()
    assert len(operations) >= 12
    for name, text in operations.items():
        definitions = parse(text).definitions
        assert len(definitions) == 1, name
        operation = definitions[0]
        assert isinstance(operation, OperationDefinitionNode) and operation.name is not None, name
        assert operation.name.value == name


def test_queries_and_mutations_are_valid_against_the_schema() -> None:
    for name, text in _operations().items():
        document = parse(text)
        assert validate(graphql_schema(schema), document) == [], name


def test_no_operation_text_outside_operations_js() -> None:
    for path in STATIC.glob("*.js"):
        if path.name != "operations.js":
            text = path.read_text(encoding="utf-8")
            assert "/* GraphQL */" not in text and not OPERATION_TEXT.search(text), path.name
