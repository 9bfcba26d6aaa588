"""The full executor takes a document it validated before as it is: no parsing, no validation.

Validation (depth, aliases, tokens and the spec's rules) does not depend on the variables, so
a text that passed once passes again.  The lean executor already reads such texts from the
tree the HTTP layer keeps for them (executor.ValidatedDocuments); the full executor, which
answers every mutation, parsed and validated the same text again on each request: a third of
a hub's submission's Python CPU in a profile.  The HTTP layer hands the kept tree over through
KNOWN around the full executor's call; this extension gives it as the parsed document and
marks it valid.  A text not kept is parsed and validated as ever.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextvars import ContextVar

from graphql import DocumentNode
from strawberry.extensions import SchemaExtension

# (the text, the tree kept for it) of the request the full executor is answering, if kept
KNOWN: ContextVar[tuple[str, DocumentNode] | None] = ContextVar("known_document", default=None)


class KnownDocument(SchemaExtension):
    def on_parse(self) -> Iterator[None]:
        known = KNOWN.get()
        if known is not None and known[0] == self.execution_context.query:
            self.execution_context.graphql_document = known[1]  # strawberry then parses nothing
        yield

    def on_validate(self) -> Iterator[None]:
        known = KNOWN.get()
        if known is not None and self.execution_context.graphql_document is known[1]:
            self.execution_context.pre_execution_errors = []  # validated before: strawberry skips it
        yield
