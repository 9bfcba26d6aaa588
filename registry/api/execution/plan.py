"""The lean executor's plan of a document: what each field reads and how its value completes.

Planning (collecting subfields, finding each field's resolver, converting constant arguments,
deciding each type's completion) used to be redone by every request and cost about a third of
the lean path's CPU on a page with nested lists.  It depends on the document and the schema,
and on the variables only through

- `@skip`/`@include` directives that name a variable: such a document is planned per request;
- arguments that name a variable: those fields are marked `dynamic`, and each request converts
  their arguments itself (executor.py, `_Run.bound`).

So a plan is kept per document object (the HTTP layer's ValidatedDocuments hands out the same
object for the same text) and operation, in a bounded cache, and shared by the requests of the
process.  It is built and extended only on the event loop's thread, between awaits.
"""

from __future__ import annotations

import operator
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import strawberry
from graphql import (
    DirectiveNode,
    DocumentNode,
    FragmentDefinitionNode,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    Node,
    OperationDefinitionNode,
    Undefined,
    VariableNode,
    is_abstract_type,
    is_leaf_type,
)
from graphql.execution.collect_fields import FieldDetails, FragmentDetails, collect_fields, collect_subfields
from graphql.execution.values import VariableValues, get_argument_values

from registry.api.execution import strawberry_adapter as adapter
from registry.api.execution.declined import Reason, Unsupported
from registry.api.graphql.pagination import window
from registry.api.graphql.relations import RELATIONS, Relation
from registry.store.port import LinkGroup

if TYPE_CHECKING:
    from registry.api.execution.executor import _Run

SOURCE = object()  # stands for the parent object in arguments converted once per field

Complete = Callable[[Any, "_Run"], Any]


def _same(value: Any, _run: Any = None) -> Any:
    return value


@dataclass
class Field:
    key: str  # the response key (alias or name)
    details: list[FieldDetails]
    read: Callable[[Any], Any] = _same  # an attribute's (or __typename's) value on its parent object
    complete: Complete = _same  # that value as it goes into the answer
    function: Callable[..., Any] | None = None  # the resolver, called with `kwargs` (and info)
    kwargs: dict[str, Any] = field(default_factory=dict)  # converted once, when not dynamic
    info_name: str | None = None  # the resolver's info parameter
    takes_source: bool = False  # the resolver is a method of the parent object
    dynamic: bool = False  # its arguments name variables: converted per request
    definition: Any = None  # the graphql-core field, for the arguments of a dynamic field
    strawberry_field: Any = None
    deferred: bool = False  # read when the whole level is fetched (linked records, async resolvers)
    relation: Relation | None = None
    window: tuple[int, int] = (0, 0)
    group: LinkGroup | None = None  # a linked field's group in the store, without refs
    return_type: GraphQLOutputType | None = None


class Plan:
    """The plan of one operation of one document; subfields are planned at the first object met."""

    def __init__(
        self,
        schema: strawberry.Schema,
        gql: GraphQLSchema,
        document: DocumentNode,
        operation: OperationDefinitionNode,
        variables: VariableValues,
    ) -> None:
        self.schema = schema
        self.gql = gql
        self.document = document  # kept: the cache's key is this object's identity
        self.operation = operation
        # Collection reads variables only through @skip/@include: where none names one, any
        # request's variables collect the same fields, and those of the first are kept.
        self.variables = variables
        self.fragments = {
            d.name.value: FragmentDetails(d) for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        self.plans: dict[tuple[str, tuple[int, ...]], list[Field]] = {}
        root = gql.query_type
        if root is None:
            raise Unsupported(Reason.NOT_A_QUERY, "no query type")
        collected = collect_fields(gql, self.fragments, variables, root, operation)
        self.root = [self.plan(root, key, details) for key, details in collected.grouped_field_set.items()]

    def fields(self, parent: GraphQLObjectType, details: list[FieldDetails]) -> list[Field]:
        cache_key = (parent.name, tuple(id(d.node) for d in details))
        plan = self.plans.get(cache_key)
        if plan is None:
            collected = collect_subfields(self.gql, self.fragments, self.variables, self.operation, parent, details)
            plan = [self.plan(parent, key, sub) for key, sub in collected.grouped_field_set.items()]
            self.plans[cache_key] = plan
        return plan

    def plan(self, parent: GraphQLObjectType, key: str, details: list[FieldDetails]) -> Field:
        name = details[0].node.name.value
        if name == "__typename":
            return Field(key, details, read=lambda _source: parent.name)
        definition = parent.fields.get(name)
        strawberry_field = None if definition is None else adapter.strawberry_field(definition)
        if definition is None or strawberry_field is None:
            raise Unsupported(Reason.INTROSPECTION, f"{parent.name}.{name}")  # or a field strawberry does not own
        if adapter.guarded(strawberry_field):  # never run a field around its extensions or permissions
            raise Unsupported(Reason.GUARDED_FIELD, f"{parent.name}.{name}")
        plan = Field(key, details, complete=self.completer(definition.type, details), return_type=definition.type)
        if adapter.is_attribute(strawberry_field):
            plan.read = operator.attrgetter(strawberry_field.python_name)
            return plan
        function = adapter.resolver_function(strawberry_field)
        if function is None:
            raise Unsupported(Reason.UNUSUAL_ARGUMENTS, f"{parent.name}.{name}")
        plan.function, plan.definition, plan.strawberry_field = function, definition, strawberry_field
        plan.info_name = adapter.info_name(strawberry_field)
        plan.relation = RELATIONS.get((parent.name, strawberry_field.python_name))
        plan.deferred = plan.relation is not None or adapter.is_async(strawberry_field)
        plan.dynamic = any(_names_a_variable(argument) for argument in details[0].node.arguments or ())
        if not plan.dynamic:
            plan.takes_source, plan.kwargs = self.arguments(plan, self.variables)
            plan.window, plan.group = self.linked(plan, plan.kwargs)
        return plan

    def arguments(self, plan: Field, variables: VariableValues) -> tuple[bool, dict[str, Any]]:
        """Whether the resolver takes its parent as `self`, and its other arguments (info: None)."""
        raw = get_argument_values(plan.definition, plan.details[0].node, variables)
        args, kwargs = adapter.arguments(self.schema, plan.strawberry_field, raw, SOURCE, None)
        if args not in ([], [SOURCE]) or any(value is SOURCE for value in kwargs.values()):
            name = plan.details[0].node.name.value
            raise Unsupported(Reason.UNUSUAL_ARGUMENTS, name)
        if plan.info_name is not None:
            kwargs.pop(plan.info_name, None)
        return bool(args), kwargs

    @staticmethod
    def linked(plan: Field, kwargs: dict[str, Any]) -> tuple[tuple[int, int], LinkGroup | None]:
        """A linked field's window of its list, and its group in the store (without refs)."""
        if plan.relation is None:
            return (0, 0), None
        relation, to_one = plan.relation, plan.relation.to_one
        found = window(1 if to_one else kwargs.get("first"), None if to_one else kwargs.get("after"))
        offset, limit = found  # the group asks for as many as the window's end
        # At least one: a store answers the total along with the records, and a ref none of whose
        # records is read would count none (first: 0 asks for the total alone).
        return found, LinkGroup((), relation.direction, relation.rel, relation.kind, max(offset + limit, 1))

    def completer(self, type_: GraphQLOutputType, details: list[FieldDetails]) -> Complete:
        """How a value of this type becomes its answer, decided once per field of the document."""
        if isinstance(type_, GraphQLNonNull):
            inner = self.completer(type_.of_type, details)

            def non_null(value: Any, run: _Run) -> Any:
                completed = inner(value, run)
                if completed is None:
                    raise Unsupported(Reason.NULL_IN_NON_NULL)  # the full executor reports it
                return completed

            return non_null
        if isinstance(type_, GraphQLList):
            item = self.completer(type_.of_type, details)
            return lambda value, run: None if value is None else [item(v, run) for v in value]
        if is_leaf_type(type_):
            serialize = type_.serialize

            def leaf(value: Any, _run: _Run) -> Any:
                if value is None:
                    return None
                serialized = serialize(value)
                if serialized is Undefined:
                    raise Unsupported(Reason.UNSERIALISABLE)
                return serialized

            return leaf
        if is_abstract_type(type_):

            def abstract(value: Any, run: _Run) -> Any:
                if value is None:
                    return None
                return run.fill(value, self.fields(self.runtime_type(value, type_), details))

            return abstract
        if not isinstance(type_, GraphQLObjectType):
            raise Unsupported(Reason.INTROSPECTION, "not an output type")
        object_type, planned = type_, list[list[Field]]()  # the subfields, planned at the first object met

        def an_object(value: Any, run: _Run) -> Any:
            if value is None:
                return None
            if not planned:
                planned.append(self.fields(object_type, details))
            return run.fill(value, planned[0])

        return an_object

    def runtime_type(self, value: Any, abstract: Any) -> GraphQLObjectType:
        name = adapter.type_name(value)
        runtime = None if name is None else self.gql.get_type(name)
        if not isinstance(runtime, GraphQLObjectType) or not self.gql.is_sub_type(abstract, runtime):
            raise Unsupported(Reason.ABSTRACT_TYPE)
        return runtime


def _names_a_variable(node: Any) -> bool:
    """Whether a variable occurs anywhere in this AST node."""
    if isinstance(node, VariableNode):
        return True
    if isinstance(node, Node):
        return any(_names_a_variable(getattr(node, key, None)) for key in node.keys)
    if isinstance(node, tuple | list):
        return any(_names_a_variable(item) for item in node)
    return False


def _directives_name_variables(node: Any) -> bool:
    """Whether a directive anywhere in this AST node takes a variable (@skip(if: $x), @include)."""
    if isinstance(node, DirectiveNode):
        return _names_a_variable(node)
    if isinstance(node, Node):
        return any(_directives_name_variables(getattr(node, key, None)) for key in node.keys)
    if isinstance(node, tuple | list):
        return any(_directives_name_variables(item) for item in node)
    return False


class Plans:
    """Plans by document object and operation, most recently used first, bounded."""

    MAX_ENTRIES = 512  # as many as ValidatedDocuments keeps

    def __init__(self) -> None:
        self._plans: OrderedDict[tuple[int, int, int], Plan] = OrderedDict()

    def get(
        self,
        schema: strawberry.Schema,
        gql: GraphQLSchema,
        document: DocumentNode,
        operation: OperationDefinitionNode,
        variables: VariableValues,
    ) -> Plan:
        key = (id(schema), id(document), id(operation))
        plan = self._plans.get(key)
        if plan is not None and plan.document is document and plan.schema is schema:
            self._plans.move_to_end(key)
            return plan
        plan = Plan(schema, gql, document, operation, variables)
        if not _directives_name_variables(document):  # else its fields depend on the variables
            self._plans[key] = plan
            while len(self._plans) > self.MAX_ENTRIES:
                self._plans.popitem(last=False)
        return plan
