"""Error codes and the one error type that services and stores raise."""

from __future__ import annotations

import enum


class ErrorCode(enum.StrEnum):
    INVALID = "INVALID"  # a field's value is not acceptable
    REQUIRED = "REQUIRED"  # a required field is missing
    NOT_FOUND = "NOT_FOUND"
    DUPLICATE = "DUPLICATE"  # a slug already taken
    CONFLICT = "CONFLICT"  # the version the client saw is stale
    UNAUTHENTICATED = "UNAUTHENTICATED"  # an unknown or revoked key
    FORBIDDEN = "FORBIDDEN"  # the role may not do this
    INVALID_STATE = "INVALID_STATE"  # e.g. publishing a draft that was never submitted
    STORE_UNAVAILABLE = "STORE_UNAVAILABLE"
    # A request refused before anything ran (HTTP 400), see api/request_errors.py:
    BAD_REQUEST = "BAD_REQUEST"  # not a GraphQL request we can read (body, media type, operationName)
    GRAPHQL_PARSE_FAILED = "GRAPHQL_PARSE_FAILED"  # the document does not parse
    GRAPHQL_VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"  # the document breaks a rule of the schema
    QUERY_TOO_COMPLEX = "QUERY_TOO_COMPLEX"  # the document's cost is over the limit (api/cost.py)
    TIMEOUT = "TIMEOUT"  # the request ran out of its time budget (registry/budget.py)
    RATE_LIMITED = "RATE_LIMITED"  # too many requests from this key or address (api/rate_limits.py)
    INTERNAL = "INTERNAL"


class RegistryError(Exception):
    """An expected failure: it reaches the client as `{code, field, message}`."""

    def __init__(self, code: ErrorCode, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field

    def __repr__(self) -> str:
        return f"RegistryError({self.code.value}, {self.message!r}, field={self.field!r})"


class StoreUnavailable(RegistryError):
    """The database cannot be reached; the service keeps running and retries."""

    def __init__(self, message: str = "The registry's store is unavailable; try again shortly.") -> None:
        super().__init__(ErrorCode.STORE_UNAVAILABLE, message)


class SchemaOutdated(RegistryError):
    """The database was made by an older release: `registry migrate` upgrades it."""

    def __init__(self, current: str | int, wanted: str | int) -> None:
        super().__init__(
            ErrorCode.STORE_UNAVAILABLE,
            f"The database's schema is at revision {current}; this registry needs revision {wanted}. "
            "Run `registry migrate --store URL` to upgrade it in place (back it up first).",
            "store",
        )


class SchemaTooNew(RegistryError):
    """The database was made by a newer release than this one."""

    def __init__(self, current: str | int) -> None:
        super().__init__(
            ErrorCode.STORE_UNAVAILABLE,
            f"The database's schema is at revision {current}, which this registry does not know: "
            "it was made by a newer release.",
            "store",
        )
