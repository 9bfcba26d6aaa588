"""Error codes and the one error type that services and stores raise."""

from __future__ import annotations

import enum
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any


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
    OVERLOADED = "OVERLOADED"  # too many dear requests already wait their turn in this process (api/http/admission.py)
    INTERNAL = "INTERNAL"


class Rule(enum.StrEnum):
    """Which rule an input broke: `params.rule` of an error, stable, for clients that write
    the message in their own language from it and the other params."""

    REQUIRED = "required"  # nothing given where a value is needed
    TOO_LONG = "too_long"  # {max}: characters (or items)
    RANGE = "range"  # {min, max, value}
    ONE_OF = "one_of"  # {value, allowed}
    FORMAT = "format"  # {format: url, slug, country, language, date, text, id}
    TYPE = "type"  # {expected: string, integer, boolean, list, object}
    ORDER = "order"  # {start, end}: an end before its start (names both fields)
    UNKNOWN = "unknown"  # {value, kind}: no such record
    INFERENCE = "inference"  # a labelled inference that does not fit its field


# The codes of a problem of the input itself: these are collected, so that a client hears of
# every problem of one input at once (see Problems); any other failure stops at once.
INPUT_CODES = frozenset({ErrorCode.INVALID, ErrorCode.REQUIRED, ErrorCode.NOT_FOUND})


class RegistryError(Exception):
    """An expected failure: it reaches the client as `{code, field, message, params}`.

    `field` names the input it is about; `others` the other inputs a cross-field rule
    names (a start and an end); `params` the values a client needs to word it itself."""

    def __init__(
        self,
        code: ErrorCode,
        message: str,
        field: str | None = None,
        params: dict[str, Any] | None = None,
        others: Sequence[str] = (),
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
        self.params: dict[str, Any] = dict(params or {})
        self.others = tuple(others)

    @property
    def fields(self) -> tuple[str, ...]:
        return (self.field, *self.others) if self.field else self.others

    def __repr__(self) -> str:
        return f"RegistryError({self.code.value}, {self.message!r}, field={self.field!r})"


class Problems(RegistryError):
    """Every problem found in one input: a payload lists them all (the first one is this error's own)."""

    def __init__(self, problems: Sequence[RegistryError]) -> None:
        first = problems[0]
        super().__init__(first.code, first.message, first.field, first.params, first.others)
        self.problems = list(problems)


class Collector:
    """Gathers the problems of one input, to raise them together (`Problems`) once all are known."""

    def __init__(self, problems: Sequence[RegistryError] = ()) -> None:
        self.problems: list[RegistryError] = list(problems)

    def add(self, error: RegistryError) -> None:
        self.problems.append(error)

    @contextmanager
    def catch(self) -> Iterator[None]:
        """Run a check, keeping its input problems and letting any other failure through."""
        try:
            yield
        except Problems as found:
            self.problems.extend(found.problems)
        except RegistryError as error:
            if error.code not in INPUT_CODES:
                raise
            self.problems.append(error)

    def check(self) -> None:
        """Raise what was found, if anything."""
        if len(self.problems) == 1:
            raise self.problems[0]
        if self.problems:
            raise Problems(self.problems)


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
