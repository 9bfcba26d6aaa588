"""Breaking changes between the released SDL (schema.released.graphql) and the current one.

graphql-core's find_breaking_changes lists every removal and type change; our policy lets a
field or enum value go only if the released SDL already marked it `@deprecated`, so clients
had a release to move off it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from graphql import (
    BreakingChangeType,
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    build_schema,
    find_breaking_changes,
    find_dangerous_changes,
)


@dataclass(frozen=True)
class Report:
    breaking: list[str]  # changes that fail the check
    allowed: list[str]  # removals of what the released SDL had deprecated
    dangerous: list[str]  # changes that may surprise a client (reported, not failed)


def _deprecated(released: GraphQLSchema) -> set[str]:
    """`Type.member` of every field, input field and enum value the released schema marks @deprecated."""
    found: set[str] = set()
    for name, kind in released.type_map.items():
        members: dict[str, Any] = {}
        if isinstance(kind, GraphQLObjectType | GraphQLInterfaceType | GraphQLInputObjectType):
            members = dict(kind.fields)
        elif isinstance(kind, GraphQLEnumType):
            members = dict(kind.values)
        found.update(f"{name}.{member}" for member, item in members.items() if item.deprecation_reason is not None)
    return found


REMOVED = re.compile(r"(\S+) was removed\.$")  # graphql-core's wording: "Field City.name was removed."
REMOVALS = (BreakingChangeType.FIELD_REMOVED, BreakingChangeType.VALUE_REMOVED_FROM_ENUM)


def compare(released_sdl: str, current_sdl: str) -> Report:
    released, current = build_schema(released_sdl), build_schema(current_sdl)
    deprecated = _deprecated(released)
    breaking: list[str] = []
    allowed: list[str] = []
    for change in find_breaking_changes(released, current):
        removed = REMOVED.search(change.description)
        if change.type in REMOVALS and removed is not None and removed.group(1) in deprecated:
            allowed.append(change.description)
        else:
            breaking.append(f"{change.type.name}: {change.description}")
    dangerous = [f"{c.type.name}: {c.description}" for c in find_dangerous_changes(released, current)]
    return Report(breaking, allowed, dangerous)
