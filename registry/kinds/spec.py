"""The shape of a kind's declaration: plain frozen dataclasses, no GraphQL.

A record kind is declared once (see `registry.kinds.declarations`); the field table
validation and storage read, the GraphQL types, inputs, filters and mutations, and
the seed loader's link keys are all derived from it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from registry.domain.records import Kind, Rel

Vocabulary = type[enum.StrEnum]  # named here: inside the classes, `type` is a field


@dataclass(frozen=True)
class FieldSpec:
    """One field of a record kind.

    `type` is one of: text (a French/English pair), str, int, bool, date, enum,
    enum_list, str_list, positions, inferences (values no source states, each
    labelled with its reasoning; see `registry.domain.provenance`).  `column` names
    the indexed column a store keeps it in, for filters and sorts.
    """

    name: str
    type: str
    values: tuple[str, ...] = ()
    required: bool = False
    column: str | None = None
    bounds: tuple[int, int] | None = None  # inclusive, for ints
    # Whether the column gets an index: None leaves it to its type (text yes, numbers no), see
    # `registry.store.columns`.
    indexed: bool | None = None

    @property
    def searchable(self) -> bool:
        """Text fields feed the search words (see `registry.store.codec.search_text`)."""
        return self.type == "text"


@dataclass(frozen=True)
class Field:
    """A field as the API shows it, and the record data key it reads (`name`).

    Envelope fields (`stored=False`: a case study's review state, its hub) are read
    from the record itself, not its data, and are not part of the field table.
    """

    name: str
    type: str
    vocabulary: Vocabulary | None = None
    required: bool = False
    attribute: str | None = None  # the Python attribute in GraphQL when it differs from `name`
    graphql_name: str | None = None  # the GraphQL name when it is not the attribute camel-cased
    description: str | None = None
    column: str | None = None
    bounds: tuple[int, int] | None = None
    indexed: bool | None = None
    null_as: enum.StrEnum | None = None  # the value the API answers when the record holds none
    editable: bool = True  # set by the kind's input
    stored: bool = True

    @property
    def python_name(self) -> str:
        return self.attribute or self.name

    def spec(self) -> FieldSpec:
        values = tuple(v.value for v in self.vocabulary) if self.vocabulary is not None else ()
        return FieldSpec(self.name, self.type, values, self.required, self.column, self.bounds, self.indexed)


@dataclass(frozen=True)
class Link:
    """A GraphQL field that follows links: a connection, or the first linked record when `to_one`."""

    name: str  # the Python attribute
    rel: Rel
    direction: str  # "from": the record is the links' source; "to": their target
    target: Kind
    to_one: bool = False
    description: str | None = None


@dataclass(frozen=True)
class RoleFlag:
    """A boolean input beside a to-one link choosing the link's role (an experiment `adapts`)."""

    name: str
    description: str
    true_role: str
    false_role: str


@dataclass(frozen=True)
class LinkSetter:
    """An input field that replaces a record's links of one relation (and its seed key)."""

    name: str  # the Python attribute of the input, snake case
    rel: Rel
    target: Kind
    many: bool = True
    roles: bool = False  # a list of {actor|territory, role} objects rather than IDs
    description: str | None = None
    flag: RoleFlag | None = None
    seed_key: str | None = None  # the seed files' key when it is not `name`

    @property
    def error_field(self) -> str:
        """The name a client sent it under (camel case), for errors."""
        head, *rest = self.name.split("_")
        return head + "".join(part.title() for part in rest)

    @property
    def seed_slug_key(self) -> str | None:
        """In seed files, a link with a role is a table naming its target under the target kind's key."""
        if not (self.roles or self.flag):
            return None
        return "".join("_" + c.lower() if c.isupper() else c for c in self.target.value).lstrip("_")


@dataclass(frozen=True)
class Filter:
    """A field of the kind's list filter and what it asks of the store.

    `type` says how: slugs (a list of slugs or codes) or values (vocabulary values) or int set the
    `RecordQuery` attribute `query`; the others add generic conditions (registry.store.columns):
    has (a list column holding any of the values), within (the record's point in a box), linked
    (linked by `rels` to one of these slugs of `target`), at_least (the column is at least the value,
    0 to 100), linked_values (linked by `rels` to a record
    whose `column` is one of the values) and linked_within (linked by `rels` to a record in a box).
    """

    name: str
    query: str  # the `RecordQuery` attribute set (slugs, values, int), or "fields" / "links"
    type: str
    vocabulary: Vocabulary | None = None
    description: str | None = None
    rels: tuple[Rel, ...] = ()
    # The kind whose slugs it takes: a slug naming no record of that kind is INVALID, never "nothing".
    target: Kind | None = None
    column: str | None = None
    # A shape every value must have (country: an ISO 3166-1 alpha-2 code), else INVALID.
    format: str | None = None
    # Only for callers who may see unpublished records (hubs, coordinators): anonymous callers are refused.
    restricted: bool = False


@dataclass(frozen=True)
class Facet:
    """A count of a filtered list's records by one value, computed by the store (see `Store.facet_counts`).

    Exactly one source: `column`, an indexed column of the record (status, country, review_state:
    one value per record); `rels`, the records linked by these relations, by their `by` (slug, or
    a column such as subkind); or `items`, a list field of the record's data (data_categories).
    The last two are multi-valued: a record counts once under each of its values.  A record
    with no value counts under "unknown".  `vocabulary` turns stored values into the API's names.
    """

    name: str  # the field of the API's Facets
    column: str | None = None
    rels: tuple[Rel, ...] = ()
    by: str = "slug"
    items: str | None = None
    vocabulary: Vocabulary | None = None
    # The column holds a share in whole percent, counted in quarters (registry.kinds.completeness.band).
    banded: bool = False

    @property
    def multi_valued(self) -> bool:
        return bool(self.rels) or self.items is not None


@dataclass(frozen=True)
class KindDecl:
    """Everything the registry needs to know about one kind of record."""

    kind: Kind
    interface: str  # Named, Titled or Entry
    label_en: tuple[str, str]  # singular, plural
    label_fr: tuple[str, str]
    fields: tuple[Field, ...]
    links: tuple[Link, ...] = ()
    link_inputs: tuple[LinkSetter, ...] = ()
    filters: tuple[Filter, ...] = ()  # empty: the list takes the text-only filter
    facets: tuple[Facet, ...] = ()  # what its list counts its filtered records by
    editable: bool = True  # create/update mutations, coordinators only
    hub_editable: bool = False  # hubs submit it as a case study (its input is CaseStudyInput)
    input_name: str | None = None  # the input type's name when it is not f"{kind}Input"
    payload_name: str | None = None
    seed_file: str | None = None  # file name and table name in the seeds folder
    seed_table: str | None = None
    public: bool = True  # a type of the public schema (listed, searched, addressed by global ID)
    plural: str | None = None  # the root list's name in snake case, when it is not `snake` + "s"
    lookup: bool = False  # the root query also has a lookup by slug (territory(slug:)…)
    display_field: str | None = None  # the field naming a record, when the interface does not say

    @property
    def snake(self) -> str:
        """The kind in snake case: payload fields, mutation names (use_case, swot_item)."""
        return "".join("_" + c.lower() if c.isupper() else c for c in self.kind.value).lstrip("_")

    @property
    def url_segment(self) -> str:
        """The kind in a permalink, /explore/{segment}/{slug}: territory, use-case, swot-item."""
        return self.snake.replace("_", "-")

    @property
    def list_name(self) -> str:
        """The root list's field (territories, use_cases…), snake case."""
        return self.plural or f"{self.snake}s"

    def field_specs(self) -> tuple[FieldSpec, ...]:
        """The stored fields, then the labelled inferences every kind may keep."""
        stored = tuple(f.spec() for f in self.fields if f.stored)
        return (*stored, FieldSpec("inferences", "inferences"))

    def display_name(self) -> str:
        """The field that names a record of this kind in sentences and search."""
        return self.display_field or {"Named": "name", "Titled": "title"}.get(self.interface, "text")
