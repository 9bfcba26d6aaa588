"""Each kind of record, declared once, and the tables derived from the declarations.

Validation, the codec and the seed loader read `KIND_FIELDS`; the GraphQL layer
builds its types, inputs, filters and mutations from `DECLARATIONS`.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from registry.domain.records import Kind, Ref, Rel
from registry.kinds import declarations
from registry.kinds.spec import Facet, Field, FieldSpec, Filter, KindDecl, Link, LinkSetter, RoleFlag

__all__ = [
    "DECLARATIONS",
    "EXPLORE",
    "KIND_FIELDS",
    "KIND_LABELS",
    "PUBLIC_DECLARATIONS",
    "PUBLIC_KINDS",
    "SEED_LINKS",
    "SEED_ORDER",
    "URL_SEGMENTS",
    "Facet",
    "Field",
    "FieldSpec",
    "Filter",
    "KindDecl",
    "Link",
    "LinkSetter",
    "RoleFlag",
    "SeedLink",
    "display_name",
    "permalink",
    "spec",
]

# In `Kind` order, the order of the mutations in the schema.
DECLARATIONS: dict[Kind, KindDecl] = {d.kind: d for d in declarations.KINDS}
# The kinds the public schema shows: types, lists, search, global IDs, subscriptions.
PUBLIC_DECLARATIONS: dict[Kind, KindDecl] = {kind: d for kind, d in DECLARATIONS.items() if d.public}
PUBLIC_KINDS: tuple[Kind, ...] = tuple(PUBLIC_DECLARATIONS)

# Each kind's English name, for sentences ("There is no territory 'atlantis'.").
KIND_LABELS: dict[Kind, str] = {kind: d.label_en[0] for kind, d in DECLARATIONS.items()}

KIND_FIELDS: dict[Kind, tuple[FieldSpec, ...]] = {kind: d.field_specs() for kind, d in DECLARATIONS.items()}

_SPECS: dict[tuple[Kind, str], FieldSpec] = {(kind, s.name): s for kind, specs in KIND_FIELDS.items() for s in specs}


def spec(kind: Kind, name: str) -> FieldSpec | None:
    return _SPECS.get((kind, name))


# Every record's stable address in the explorer: /explore/{segment}/{slug} (see `permalink`).
EXPLORE = "/explore"
URL_SEGMENTS: dict[Kind, str] = {kind: d.url_segment for kind, d in PUBLIC_DECLARATIONS.items()}


def permalink(ref: Ref) -> str:
    """The record's permalink, an absolute path: /explore/territory/lyon."""
    return f"{EXPLORE}/{URL_SEGMENTS[ref.kind]}/{quote(ref.slug, safe='')}"


def display_name(kind: Kind) -> str:
    """The field that names a record of this kind in sentences and search."""
    return DECLARATIONS[kind].display_name()


# The seed files, in the order that lets links find their targets.
SEED_ORDER: tuple[Kind, ...] = tuple(d.kind for d in declarations.SEED_ORDER)


@dataclass(frozen=True)
class SeedLink:
    """A seed key naming other records: its relation, the target kind (None: an actor or a
    territory), and the key of the target's slug when the seed writes a table with a role."""

    rel: Rel
    target: Kind | None
    slug_key: str | None


def _seed_links() -> dict[str, SeedLink]:
    found: dict[str, SeedLink] = {}
    for decl in DECLARATIONS.values():
        for link in decl.link_inputs:
            key = link.seed_key or link.name
            known = found.get(key)
            if known is None:
                found[key] = SeedLink(link.rel, link.target, link.seed_slug_key)
            elif known.rel is not link.rel or known.slug_key != link.seed_slug_key:
                raise ValueError(f"seed key {key!r} means two different links")
            elif known.target is not link.target:  # one key, several target kinds: told apart by slug
                found[key] = SeedLink(link.rel, None, known.slug_key)
    return found


SEED_LINKS: dict[str, SeedLink] = _seed_links()
