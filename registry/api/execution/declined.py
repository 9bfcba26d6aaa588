"""Why the lean executor leaves a read to the full executor (executor.py, plan.py)."""

from __future__ import annotations

import enum


class Reason(enum.StrEnum):
    """Why a read is left to the full executor: a closed set, so the metric's labels stay bounded."""

    NOT_A_QUERY = "not_a_query"
    VARIABLES = "variables"  # they do not coerce: the full executor reports it
    INTROSPECTION = "introspection"  # or any field strawberry does not own
    GUARDED_FIELD = "guarded_field"  # field extensions, permission classes, resolver middleware
    UNUSUAL_ARGUMENTS = "unusual_arguments"  # a resolver taking its parent other than as `self`
    NULL_IN_NON_NULL = "null_in_non_null"
    UNSERIALISABLE = "unserialisable"  # a value the scalar does not serialise
    ABSTRACT_TYPE = "abstract_type"  # an object whose type cannot be told
    ERROR_ANSWER = "error_answer"  # a resolver raised an expected error: the full executor answers it
    UNEXPECTED = "unexpected"  # any other exception: a bug of the lean path (counted by the caller)


class Unsupported(Exception):
    """This read is left to the full executor, for a known reason."""

    def __init__(self, reason: Reason, detail: str = "") -> None:
        super().__init__(f"{reason.value}: {detail}" if detail else reason.value)
        self.reason = reason
        self.detail = detail
