"""Every kind of record is declared once and registered everywhere it must be.

Read from the built schema and the modules, so that a kind, a field or a link left
out of one of the derived places fails here rather than in a client.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    get_named_type,
)
from strawberry.utils.str_converters import to_camel_case

from registry.api.execution.strawberry_adapter import graphql_schema
from registry.api.graphql.relations import RELATIONS
from registry.api.graphql.schema import schema
from registry.domain.records import REL_KINDS, Kind
from registry.kinds import (
    DECLARATIONS,
    KIND_FIELDS,
    PUBLIC_DECLARATIONS,
    PUBLIC_KINDS,
    SEED_LINKS,
    SEED_ORDER,
    KindDecl,
)
from registry.kinds.completeness import api_name, declared
from registry.services.seeding import DEFAULT_SEEDS, FILES
from registry.services.versions import api_name_of

GRAPHQL: GraphQLSchema = graphql_schema(schema)
ALL = list(PUBLIC_DECLARATIONS.values())  # the kinds the public schema shows


def _object(name: str) -> GraphQLObjectType:
    found = GRAPHQL.get_type(name)
    assert isinstance(found, GraphQLObjectType), f"{name} is not an object type of the schema"
    return found


def _interface(name: str) -> GraphQLInterfaceType:
    found = GRAPHQL.get_type(name)
    assert isinstance(found, GraphQLInterfaceType), f"{name} is not an interface of the schema"
    return found


def _input(name: str) -> GraphQLInputObjectType:
    found = GRAPHQL.get_type(name)
    assert isinstance(found, GraphQLInputObjectType), f"{name} is not an input type of the schema"
    return found


def test_every_kind_has_one_declaration() -> None:
    assert list(DECLARATIONS) == list(Kind)
    assert all(kind is decl.kind for kind, decl in DECLARATIONS.items())


@pytest.mark.parametrize("decl", ALL, ids=lambda d: d.kind.value)
def test_the_object_type_shows_every_field_and_link(decl: KindDecl) -> None:
    gql = _object(decl.kind.value)
    assert decl.interface in {i.name for i in gql.interfaces}
    names = list(gql.fields)
    for field in decl.fields:
        assert (field.graphql_name or to_camel_case(field.python_name)) in names, field.name
    for link in decl.links:
        graphql_name = to_camel_case(link.name)
        assert graphql_name in names, link.name
        expected = link.target.value if link.to_one else f"{link.target.value}Connection"
        assert get_named_type(gql.fields[graphql_name].type).name == expected
        relation = RELATIONS[decl.kind.value, link.name]  # what the lean executor reads
        assert (relation.rel, relation.direction, relation.kind, relation.to_one) == (
            link.rel,
            link.direction,
            link.target,
            link.to_one,
        )


def test_relations_hold_the_declared_links_only() -> None:
    declared = {(d.kind.value, link.name) for d in ALL for link in d.links}
    assert set(RELATIONS) == declared


@pytest.mark.parametrize("decl", ALL, ids=lambda d: d.kind.value)
def test_links_join_kinds_the_domain_allows(decl: KindDecl) -> None:
    for link in decl.links:
        sources, targets = REL_KINDS[link.rel]
        source, target = (decl.kind, link.target) if link.direction == "from" else (link.target, decl.kind)
        assert source in sources and target in targets, link.name
    for setter in decl.link_inputs:
        sources, targets = REL_KINDS[setter.rel]
        assert decl.kind in sources and setter.target in targets, setter.name


@pytest.mark.parametrize("decl", ALL, ids=lambda d: d.kind.value)
def test_editable_kinds_have_an_input_a_payload_and_mutations(decl: KindDecl) -> None:
    mutation = GRAPHQL.mutation_type
    assert mutation is not None
    creates = f"create{decl.kind.value}" in mutation.fields
    assert creates is decl.editable
    assert (f"update{decl.kind.value}" in mutation.fields) is decl.editable
    if not (decl.editable or decl.hub_editable):
        assert GRAPHQL.get_type(f"{decl.kind.value}Input") is None
        return
    gql_input = _input(decl.input_name or f"{decl.kind.value}Input")
    expected = ["slug"]
    for field in decl.fields:
        if field.editable:
            expected.append(field.graphql_name or to_camel_case(field.python_name))
    for setter in decl.link_inputs:
        expected.append(to_camel_case(setter.name))
        if setter.flag is not None:
            expected.append(to_camel_case(setter.flag.name))
    assert list(gql_input.fields) == [*expected, "sources"]
    payload = _object(decl.payload_name or f"{decl.kind.value}Payload")
    assert get_named_type(payload.fields[to_camel_case(decl.snake)].type).name == decl.kind.value
    if decl.editable:
        for verb in ("create", "update"):
            field = mutation.fields[f"{verb}{decl.kind.value}"]
            assert get_named_type(field.type) is payload
            assert get_named_type(field.args["input"].type) is gql_input


@pytest.mark.parametrize("decl", ALL, ids=lambda d: d.kind.value)
def test_each_list_takes_the_kinds_filter(decl: KindDecl) -> None:
    query = GRAPHQL.query_type
    assert query is not None
    lists = [f for f in query.fields.values() if get_named_type(f.type).name == f"{decl.kind.value}Connection"]
    assert lists, f"no root list of {decl.kind.value}"
    expected = f"{decl.kind.value}Filter" if decl.filters else "TextFilter"
    for field in lists:
        assert get_named_type(field.args["filter"].type).name == expected
    if decl.filters:
        names = list(_input(expected).fields)
        assert names == [to_camel_case(f.name) for f in decl.filters] + ["text"]


def test_record_kind_lists_every_public_kind() -> None:
    record_kind = GRAPHQL.get_type("RecordKind")
    assert isinstance(record_kind, GraphQLEnumType)
    assert list(record_kind.values) == [kind.name for kind in PUBLIC_KINDS]


def test_a_kind_kept_out_of_the_public_schema_has_no_type_input_or_filter_there() -> None:
    hidden = [d for d in DECLARATIONS.values() if not d.public]
    assert hidden, "the roadmap method's kinds are stored but not public"
    entries = {t.name for t in GRAPHQL.get_possible_types(_interface("Entry"))}
    for decl in hidden:
        assert decl.kind.value not in entries  # `method { phases }` has a MethodPhase of its own, not an Entry
        for name in (f"{decl.kind.value}Input", f"{decl.kind.value}Filter", f"{decl.kind.value}Connection"):
            assert GRAPHQL.get_type(name) is None, name


def test_field_table_is_the_stored_fields() -> None:
    for kind, decl in DECLARATIONS.items():
        stored = [f.name for f in decl.fields if f.stored]
        assert [s.name for s in KIND_FIELDS[kind]] == [*stored, "inferences"]
        for spec in KIND_FIELDS[kind]:
            assert bool(spec.values) == (spec.type in ("enum", "enum_list")), spec.name


def test_seeding_reads_every_declared_seed_file() -> None:
    declared = {d.kind for d in ALL if d.seed_file}
    assert set(SEED_ORDER) == declared
    assert [kind for _, _, kind in FILES] == list(SEED_ORDER)
    on_disk = {p.name for p in DEFAULT_SEEDS.glob("*.toml")}
    assert {file for file, _, _ in FILES} <= on_disk
    for decl in ALL:
        for setter in decl.link_inputs:
            assert SEED_LINKS[setter.seed_key or setter.name].rel is setter.rel


def test_the_explorer_names_each_kind_as_its_declaration_does() -> None:
    # The explorer's words (i18n.js: English first, then French) against the declared labels.
    text = (Path(__file__).resolve().parent.parent / "registry/explorer/static/i18n.js").read_text(encoding="utf-8")
    found: dict[str, list[str]] = {}
    for kind, word in re.findall(r'"one\.(\w+)": "([^"]+)"', text):
        found.setdefault(kind, []).append(word)
    for decl in ALL:
        assert found.get(decl.kind.value) == [decl.label_en[0], decl.label_fr[0]], decl.kind


def test_the_explorer_names_every_fact_a_history_or_completeness_shows() -> None:
    # The record panel labels each field of `completeness { unknownFields }` and of `history { changes }`
    # (i18n.js: "facts.<API name>", in English and in French): a field a kind declares gets its words.
    text = (Path(__file__).resolve().parent.parent / "registry/explorer/static/i18n.js").read_text(encoding="utf-8")
    found: dict[str, int] = {}
    for name in re.findall(r'"facts\.(\w+)": "[^"]+"', text):
        found[name] = found.get(name, 0) + 1
    names = {"sources", "reviewState"}
    for decl in PUBLIC_DECLARATIONS.values():
        names |= {api_name(f) for f in declared(decl)}
        names |= {api_name_of(link) for link in decl.links if link.direction == "from"}
    assert {name: found.get(name, 0) for name in sorted(names)} == dict.fromkeys(sorted(names), 2)
