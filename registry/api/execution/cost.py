"""A static cost for a validated document, checked before anything reads the store.

The cost is the number of objects an answer may hold at most: every field that returns an
object counts once per parent, a list counts once per item, and a connection's items are
its page size (`first`, or the default page when absent) times its parents.  The
recommenders, `path` and `search` add EXPENSIVE each, for the work behind them.  Lists that
take no size (`sources`, `reasons`, a path's `nodes`, stats) count as a default page.  The
fields of every fragment of an abstract type are added up, so a search with three
`... on Kind` selections counts all three.

The cost of a document is a sum of terms (a weight times page sizes); page sizes given by
variables are looked up per request.  The terms are worked out once per document text and
kept (COSTS), for strawberry's executor and the lean one alike.

Both executors apply the limit through `enforce`, and both refusals end as one TooComplex
answered by api/http/limited.py: the lean path raises it, strawberry's (CostLimit, which
runs after validation) carries it in a GraphQLError that `TooComplex.of` turns back.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import strawberry
from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    is_leaf_type,
)
from graphql.utilities import get_operation_ast
from strawberry.extensions import SchemaExtension

from registry.api.execution import strawberry_adapter as adapter
from registry.api.execution.kept import without_tokens
from registry.api.graphql.pagination import DEFAULT_PAGE, MAX_PAGE
from registry.domain.errors import ErrorCode, RegistryError

EXPENSIVE = 100  # what a recommender, `path`, `search` or a list's `facets` adds on top of its objects
EXPENSIVE_FIELDS = frozenset({"partnerCities", "candidateExperiments", "path", "search", "facets"})
MAX_TERMS = 20_000  # a document whose fragments expand further is refused outright


@dataclass(frozen=True)
class Size:
    """A list's number of items: a literal, or a variable's value in each request."""

    literal: int | None = None
    variable: str | None = None
    counts_items: bool = False  # `ids: $ids`: the variable is a list, its length counts

    def value(self, variables: dict[str, Any], defaults: dict[str, Any]) -> int:
        if self.literal is not None:
            return self.literal
        assert self.variable is not None
        given = variables.get(self.variable, defaults.get(self.variable))
        if self.counts_items:
            return min(len(given), MAX_PAGE) if isinstance(given, list) else MAX_PAGE
        if isinstance(given, int) and not isinstance(given, bool):
            return min(max(given, 0), MAX_PAGE)  # out of range, the resolver refuses it with INVALID
        return DEFAULT_PAGE  # null or absent: the default page


Term = tuple[int, tuple[Size, ...]]  # a weight times the product of page sizes


class TooComplex(RegistryError):
    def __init__(self, cost: float, limit: int) -> None:
        shown = "more than 10^9" if cost == math.inf else f"{int(cost):,}"
        super().__init__(
            ErrorCode.QUERY_TOO_COMPLEX,
            f"This query may return {shown} objects; the limit is {limit:,}. Ask for smaller pages or fewer nested lists.",
        )
        self.cost = cost
        self.limit = limit

    @property
    def extensions(self) -> dict[str, Any]:
        return {"code": self.code.value, "cost": None if self.cost == math.inf else int(self.cost), "limit": self.limit}

    def graphql_error(self) -> GraphQLError:
        """The refusal as strawberry's executor carries it (typed: its message is for the client)."""
        return GraphQLError(self.message, extensions=self.extensions)

    @classmethod
    def of(cls, error: GraphQLError) -> TooComplex | None:
        """The refusal a GraphQLError of `graphql_error` carries, if it is one."""
        extensions = error.extensions or {}
        if extensions.get("code") != ErrorCode.QUERY_TOO_COMPLEX.value:
            return None
        return cls(extensions.get("cost") or math.inf, int(extensions["limit"]))


class Plan:
    """The terms of each operation of one document, and its variables' default values."""

    def __init__(self, gql: GraphQLSchema, document: DocumentNode) -> None:
        self.fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
        self.gql = gql
        self.document = document
        self.operations: dict[str | None, tuple[list[Term], dict[str, Any]] | None] = {}

    def cost(self, operation_name: str | None, variables: dict[str, Any] | None) -> float:
        if operation_name not in self.operations:
            self.operations[operation_name] = self._terms(operation_name)
        planned = self.operations[operation_name]
        if planned is None:
            return math.inf
        terms, defaults = planned
        given = variables or {}
        return sum(weight * math.prod(s.value(given, defaults) for s in sizes) for weight, sizes in terms)

    def dear(self, operation_name: str | None) -> bool:
        """Whether the operation asks for one of EXPENSIVE_FIELDS (or expands past MAX_TERMS)."""
        if operation_name not in self.operations:
            self.operations[operation_name] = self._terms(operation_name)
        planned = self.operations[operation_name]
        return planned is None or any(weight == EXPENSIVE for weight, _ in planned[0])

    def _terms(self, operation_name: str | None) -> tuple[list[Term], dict[str, Any]] | None:
        operation = get_operation_ast(self.document, operation_name)
        root = None if operation is None else self.gql.get_root_type(operation.operation)
        if operation is None or root is None:
            return [], {}
        terms: list[Term] = []
        try:
            self._walk(operation.selection_set, root, (), None, terms)
        except _Overflow:
            return None
        return terms, _defaults(operation)

    def _walk(
        self,
        selections: SelectionSetNode,
        parent: GraphQLObjectType | GraphQLInterfaceType | Any,
        sizes: tuple[Size, ...],
        page: Size | None,  # inside a connection: the size of its `edges` and `nodes`
        terms: list[Term],
    ) -> None:
        for selection in selections.selections:
            if isinstance(selection, FragmentSpreadNode):
                fragment = self.fragments.get(selection.name.value)
                if fragment is not None:
                    self._walk(fragment.selection_set, self._type(fragment, parent), sizes, page, terms)
            elif isinstance(selection, InlineFragmentNode):
                self._walk(selection.selection_set, self._type(selection, parent), sizes, page, terms)
            elif isinstance(selection, FieldNode) and selection.selection_set is not None:
                self._field(selection, parent, sizes, page, terms)

    def _type(self, fragment: FragmentDefinitionNode | InlineFragmentNode, parent: Any) -> Any:
        condition = fragment.type_condition
        return parent if condition is None else self.gql.get_type(condition.name.value)

    def _field(
        self, node: FieldNode, parent: Any, sizes: tuple[Size, ...], page: Size | None, terms: list[Term]
    ) -> None:
        definition = getattr(parent, "fields", {}).get(node.name.value)
        if definition is None:  # introspection: bounded by the schema's size
            return
        type_: GraphQLOutputType = definition.type
        if isinstance(type_, GraphQLNonNull):
            type_ = type_.of_type
        named = get_named_type(type_)
        if is_leaf_type(named):
            return
        if len(terms) >= MAX_TERMS:
            raise _Overflow
        if node.name.value in EXPENSIVE_FIELDS:
            terms.append((EXPENSIVE, sizes))
        arguments = {a.name.value: a.value for a in node.arguments or ()}
        own = _size(arguments)
        if named.name.endswith("Connection"):
            terms.append((1, sizes))
            self._walk(node.selection_set, named, sizes, own or Size(DEFAULT_PAGE), terms)  # type: ignore[arg-type]
            return
        if isinstance(type_, GraphQLList):
            sizes = (*sizes, own or page or Size(DEFAULT_PAGE))
        terms.append((1, sizes))
        self._walk(node.selection_set, named, sizes, None, terms)  # type: ignore[arg-type]


class _Overflow(Exception):
    pass


def _size(arguments: dict[str, Any]) -> Size | None:
    """The number of items a field's own arguments ask for, if they say."""
    for name in ("first", "last"):
        value = arguments.get(name)
        if isinstance(value, IntValueNode):
            return Size(min(max(int(value.value), 0), MAX_PAGE))
        if isinstance(value, VariableNode):
            return Size(variable=value.name.value)
    ids = arguments.get("ids")
    if isinstance(ids, ListValueNode):
        return Size(min(len(ids.values), MAX_PAGE))
    if isinstance(ids, VariableNode):
        return Size(variable=ids.name.value, counts_items=True)
    return None


def _defaults(operation: OperationDefinitionNode) -> dict[str, Any]:
    """The variables' default values that bear on sizes (literal ints and lists)."""
    found: dict[str, Any] = {}
    for definition in operation.variable_definitions or ():
        value = definition.default_value
        if isinstance(value, IntValueNode):
            found[definition.variable.name.value] = int(value.value)
        elif isinstance(value, ListValueNode):
            found[definition.variable.name.value] = list(value.values)
    return found


class Plans:
    """The plans of the documents seen, by their text, most recently used first."""

    MAX_ENTRIES = 512

    def __init__(self) -> None:
        self._plans: OrderedDict[str, Plan] = OrderedDict()

    def plan(self, gql: GraphQLSchema, query: str, document: DocumentNode) -> Plan:
        found = self._plans.get(query)
        if found is None:
            found = self._plans[query] = Plan(gql, without_tokens(document))  # kept: made small
            while len(self._plans) > self.MAX_ENTRIES:
                self._plans.popitem(last=False)
        else:
            self._plans.move_to_end(query)
        return found

    def document(self, query: str) -> DocumentNode | None:
        """The tree kept for `query`'s plan, for the other caches to share."""
        found = self._plans.get(query)
        return None if found is None else found.document


COSTS = Plans()  # shared by the requests of this process
LIMIT: ContextVar[int | None] = ContextVar("max_query_cost", default=None)  # set per request by the HTTP layer


def enforce(
    schema: strawberry.Schema,
    query: str,
    document: DocumentNode,
    operation_name: str | None,
    variables: dict[str, Any] | None,
) -> None:
    """Raise TooComplex when the operation may cost more than the request's limit (LIMIT): the
    one check of both executors, after validation and before any store read."""
    limit = LIMIT.get()
    if limit is None:
        return
    gql = adapter.graphql_schema(schema)
    found = COSTS.plan(gql, query, document).cost(operation_name, variables)
    if found > limit:
        raise TooComplex(found, limit)


def dear(
    schema: strawberry.Schema,
    query: str,
    document: DocumentNode,
    operation_name: str | None,
    variables: dict[str, Any] | None,
    threshold: int,
) -> bool:
    """Whether a request is dear for admission (api/http/admission.py): it asks for a recommender,
    `path`, `search` or `facets`, whose work the object count does not show, or costs `threshold` or more."""
    plan = COSTS.plan(adapter.graphql_schema(schema), query, document)
    return plan.dear(operation_name) or plan.cost(operation_name, variables) >= threshold


class CostLimit(SchemaExtension):
    """`enforce` on strawberry's executor: after validation, before execution."""

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        if context.graphql_document is not None and context.query is not None:
            try:
                enforce(
                    context.schema, context.query, context.graphql_document, context.operation_name, context.variables
                )
            except TooComplex as error:
                raise error.graphql_error() from None
        yield
