"""The documents a worker keeps between requests are kept once per text and without their tokens."""

from __future__ import annotations

import uuid

from graphql import FieldNode, GraphQLError, Node, OperationDefinitionNode, parse, print_ast

from registry.api.execution.cost import COSTS
from registry.api.execution.kept import PLACEHOLDER, without_tokens
from registry.api.http.graphql_over_http import VALIDATED
from tests.api.conftest import Api

DOCUMENT = """query Kept($first: Int = 2) {
  territories(first: $first) {
    nodes { slug name }
  }
}"""


def _nodes(node: Node) -> list[Node]:
    found = [node]
    for key in node.keys:
        value = getattr(node, key, None)
        children = value if isinstance(value, tuple | list) else [value]
        for child in children:
            if isinstance(child, Node):
                found.extend(_nodes(child))
    return found


def _slug_field(document: Node) -> FieldNode:
    return next(n for n in _nodes(document) if isinstance(n, FieldNode) and n.name.value == "slug")


def test_a_kept_document_prints_and_locates_errors_as_the_parsed_one() -> None:
    # Given a parsed document, and where an error at one of its fields is reported
    parsed = parse(DOCUMENT)
    text = print_ast(parsed)
    located = GraphQLError("boom", nodes=[_slug_field(parsed)]).formatted["locations"]
    assert located == [{"line": 3, "column": 13}]
    # When it is made small enough to keep
    kept = without_tokens(parsed)
    # Then it prints the same, an error at the same field has the same line and column,
    # and no node holds a token of the text any more (the token list can be freed)
    assert print_ast(kept) == text
    assert GraphQLError("boom", nodes=[_slug_field(kept)]).formatted["locations"] == located
    locations = [n.loc for n in _nodes(kept) if n.loc is not None]
    assert locations and all(loc.start_token is loc.end_token is PLACEHOLDER for loc in locations)
    operation = kept.definitions[0]
    assert isinstance(operation, OperationDefinitionNode) and operation.loc is not None
    assert (operation.loc.start, operation.loc.end) == (0, len(DOCUMENT))


def test_a_repeated_document_is_kept_once_for_both_executors(api: Api) -> None:
    # Given a document this worker has not seen
    document = DOCUMENT.replace("query Kept(", f"query Kept{uuid.uuid4().hex}(", 1)
    # When it is asked twice (the full executor, then the lean one)
    first, second = api.data(document), api.data(document)
    # Then both answers are the same, and the validated documents and the cost plans share one
    # tree for its text, kept without its tokens
    assert first == second and first["territories"]["nodes"]
    kept = VALIDATED.get(document)
    assert kept is not None and kept is COSTS.document(document)
    assert all(n.loc is None or n.loc.start_token is PLACEHOLDER for n in _nodes(kept))
