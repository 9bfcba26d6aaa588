"""Parsed documents made small enough to keep: the caches of this package hold one tree per text.

graphql-core's parser gives each node a Location that points at its first and last token, and the
tokens form one linked list of the whole text: a tree kept in a cache keeps every token too, about
half the memory of a small document's tree.  Nothing after parsing reads the tokens: an error's
line and column come from the location's offset and source.  So a tree about to be kept has its
locations' tokens replaced by one shared placeholder, and its offsets, source and nodes kept.
"""

from __future__ import annotations

from graphql import DocumentNode, Node
from graphql.language import Token, TokenKind

PLACEHOLDER = Token(TokenKind.SOF, 0, 0, 0, 0)  # no text, no neighbours: frees the token list


def without_tokens(document: DocumentNode) -> DocumentNode:
    """`document`, changed in place to keep no token, and returned."""
    stack: list[Node] = [document]
    while stack:
        node = stack.pop()
        loc = node.loc
        if loc is not None and loc.start_token is not PLACEHOLDER:
            loc.start_token = loc.end_token = PLACEHOLDER
        for key in node.keys:
            value = getattr(node, key, None)
            if isinstance(value, Node):
                stack.append(value)
            elif isinstance(value, tuple | list):
                stack.extend(item for item in value if isinstance(item, Node))
    return document
