"""The schema, its guards, and how errors reach clients."""

from __future__ import annotations

import logging
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import AddValidationRules, MaxAliasesLimiter, MaxTokensLimiter, QueryDepthLimiter
from strawberry.types import ExecutionContext

from registry.api.execution.cost import CostLimit
from registry.api.execution.known_documents import KnownDocument
from registry.api.graphql.mutations import Mutation
from registry.api.graphql.queries import Query
from registry.api.graphql.subscriptions import Subscription
from registry.api.graphql.types import TYPES
from registry.api.http.request_errors import NoNul, OneOperation, typed
from registry.domain.errors import ErrorCode, RegistryError

log = logging.getLogger("registry.api")

MAX_DEPTH = 12
MAX_ALIASES = 30
MAX_TOKENS = 3000


class RegistrySchema(strawberry.Schema):
    """Expected errors keep their code; anything else is masked behind a request id."""

    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
        context = getattr(execution_context, "context", None)
        request_id = getattr(context, "request_id", "-")
        principal = getattr(context, "principal", None)
        anonymous = principal is None or principal.key_id is None
        document = getattr(execution_context, "graphql_document", None)
        for index, error in enumerate(errors):
            mistake = typed(error, document, anonymous)
            if mistake is not None:  # the client's (syntax, validation, a value): its message is for them
                errors[index] = mistake
                continue
            original = error.original_error
            if isinstance(original, RegistryError):
                extensions: dict[str, Any] = {"code": original.code.value}
                if original.field:
                    extensions["field"] = original.field
                if original.params:  # what a client words its own message from (unknown filter values…)
                    extensions["params"] = original.params
                errors[index] = GraphQLError(
                    original.message, error.nodes, error.source, error.positions, error.path, None, extensions
                )
                continue
            log.error("request %s failed", request_id, exc_info=original)
            errors[index] = GraphQLError(
                f"Internal error; quote request id {request_id} when reporting it.",
                error.nodes,
                error.source,
                error.positions,
                error.path,
                None,
                {"code": ErrorCode.INTERNAL.value, "requestId": request_id},
            )


schema = RegistrySchema(
    query=Query,
    mutation=Mutation,
    subscription=Subscription,
    types=list(TYPES.values()),
    extensions=[
        KnownDocument,  # first: a text validated before skips parsing and the rules below
        lambda: QueryDepthLimiter(max_depth=MAX_DEPTH),
        lambda: MaxAliasesLimiter(max_alias_count=MAX_ALIASES),
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        OneOperation,
        lambda: AddValidationRules([NoNul]),
        CostLimit,  # after validation, before execution (api/cost.py)
    ],
)


def sdl() -> str:
    return schema.as_str() + "\n"
