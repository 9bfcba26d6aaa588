"""Every use of strawberry's private API, in one place.

The lean executor (executor.py) runs the schema's resolvers without strawberry's executor, and
the cost limit (cost.py) reads the graphql-core schema under strawberry's.  What they need of
strawberry beyond its public API is here, so an upgrade of strawberry breaks one module, and
what the lean path skips of strawberry's machinery (field extensions, permission classes,
resolver middleware) is decided here too: such fields are never run around it.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any

import strawberry
from graphql import GraphQLField, GraphQLSchema
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema_converter import get_arguments
from strawberry.types.field import StrawberryField

_DEFINITION = "strawberry-definition"  # where strawberry keeps its field on a graphql-core field


def graphql_schema(schema: strawberry.Schema) -> GraphQLSchema:
    """The graphql-core schema strawberry built."""
    return schema._schema


def strawberry_field(definition: GraphQLField) -> StrawberryField | None:
    """Strawberry's field behind a graphql-core field; None for introspection and fields it does not own."""
    found = definition.extensions.get(_DEFINITION)
    return found if isinstance(found, StrawberryField) else None


def guarded(field: StrawberryField) -> bool:
    """Whether strawberry runs something around the field's resolver (a field extension, a
    permission class): the lean path, which calls the resolver directly, would skip it."""
    return bool(field.extensions or field.permission_classes)


_WRAPS: weakref.WeakKeyDictionary[strawberry.Schema, bool] = weakref.WeakKeyDictionary()


def wraps_resolvers(schema: strawberry.Schema) -> bool:
    """Whether a schema extension wraps every resolver (its `resolve` hook), which the lean path
    would skip; worked out once per schema (it builds the extensions)."""
    found = _WRAPS.get(schema)
    if found is None:
        extensions = schema.get_extensions()
        found = _WRAPS[schema] = any(type(e).resolve is not SchemaExtension.resolve for e in extensions)
    return found


def arguments(
    schema: strawberry.Schema, field: StrawberryField, raw: dict[str, Any], source: object, info: object
) -> tuple[list[Any], dict[str, Any]]:
    """The resolver's positional and keyword arguments from graphql-core's argument values, as
    strawberry converts them (input types, enums, scalars), with `source` for the parent object."""
    return get_arguments(
        field=field,
        source=source,
        info=info,  # type: ignore[arg-type]
        kwargs=raw,
        config=schema.config,
        scalar_registry=schema.schema_converter.scalar_registry,
    )


def is_attribute(field: StrawberryField) -> bool:
    """Whether the field is a plain attribute of its object (no resolver)."""
    return field.base_resolver is None


def resolver_function(field: StrawberryField) -> Callable[..., Any] | None:
    """The function a field's resolver runs, without strawberry's wrapper; None for an attribute
    or a class or static method, which the lean path leaves to strawberry."""
    resolver = field.base_resolver
    function = None if resolver is None else resolver.wrapped_func
    return None if isinstance(function, classmethod | staticmethod) else function


def info_name(field: StrawberryField) -> str | None:
    """The name of the resolver's `info` parameter, if it takes one."""
    resolver = field.base_resolver
    parameter = None if resolver is None else resolver.info_parameter
    return None if parameter is None else parameter.name


def is_async(field: StrawberryField) -> bool:
    return field.base_resolver is not None and field.base_resolver.is_async


def type_name(value: object) -> str | None:
    """The GraphQL type name of a strawberry object."""
    definition = getattr(type(value), "__strawberry_definition__", None)
    return None if definition is None else str(definition.name)
