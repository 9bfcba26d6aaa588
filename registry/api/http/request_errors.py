"""Typed answers to a client's mistakes in a GraphQL request (found before anything runs).

graphql-core reports them as untyped errors; the schema's `process_errors` passes each one
here, and it comes back with a code (see the README's error table):

- the document does not parse: `GRAPHQL_PARSE_FAILED`;
- a value in an argument, literal or in a variable, does not fit its type (an impossible
  date, an Int over 2^31, an unknown enum value or input field): `INVALID` (`REQUIRED` for a
  missing one), with the argument's path as `field`, e.g. `input.date`;
- any other rule of the document (unknown field, depth, aliases): `GRAPHQL_VALIDATION_FAILED`;
- which operation to run is unclear: `BAD_REQUEST` on `operationName`.

Suggestions ("Did you mean …?") name fields and values of the schema: anonymous callers do
not get them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from graphql import (
    ArgumentNode,
    DocumentNode,
    GraphQLError,
    GraphQLSyntaxError,
    ListValueNode,
    Node,
    ObjectValueNode,
    OperationDefinitionNode,
    StringValueNode,
    ValueNode,
    VariableDefinitionNode,
    VariableNode,
    visit,
)
from graphql.language import Visitor
from graphql.validation import ValidationRule
from strawberry.exceptions import StrawberryInputCoercionError
from strawberry.extensions import SchemaExtension

from registry.domain.errors import ErrorCode

# Errors of these codes, without a `path`, mean the request was refused before it ran (HTTP 400).
REQUEST_CODES = frozenset(
    {
        ErrorCode.GRAPHQL_PARSE_FAILED.value,
        ErrorCode.GRAPHQL_VALIDATION_FAILED.value,
        ErrorCode.BAD_REQUEST.value,
        ErrorCode.INVALID.value,
        ErrorCode.REQUIRED.value,
    }
)
_SUGGESTION = re.compile(r"\s*Did you mean [^?]*\?")
_VARIABLE = re.compile(r"^Variable '\$(?P<name>\w+)' (?P<rest>.*)$", re.DOTALL)
_COERCION = re.compile(r"^Variable '\$\w+' (has invalid|of (required|non-null) type)")  # not a validation rule's
_AT = re.compile(r"^has invalid value(?: at (?P<path>[^:]*))?: ")
_QUOTED = re.compile(r'^Value cannot represent an? \w+: "(?P<value>.*)"\.')
_MISSING_FIELD = re.compile(r"^Field '\w+\.(?P<name>\w+)' of required type '[^']*' was not provided\.")


def without_suggestions(message: str) -> str:
    return _SUGGESTION.sub("", message)


def typed(error: GraphQLError, document: DocumentNode | None, anonymous: bool) -> GraphQLError | None:
    """The client's mistake as a typed error, or None when `error` is not one (a resolver's, a fault)."""
    if error.path is not None:
        return None  # raised while running: the resolver's own error, or a fault
    if error.original_error is None and (error.extensions or {}).get("code"):
        return error  # already typed by one of our own checks before execution (e.g. api/cost.py)
    original = error.original_error
    message = without_suggestions(error.message) if anonymous else error.message
    node = error.nodes[0] if error.nodes else None
    if isinstance(error, GraphQLSyntaxError) or document is None:
        if isinstance(original, RecursionError):
            message = "The document is nested too deeply."
        elif original is not None and not isinstance(original, GraphQLError):
            return None
        return _with(error, message, ErrorCode.GRAPHQL_PARSE_FAILED)
    if isinstance(original, _OperationUnclear):
        return _with(error, message, ErrorCode.BAD_REQUEST, "operationName")
    if isinstance(node, VariableDefinitionNode) and _COERCION.match(error.message):
        return _variable(error, message, document)
    if isinstance(error, StrawberryInputCoercionError) and not error.nodes:
        return _literal(error, message, document)
    if original is not None and not isinstance(original, GraphQLError):
        return None
    if message.startswith("Variable values are nested too deeply"):
        return _with(error, message, ErrorCode.INVALID, "variables")
    if node is not None and len(error.nodes or ()) == 1:
        path = argument_paths(document).get(id(node))
        if path is not None:  # a literal value in an argument that does not fit its type
            missing = _MISSING_FIELD.match(error.message)
            if missing:
                return _with(error, message, ErrorCode.REQUIRED, f"{path}.{missing['name']}")
            return _with(error, message, ErrorCode.INVALID, path)
    return _with(error, message, ErrorCode.GRAPHQL_VALIDATION_FAILED)


def _variable(error: GraphQLError, message: str, document: DocumentNode) -> GraphQLError:
    """A variable's value that does not coerce: the path of the argument it was given to."""
    found = _VARIABLE.match(error.message)
    if found is None:
        return _with(error, message, ErrorCode.INVALID, "variables")
    name, rest = found["name"], found["rest"]
    at = _AT.match(rest)
    inner = (at["path"] or "") if at else ""
    field = variable_uses(document).get(name, name) + inner  # inner: ".date", "[0].slug" or ""
    missing = ("was not provided.", "to be provided.", "must not be null", "not to be None.")
    code = ErrorCode.REQUIRED if rest.endswith(missing) or missing[2] in rest else ErrorCode.INVALID
    return _with(error, message, code, field)


def _literal(error: GraphQLError, message: str, document: DocumentNode) -> GraphQLError:
    """A literal a scalar refused (e.g. the date "2020-02-30"): graphql-core reports it without its
    node, so the argument is found by the value the message quotes."""
    quoted = _QUOTED.search(error.message)
    if quoted is not None:
        for node, path in _arguments(document).leaves:
            if isinstance(node, StringValueNode) and node.value == quoted["value"]:
                return _with(GraphQLError(message, node), message, ErrorCode.INVALID, path)
    return _with(error, message, ErrorCode.INVALID)


def _with(error: GraphQLError, message: str, code: ErrorCode, field: str | None = None) -> GraphQLError:
    extensions: dict[str, Any] = {"code": code.value}
    if field:
        extensions["field"] = field
    return GraphQLError(message, error.nodes, error.source, error.positions, None, None, extensions)


def _values(value: ValueNode, path: str) -> Iterator[tuple[Node, str]]:
    yield value, path
    if isinstance(value, ObjectValueNode):
        for item in value.fields:
            inner = f"{path}.{item.name.value}"
            yield item, inner
            yield from _values(item.value, inner)
    elif isinstance(value, ListValueNode):
        for index, element in enumerate(value.values):
            yield from _values(element, f"{path}[{index}]")


class _Arguments(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.paths: dict[int, str] = {}  # id of a value node (or input field) -> its argument's path
        self.uses: dict[str, str] = {}  # variable name -> the argument path of its first use
        self.leaves: list[tuple[Node, str]] = []

    def enter_argument(self, node: ArgumentNode, *_: Any) -> None:
        for value, path in _values(node.value, node.name.value):
            self.paths[id(value)] = path
            self.leaves.append((value, path))
            if isinstance(value, VariableNode):
                self.uses.setdefault(value.name.value, path)


def _arguments(document: DocumentNode) -> _Arguments:
    found = _Arguments()
    visit(document, found)
    return found


def argument_paths(document: DocumentNode) -> dict[int, str]:
    return _arguments(document).paths


def variable_uses(document: DocumentNode) -> dict[str, str]:
    return _arguments(document).uses


class _OperationUnclear(Exception):
    """Several operations and no (or an unknown) operationName: nothing may run."""


class OneOperation(SchemaExtension):
    """Refuses a document of several operations sent without `operationName` (graphql-core would
    otherwise run the first one, mutations included)."""

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        # strawberry's `operation_name` falls back to the first operation's: read what the client sent
        if document is not None and getattr(context, "_provided_operation_name", None) is None:
            count = sum(isinstance(d, OperationDefinitionNode) for d in document.definitions)
            if count > 1:
                problem = _OperationUnclear()
                context.pre_execution_errors = [
                    GraphQLError(
                        f"The document holds {count} operations: name the one to run in `operationName`.",
                        original_error=problem,
                    )
                ]
        yield


class NoNul(ValidationRule):
    """A string literal may not hold U+0000 (written `\\u0000` in the document): see holds_nul."""

    def enter_string_value(self, node: StringValueNode, *_: Any) -> None:
        if "\x00" in node.value:
            self.report_error(GraphQLError("Strings may not hold the NUL character (U+0000).", node))


def holds_nul(*values: Any) -> bool:
    """True when a string in these JSON values holds U+0000, which PostgreSQL cannot take in text
    (every store refuses it alike, before anything runs)."""
    stack = list(values)
    while stack:  # not recursive: variables may be nested up to orjson's 1,024 levels
        value = stack.pop()
        if isinstance(value, str):
            if "\x00" in value:
                return True
        elif isinstance(value, dict):
            stack.extend(value.keys())
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return False


def is_request_error(formatted: dict[str, Any]) -> bool:
    """True for an error of the request itself (nothing ran), as `typed` answers it."""
    return "path" not in formatted and (formatted.get("extensions") or {}).get("code") in REQUEST_CODES
