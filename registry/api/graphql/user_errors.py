"""A mutation's expected failures as the payload's `errors`: every problem of the input, each
named by the path the client wrote (`input.yearEnd`, `input.territories[2]`,
`input.sources[0].title`), with a stable code and the params a client words it from.

The services name fields as records do (`year_end`, `sources.0.title`, a link by its
relation); the GraphQL names come from the kind's declaration (`registry.kinds`).
"""

from __future__ import annotations

from typing import cast

import strawberry
from strawberry.scalars import JSON as JSONScalar
from strawberry.utils.str_converters import to_camel_case

from registry.domain.errors import ErrorCode, Problems, RegistryError
from registry.domain.records import Kind, Ref, Rel
from registry.kinds import DECLARATIONS, KindDecl
from registry.services.editing import Change

ErrorCodeType = strawberry.enum(ErrorCode, name="ErrorCode")

INPUT = "input"  # the argument every create and update mutation takes its record in


@strawberry.type(description="An expected failure: what went wrong, on which input field, and why.")
class UserError:
    code: ErrorCodeType  # type: ignore[valid-type]
    field: str | None = strawberry.field(
        description="The input it is about, as the client wrote it: input.yearEnd, input.sources[0].title."
    )
    message: str = strawberry.field(description="In English; a client words its own from code and params.")
    fields: list[str] = strawberry.field(
        default_factory=list,
        description="Every input the problem concerns (a rule between two fields names both), `field` first.",
    )
    params: JSONScalar = strawberry.field(
        default_factory=dict,
        description="The rule broken (params.rule: required, too_long, range, one_of, format, type, order, "
        "unknown, inference) and its values, e.g. {rule: too_long, max: 300}.",
    )


def _graphql_names(decl: KindDecl) -> dict[str, str]:
    """Record field name -> the input field's GraphQL name, from the declaration."""
    names = {f.name: f.graphql_name or to_camel_case(f.python_name) for f in decl.fields if f.editable}
    names["slug"] = "slug"
    names["sources"] = "sources"
    return names


_NAMES: dict[Kind, dict[str, str]] = {kind: _graphql_names(decl) for kind, decl in DECLARATIONS.items()}
# The services name a link by its relation (in_domain); a kind may set one relation from two
# input fields (a workshop's participating actors and territories), told apart by target kind.
_LINK_FIELDS: dict[Kind, dict[tuple[str, str | None], str]] = {
    kind: {
        key: link.error_field
        for link in reversed(decl.link_inputs)
        for key in ((link.rel.value.lower(), None), (link.rel.value.lower(), link.target.value))
    }
    for kind, decl in DECLARATIONS.items()
}


def client_path(kind: Kind, field: str, params: dict[str, object], change: Change | None) -> str:
    """`field` (a record's name for it) as the client wrote it in its input."""
    if field.startswith(f"{INPUT}."):  # named by the API already
        return field
    head, *rest = field.split(".")
    if head in _NAMES[kind]:
        path = f"{INPUT}.{_NAMES[kind][head]}"
        if rest and rest[0].isdigit():  # sources.0.title -> input.sources[0].title
            path += f"[{rest[0]}]"
            rest = rest[1:]
        return ".".join([path, *(to_camel_case(part) for part in rest)])
    value, target = params.get("value"), params.get("kind")
    links = _LINK_FIELDS[kind]
    link_field = links.get((field, target if isinstance(target, str) else None)) or links.get((field, None))
    if link_field is not None:
        if change is not None and isinstance(value, str) and isinstance(target, str):
            found = change.origins.get((Rel(field.upper()), Ref(Kind(target), value)))
            if found is not None:
                return found
        return f"{INPUT}.{link_field}"
    return field  # an argument of the mutation itself: id, version, idempotencyKey, reason


def user_errors(error: RegistryError, kind: Kind | None = None, change: Change | None = None) -> list[UserError]:
    """Every problem `error` holds, named as the client wrote its input."""
    problems = error.problems if isinstance(error, Problems) else [error]
    out = []
    for problem in problems:
        named = [
            client_path(kind, name, problem.params, change) if kind is not None else name for name in problem.fields
        ]
        out.append(
            UserError(
                code=problem.code,
                field=named[0] if problem.field else None,
                message=problem.message,
                fields=named,
                params=cast(JSONScalar, dict(problem.params)),
            )
        )
    return out
