"""A lean executor for read-only operations that the full executor has already validated.

graphql-core's executor, with strawberry's wrapper around every resolver, spends tens of
milliseconds of CPU on a 20-item page with nested lists: it builds an `Info`, converts the
arguments and awaits a task for every field of every item.  This executor runs the same
resolvers of the same schema, breadth-first: arguments are converted once per field of the
document, plain fields are read directly, and every field that follows links
(`api/relations.py`) is fetched for the whole level of the answer at once.

It only takes the happy path.  Anything it does not handle (mutations, introspection, a
field strawberry wraps in extensions or permission classes, a resolver that answers an error,
a null where the schema forbids one) raises Unsupported with a Reason, and the caller then
runs the full executor, which answers — errors included — exactly as it always did.  Any
other exception is a bug of this module: the caller logs it and counts it (api/http).  The
answers of both are compared on a corpus of documents in tests/api/test_lean_reads.py.
What it needs of strawberry's private API is in strawberry_adapter.py.
"""

from __future__ import annotations

import asyncio
import enum
import functools
import operator
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import strawberry
from graphql import (
    DocumentNode,
    FragmentDefinitionNode,
    GraphQLError,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    Undefined,
    get_named_type,
    is_abstract_type,
    is_leaf_type,
    parse,
)
from graphql.execution.collect_fields import FieldDetails, FragmentDetails, collect_fields, collect_subfields
from graphql.execution.values import VariableValues, get_argument_values, get_variable_values
from graphql.utilities import get_operation_ast

from registry.api.execution import strawberry_adapter as adapter
from registry.api.execution.context import EXPANSIONS, Context
from registry.api.graphql.pagination import window
from registry.api.graphql.relations import RELATIONS, Relation, page_of
from registry.api.graphql.schema import schema as registry_schema
from registry.api.graphql.types import TYPES, wrap
from registry.domain.errors import ErrorCode, RegistryError
from registry.domain.records import Ref
from registry.store import budget
from registry.store.expansion import NOTHING
from registry.store.port import Expansion, Linked, LinkGroup

_SOURCE = object()  # stands for the parent object in arguments converted once per field
RECORD_TYPES = frozenset(t.__name__ for t in TYPES.values())


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


@dataclass(frozen=True)
class _Info:
    """What the schema's resolvers read of `info`: the request's context (see context_of)."""

    context: Context


Complete = Callable[[Any], Any]


def _same(value: Any) -> Any:
    return value


@dataclass
class _Field:
    key: str  # the response key (alias or name)
    details: list[FieldDetails]
    read: Callable[[Any], Any] = _same  # the field's value on its parent object
    complete: Complete = _same  # that value as it goes into the answer
    deferred: bool = False  # read when the whole level is fetched (linked records, async resolvers)
    relation: Relation | None = None
    window: tuple[int, int] = (0, 0)
    group: LinkGroup | None = None  # a linked field's group in the store, without refs
    return_type: GraphQLOutputType | None = None
    expansions: tuple[Expansion, ...] = ()  # a root field's linked records, read along with its own


@dataclass
class _Slot:
    """A field whose value needs the store: filled in once the whole level is fetched."""

    out: dict[str, Any]
    field: _Field
    source: Any


class ValidatedDocuments:
    """The documents the full executor parsed and validated, most recently used first.

    Validation (depth, aliases, tokens and the spec's rules) does not depend on the
    variables, so a document that passed once passes again.
    """

    MAX_ENTRIES = 512
    MAX_LENGTH = 20_000  # longer documents are rare and would make the cache large

    def __init__(self) -> None:
        self._documents: OrderedDict[str, DocumentNode] = OrderedDict()

    def get(self, query: str) -> DocumentNode | None:
        document = self._documents.get(query)
        if document is not None:
            self._documents.move_to_end(query)
        return document

    def add(self, query: str) -> None:
        if len(query) > self.MAX_LENGTH or query in self._documents:
            return
        self._documents[query] = parse(query)
        while len(self._documents) > self.MAX_ENTRIES:
            self._documents.popitem(last=False)


async def execute_read(
    document: DocumentNode,
    operation_name: str | None,
    variables: dict[str, Any] | None,
    context: Context,
    schema: strawberry.Schema = registry_schema,
) -> dict[str, Any]:
    """The `data` of a query operation of a validated document.

    Raises Unsupported when the full executor must answer, budget.TimedOut when the request is
    out of time (answered as the full executor's would be), and anything else on a bug."""
    operation = get_operation_ast(document, operation_name)
    if operation is None or operation.operation is not OperationType.QUERY:
        raise Unsupported(Reason.NOT_A_QUERY)
    if adapter.wraps_resolvers(schema):
        raise Unsupported(Reason.GUARDED_FIELD, "a schema extension wraps every resolver")
    gql = adapter.graphql_schema(schema)
    coerced = get_variable_values(gql, operation.variable_definitions or (), variables or {})
    if not isinstance(coerced, VariableValues):
        raise Unsupported(Reason.VARIABLES)
    try:
        return await _Run(schema, gql, document, operation, coerced, context).data()
    except RegistryError as error:  # the full executor answers it in its errors, with partial data
        if error.code is ErrorCode.TIMEOUT:
            raise budget.TimedOut() from error  # the whole request's answer, whichever executor
        raise Unsupported(Reason.ERROR_ANSWER, error.code.value) from error
    except GraphQLError as error:  # an argument that does not coerce, as the full executor reports
        raise Unsupported(Reason.ERROR_ANSWER, error.message) from error


class _Run:
    def __init__(
        self,
        schema: strawberry.Schema,
        gql: GraphQLSchema,
        document: DocumentNode,
        operation: OperationDefinitionNode,
        variables: VariableValues,
        context: Context,
    ) -> None:
        self.schema = schema
        self.gql = gql
        self.operation = operation
        self.variables = variables
        self.context = context
        self.info = _Info(context)
        self.fragments = {
            d.name.value: FragmentDetails(d) for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        self.plans: dict[tuple[str, tuple[int, ...]], list[_Field]] = {}
        self.pending: list[_Slot] = []

    async def data(self) -> dict[str, Any]:
        root = self.gql.query_type
        if root is None:
            raise Unsupported(Reason.NOT_A_QUERY, "no query type")
        collected = collect_fields(self.gql, self.fragments, self.variables, root, self.operation)
        fields = [self._plan(root, key, details) for key, details in collected.grouped_field_set.items()]
        for f in fields:  # what each root field's records link to is read in the same round trip
            if f.return_type is not None:
                f.expansions = self._expansions(f.return_type, f.details)
        out = self._fill(None, fields)
        while self.pending:
            slots, self.pending = self.pending, []
            await self._resolve(slots)
        return out

    # -- planning: once per field of the document -----------------------------------------
    def _fields(self, parent: GraphQLObjectType, details: list[FieldDetails]) -> list[_Field]:
        cache_key = (parent.name, tuple(id(d.node) for d in details))
        plan = self.plans.get(cache_key)
        if plan is None:
            collected = collect_subfields(self.gql, self.fragments, self.variables, self.operation, parent, details)
            plan = [self._plan(parent, key, sub) for key, sub in collected.grouped_field_set.items()]
            self.plans[cache_key] = plan
        return plan

    def _plan(self, parent: GraphQLObjectType, key: str, details: list[FieldDetails]) -> _Field:
        name = details[0].node.name.value
        if name == "__typename":
            return _Field(key, details, read=lambda _source: parent.name, complete=_same)
        definition = parent.fields.get(name)
        strawberry_field = None if definition is None else adapter.strawberry_field(definition)
        if definition is None or strawberry_field is None:
            raise Unsupported(Reason.INTROSPECTION, f"{parent.name}.{name}")  # or a field strawberry does not own
        if adapter.guarded(strawberry_field):  # never run a field around its extensions or permissions
            raise Unsupported(Reason.GUARDED_FIELD, f"{parent.name}.{name}")
        plan = _Field(key, details, complete=self._completer(definition.type, details), return_type=definition.type)
        if adapter.is_attribute(strawberry_field):
            plan.read = operator.attrgetter(strawberry_field.python_name)
            return plan
        function = adapter.resolver_function(strawberry_field)
        if function is None:
            raise Unsupported(Reason.UNUSUAL_ARGUMENTS, f"{parent.name}.{name}")
        raw = get_argument_values(definition, details[0].node, self.variables)
        args, kwargs = adapter.arguments(self.schema, strawberry_field, raw, _SOURCE, self.info)
        if args not in ([], [_SOURCE]) or any(value is _SOURCE for value in kwargs.values()):
            raise Unsupported(Reason.UNUSUAL_ARGUMENTS, f"{parent.name}.{name}")
        plan.read = functools.partial(function, **kwargs) if args else lambda _source: function(**kwargs)
        plan.relation = RELATIONS.get((parent.name, strawberry_field.python_name))
        plan.deferred = plan.relation is not None or adapter.is_async(strawberry_field)
        if plan.relation is not None:
            relation, to_one = plan.relation, plan.relation.to_one
            plan.window = window(1 if to_one else kwargs.get("first"), None if to_one else kwargs.get("after"))
            offset, limit = plan.window  # the group asks for as many as the window's end
            # At least one: a store answers the total along with the records, and a ref none of whose
            # records is read would count none (first: 0 asks for the total alone).
            plan.group = LinkGroup((), relation.direction, relation.rel, relation.kind, max(offset + limit, 1))
        return plan

    def _expansions(self, type_: GraphQLOutputType, details: list[FieldDetails]) -> tuple[Expansion, ...]:
        """The linked records a selection will ask for, from records of `type_` or through the
        connections and edges that lead to them (abstract types are left to level-by-level reads)."""
        named = get_named_type(type_)
        if not isinstance(named, GraphQLObjectType):
            return ()
        found: list[Expansion] = []
        for f in self._fields(named, details):
            if f.return_type is None:
                continue
            below = self._expansions(f.return_type, f.details)
            if f.group is not None:
                found.append(Expansion(f.group.direction, f.group.rel, f.group.kind, f.group.first, below))
            elif named.name not in RECORD_TYPES:  # a connection, an edge: on to the records
                found.extend(below)
        return tuple(dict.fromkeys(found))  # edges { node } and nodes may ask the same

    def _completer(self, type_: GraphQLOutputType, details: list[FieldDetails]) -> Complete:
        """How a value of this type becomes its answer, decided once per field of the document."""
        if isinstance(type_, GraphQLNonNull):
            inner = self._completer(type_.of_type, details)

            def non_null(value: Any) -> Any:
                completed = inner(value)
                if completed is None:
                    raise Unsupported(Reason.NULL_IN_NON_NULL)  # the full executor reports it
                return completed

            return non_null
        if isinstance(type_, GraphQLList):
            item = self._completer(type_.of_type, details)
            return lambda value: None if value is None else [item(v) for v in value]
        if is_leaf_type(type_):
            serialize = type_.serialize

            def leaf(value: Any) -> Any:
                if value is None:
                    return None
                serialized = serialize(value)
                if serialized is Undefined:
                    raise Unsupported(Reason.UNSERIALISABLE)
                return serialized

            return leaf
        if is_abstract_type(type_):

            def abstract(value: Any) -> Any:
                if value is None:
                    return None
                return self._fill(value, self._fields(self._runtime_type(value, type_), details))

            return abstract
        if not isinstance(type_, GraphQLObjectType):
            raise Unsupported(Reason.INTROSPECTION, "not an output type")
        object_type, planned = type_, list[list[_Field]]()  # the subfields, planned at the first object met

        def an_object(value: Any) -> Any:
            if value is None:
                return None
            if not planned:
                planned.append(self._fields(object_type, details))
            return self._fill(value, planned[0])

        return an_object

    # -- filling: once per object of the answer ----------------------------------------------
    def _fill(self, source: Any, fields: list[_Field]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in fields:
            if f.deferred:
                out[f.key] = None  # keeps the key's place; filled when the level is fetched
                self.pending.append(_Slot(out, f, source))
            else:
                out[f.key] = f.complete(f.read(source))
        return out

    def _runtime_type(self, value: Any, abstract: Any) -> GraphQLObjectType:
        name = adapter.type_name(value)
        runtime = None if name is None else self.gql.get_type(name)
        if not isinstance(runtime, GraphQLObjectType) or not self.gql.is_sub_type(abstract, runtime):
            raise Unsupported(Reason.ABSTRACT_TYPE)
        return runtime

    # -- fetching: once per level of the answer ----------------------------------------------
    async def _resolve(self, slots: list[_Slot]) -> None:
        prefetched = self.context.prefetched
        linked = [s for s in slots if s.field.relation is not None]
        called = [s for s in slots if s.field.relation is None]
        groups: dict[LinkGroup, dict[Ref, None]] = {}  # each group's refs not read yet, as an ordered set
        for slot in linked:
            group, ref = slot.field.group, slot.source.record.ref
            assert group is not None
            if ref not in prefetched.get(group, {}):
                groups.setdefault(group, {})[ref] = None
        wanted = [replace(group, refs=tuple(refs)) for group, refs in groups.items()]
        tasks = []
        for slot in called:  # each root field's task sees its own expansions (a task copies the context)
            token = EXPANSIONS.set(slot.field.expansions)
            try:
                tasks.append(asyncio.ensure_future(self._call(slot)))
            finally:
                EXPANSIONS.reset(token)
        store, visibility = self.context.store, self.context.visibility
        answers, *results = await asyncio.gather(
            self.context.call(store.linked, wanted, visibility) if wanted else _nothing(), *tasks
        )
        for group, found in zip(groups, answers, strict=True):
            mine = prefetched.setdefault(group, {})
            mine.update((ref, found.get(ref, NOTHING)) for ref in groups[group])
        for slot in linked:
            relation, group = slot.field.relation, slot.field.group
            assert relation is not None and group is not None
            offset, limit = slot.field.window
            value: Any = page_of(prefetched[group][slot.source.record.ref], offset, limit, wrap)
            if relation.to_one:
                value = value.edges[0].node if value.edges else None
            slot.out[slot.field.key] = slot.field.complete(value)
        for slot, result in zip(called, results, strict=True):
            slot.out[slot.field.key] = slot.field.complete(result)

    async def _call(self, slot: _Slot) -> Any:
        return await slot.field.read(slot.source)


async def _nothing() -> list[dict[Ref, Linked]]:
    return []
