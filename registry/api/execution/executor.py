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
What it needs of strawberry's private API is in strawberry_adapter.py; its plan of a document,
shared by the requests that send the same one, is in plan.py.
"""

from __future__ import annotations

import asyncio
import functools
from collections import OrderedDict
from dataclasses import dataclass, replace
from typing import Any

import strawberry
from graphql import (
    DocumentNode,
    GraphQLError,
    GraphQLObjectType,
    GraphQLOutputType,
    OperationType,
    get_named_type,
    parse,
)
from graphql.execution.collect_fields import FieldDetails
from graphql.execution.values import VariableValues, get_variable_values
from graphql.utilities import get_operation_ast

from registry.api.execution import strawberry_adapter as adapter
from registry.api.execution.context import EXPANSIONS, Context
from registry.api.execution.cost import COSTS
from registry.api.execution.declined import Reason, Unsupported
from registry.api.execution.kept import without_tokens
from registry.api.execution.plan import Field, Plan, Plans
from registry.api.graphql.relations import page_of
from registry.api.graphql.schema import schema as registry_schema
from registry.api.graphql.types import TYPES, wrap
from registry.domain.errors import ErrorCode, RegistryError
from registry.domain.records import Ref
from registry.store import budget
from registry.store.expansion import NOTHING
from registry.store.port import Expansion, Linked, LinkGroup

__all__ = ["Reason", "Unsupported", "ValidatedDocuments", "execute_read"]

RECORD_TYPES = frozenset(t.__name__ for t in TYPES.values())
PLANS = Plans()  # shared by the requests of this process


@dataclass(frozen=True)
class _Info:
    """What the schema's resolvers read of `info`: the request's context (see context_of)."""

    context: Context


@dataclass(frozen=True)
class _Bound:
    """A resolver field as this request calls it: its arguments, with the request's info."""

    read: Any
    window: tuple[int, int]
    group: LinkGroup | None


@dataclass
class _Slot:
    """A field whose value needs the store: filled in once the whole level is fetched."""

    out: dict[str, Any]
    field: Field
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
        # The tree the cost check keeps for this text, if any: one tree per text, not two.
        self._documents[query] = COSTS.document(query) or without_tokens(parse(query))
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
        plan = PLANS.get(schema, gql, document, operation, coerced)
        return await _Run(plan, coerced, context).data()
    except RegistryError as error:  # the full executor answers it in its errors, with partial data
        if error.code is ErrorCode.TIMEOUT:
            raise budget.TimedOut() from error  # the whole request's answer, whichever executor
        raise Unsupported(Reason.ERROR_ANSWER, error.code.value) from error
    except GraphQLError as error:  # an argument that does not coerce, as the full executor reports
        raise Unsupported(Reason.ERROR_ANSWER, error.message) from error


# Completing a level is plain Python on the event loop, and a list page's level (its records'
# linked lists) takes milliseconds: handing the loop back every few of them lets other requests'
# ready steps run in between, so a cheap request is not held behind a dear one's whole completion.
YIELD_EVERY = 8


class _Run:
    """One request's run of a plan: the fields bound to its variables and context, and the answer."""

    def __init__(self, plan: Plan, variables: VariableValues, context: Context) -> None:
        self.plan = plan
        self.variables = variables
        self.context = context
        self.info = _Info(context)
        self.bound: dict[int, _Bound] = {}  # id(field) -> how this request calls it
        self.pending: list[_Slot] = []
        self.root_expansions: dict[int, tuple[Expansion, ...]] = {}

    async def data(self) -> dict[str, Any]:
        self.root_expansions = {  # what each root field's records link to is read in the same round trip
            id(f): self._expansions(f.return_type, f.details) for f in self.plan.root if f.return_type is not None
        }
        out = self.fill(None, self.plan.root)
        while self.pending:
            slots, self.pending = self.pending, []
            await self._resolve(slots)
        return out

    def bind(self, f: Field) -> _Bound:
        """The field with this request's arguments and info, worked out once per request."""
        found = self.bound.get(id(f))
        if found is None:
            function = f.function
            assert function is not None
            takes_source, kwargs, window, group = f.takes_source, f.kwargs, f.window, f.group
            if f.dynamic:
                takes_source, kwargs = self.plan.arguments(f, self.variables)
                window, group = self.plan.linked(f, kwargs)
            if f.info_name is not None:
                kwargs = {**kwargs, f.info_name: self.info}
            read = functools.partial(function, **kwargs) if takes_source else _without_source(function, kwargs)
            found = self.bound[id(f)] = _Bound(read, window, group)
        return found

    def _expansions(self, type_: GraphQLOutputType, details: list[FieldDetails]) -> tuple[Expansion, ...]:
        """The linked records a selection will ask for, from records of `type_` or through the
        connections and edges that lead to them (abstract types are left to level-by-level reads)."""
        named = get_named_type(type_)
        if not isinstance(named, GraphQLObjectType):
            return ()
        found: list[Expansion] = []
        for f in self.plan.fields(named, details):
            if f.return_type is None:
                continue
            below = self._expansions(f.return_type, f.details)
            group = None if f.relation is None else self.bind(f).group
            if group is not None:
                found.append(Expansion(group.direction, group.rel, group.kind, group.first, below))
            elif named.name not in RECORD_TYPES:  # a connection, an edge: on to the records
                found.extend(below)
        return tuple(dict.fromkeys(found))  # edges { node } and nodes may ask the same

    # -- filling: once per object of the answer ----------------------------------------------
    def fill(self, source: Any, fields: list[Field]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in fields:
            if f.deferred:
                out[f.key] = None  # keeps the key's place; filled when the level is fetched
                self.pending.append(_Slot(out, f, source))
            elif f.function is None:
                out[f.key] = f.complete(f.read(source), self)
            else:
                out[f.key] = f.complete(self.bind(f).read(source), self)
        return out

    # -- fetching: once per level of the answer ----------------------------------------------
    async def _resolve(self, slots: list[_Slot]) -> None:
        prefetched = self.context.prefetched
        linked = [s for s in slots if s.field.relation is not None]
        called = [s for s in slots if s.field.relation is None]
        groups: dict[LinkGroup, dict[Ref, None]] = {}  # each group's refs not read yet, as an ordered set
        for slot in linked:
            group, ref = self.bind(slot.field).group, slot.source.record.ref
            assert group is not None
            if ref not in prefetched.get(group, {}):
                groups.setdefault(group, {})[ref] = None
        wanted = [replace(group, refs=tuple(refs)) for group, refs in groups.items()]
        tasks = []
        for slot in called:  # each root field's task sees its own expansions (a task copies the context)
            token = EXPANSIONS.set(self.root_expansions.get(id(slot.field), ()))
            try:
                tasks.append(asyncio.ensure_future(self._call(slot)))
            finally:
                EXPANSIONS.reset(token)
        store, visibility = self.context.store, self.context.visibility
        # Every call of the level ends before the request goes on: when one fails, gather's default
        # would leave the others running in their threads after the answer (and the store closed).
        outcomes: list[Any] = await asyncio.gather(
            self.context.call(store.linked, wanted, visibility) if wanted else _nothing(),
            *tasks,
            return_exceptions=True,
        )
        for outcome in outcomes:
            if isinstance(outcome, BaseException):
                raise outcome
        answers, *results = outcomes
        for group, found in zip(groups, answers, strict=True):
            mine = prefetched.setdefault(group, {})
            mine.update((ref, found.get(ref, NOTHING)) for ref in groups[group])
        for n, slot in enumerate(linked):
            if n % YIELD_EVERY == YIELD_EVERY - 1:
                await asyncio.sleep(0)  # the other requests' ready steps run here
            bound = self.bind(slot.field)
            relation, group = slot.field.relation, bound.group
            assert relation is not None and group is not None
            offset, limit = bound.window
            value: Any = page_of(prefetched[group][slot.source.record.ref], offset, limit, wrap)
            if relation.to_one:
                value = value.edges[0].node if value.edges else None
            slot.out[slot.field.key] = slot.field.complete(value, self)
        for slot, result in zip(called, results, strict=True):
            slot.out[slot.field.key] = slot.field.complete(result, self)

    async def _call(self, slot: _Slot) -> Any:
        return await self.bind(slot.field).read(slot.source)


def _without_source(function: Any, kwargs: dict[str, Any]) -> Any:
    return lambda _source: function(**kwargs)


async def _nothing() -> list[dict[Ref, Linked]]:
    return []
