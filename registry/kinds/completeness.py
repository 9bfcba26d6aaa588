"""How complete a record is, per fact, from its kind's declaration: one rule for every kind.

In the spirit of data.europa.eu's metadata-quality score, but counted on the record's own facts:

- the **declared fields** are the fields a kind declares that its editors fill (stored and
  editable: not the review note, the review state or the hub);
- a field holds a **sourced value** when it holds a known value (not null, not empty, not the
  vocabulary's `unknown`) and the record cites at least one source: the registry keeps sources
  on the record, and `registry.domain.provenance` holds that they back every value written in
  its fields (an inferred value is never written there, it is kept apart as an inference);
- the **share** is the sourced fields over the declared ones, as a whole percentage rounded
  down, so every store filters, sorts and counts the same integer (`codec.columns` keeps it);
- **home-page only**: every source the record cites is a site's home page, a URL whose path is
  empty or "/" with no query or fragment (`provenance.is_bare_host`, as sources are stored).

A new kind gets all of this from its declaration, with nothing to write.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from registry.domain.provenance import is_bare_host
from registry.domain.records import Kind, Record
from registry.kinds.spec import Facet, Field, Filter, KindDecl

UNKNOWN = "unknown"
# The facets' bands: the lower bound of each quarter (a share of 100 falls in the last).
BANDS = (0, 25, 50, 75)


# What every list with filters and facets adds (registry.kinds.declarations): `completenessAtLeast`
# and a `completeness` facet counted in quarters.
COMPLETENESS_FILTER = Filter(
    "completeness_at_least",
    "fields",
    "at_least",
    description="Records whose completeness (the share of their declared fields holding a sourced value, "
    "in whole percent, as `completeness { percent }` gives it) is at least this, 0 to 100.",
    column="completeness",
)
COMPLETENESS_FACET = Facet("completeness", column="completeness", banded=True)


def api_name(field: Field) -> str:
    """The field's name as the API writes it (camel case), as errors and changes name it."""
    head, *rest = (field.graphql_name or field.python_name).split("_")
    return head + "".join(part.title() for part in rest)


def declared(decl: KindDecl) -> tuple[Field, ...]:
    """The fields a kind's editors fill: stored and editable."""
    return tuple(f for f in decl.fields if f.stored and f.editable)


def known(value: Any) -> bool:
    """Whether a stored value states something: null, empty and `unknown` state nothing."""
    if value is None or value == UNKNOWN:
        return False
    if isinstance(value, str):
        return value.strip() != ""
    if isinstance(value, dict):
        return any(known(v) for v in value.values())
    if isinstance(value, list | tuple):
        return len(value) > 0
    return True  # numbers and booleans (False is a stated value)


@dataclass(frozen=True)
class Completeness:
    percent: int  # sourced over declared, rounded down
    sourced: tuple[str, ...]  # API names of the fields holding a sourced value
    unknown: tuple[str, ...]  # API names of the fields left unknown
    unsourced: tuple[str, ...]  # known but the record cites no source
    inferences: tuple[str, ...]  # API names of the fields with a labelled inference
    declared: int
    home_page_only: bool


def completeness(decl: KindDecl, record: Record) -> Completeness:
    fields = declared(decl)
    names = {f.name: api_name(f) for f in fields}
    stated = [f for f in fields if known(record.data.get(f.name))]
    cited = bool(record.sources)
    sourced = tuple(names[f.name] for f in stated) if cited else ()
    inferred = [i.get("field") for i in record.data.get("inferences") or () if isinstance(i, dict)]
    return Completeness(
        percent=(100 * len(sourced)) // len(fields) if fields else 100,
        sourced=sourced,
        unknown=tuple(names[f.name] for f in fields if f not in stated),
        unsourced=() if cited else tuple(names[f.name] for f in stated),
        inferences=tuple(dict.fromkeys(names.get(str(name), str(name)) for name in inferred)),
        declared=len(fields),
        home_page_only=cited and all(is_bare_host(s.url) for s in record.sources),
    )


def percent(declarations: dict[Kind, KindDecl], record: Record) -> int:
    """The share kept in every store's `completeness` column (a kind without declaration: 0)."""
    decl = declarations.get(record.kind)
    return 0 if decl is None else completeness(decl, record).percent


def band(value: int) -> str:
    """The facet bucket of a share: 0-24, 25-49, 50-74, 75-100."""
    lower = max(b for b in BANDS if b <= value)
    upper = next((b - 1 for b in BANDS if b > lower), 100)
    return f"{lower}-{upper}"
