"""The roadmap method's records: its phases, workshop kinds and cases, as seeds/method.toml states them.

Stored like any record so that every server answers `method` from the store, not from its own
files; not (yet) types of the public schema, so they have no GraphQL type, input or filter.
"""

from __future__ import annotations

from registry.domain.records import Kind
from registry.domain.vocabulary import WorkshopKind
from registry.kinds.spec import Field, KindDecl

_TITLE = Field("title", "text")

METHOD_PHASE = KindDecl(
    Kind.METHOD_PHASE,
    "Titled",
    ("Method phase", "Method phases"),
    ("Phase de la méthode", "Phases de la méthode"),
    fields=(
        Field("number", "int", required=True),
        _TITLE,
        Field("periods", "str_seq"),  # as the presentation's timelines state them, in their order
        Field("steps", "str_seq"),  # in French, as stated
    ),
    editable=False,
    public=False,
)

METHOD_WORKSHOP_KIND = KindDecl(
    Kind.METHOD_WORKSHOP_KIND,
    "Entry",
    ("Workshop kind", "Workshop kinds"),
    ("Type d\u2019atelier", "Types d\u2019atelier"),
    fields=(
        Field("kind", "enum", WorkshopKind, required=True, column="subkind"),
        Field("label", "text"),
        Field("phase", "int"),  # where the presentation places the kind in one of the two phases
        Field("rank", "int"),  # its place in the method's list (the seed file's order)
    ),
    editable=False,
    public=False,
    display_field="label",
)

METHOD_CASE = KindDecl(
    Kind.METHOD_CASE,
    "Titled",
    ("Method case", "Method cases"),
    ("Cas de la méthode", "Cas de la méthode"),
    fields=(Field("number", "int", required=True), _TITLE, Field("priorities_defined", "bool")),
    editable=False,
    public=False,
)

METHOD_KINDS = frozenset({Kind.METHOD_PHASE, Kind.METHOD_WORKSHOP_KIND, Kind.METHOD_CASE})
