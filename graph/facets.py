"""Facet counts as one Cypher statement: the records a query selects, collected once, then a
subquery per facet, so the counts of a filtered list come in one round trip (as in SQL,
`registry.store.sql.facets`)."""

from __future__ import annotations

from collections.abc import Sequence

from graph.cypher import record_match, rel
from registry.domain.records import JSON
from registry.kinds import Facet
from registry.store.columns import facet_checked
from registry.store.port import RecordQuery

# What a record holds for one facet, as a list (none: empty); `r` is the record.
_NONE_AS_NULL = "UNWIND CASE WHEN size(vs) = 0 THEN [null] ELSE vs END AS v"


def _values(facet: Facet, n: int, params: JSON) -> str:
    """`vs`, the list of a record's values for a multi-valued facet."""
    if facet.rels:
        rels = "|".join(rel(r) for r in facet.rels)
        # `by` is a checked identifier (columns.facet_checked): slug or a countable column
        return f"COLLECT {{ MATCH (r)-[:{rels}]->(x:Record) RETURN DISTINCT x.{facet.by} }}"
    # A JSON list in the record's data, read from its canonical text (registry.store.codec.dump_json:
    # sorted keys, no spaces): `"name":["a","b"]`.  Core Cypher has no JSON parser; an escaped quote
    # inside a text value cannot form the key, and list items are vocabulary words.
    params[f"items{n}"] = f'"{facet.items}":['
    return (
        f"CASE WHEN size(split(r.data, $items{n})) < 2 THEN [] ELSE "
        f"[t IN split(split(split(r.data, $items{n})[1], ']')[0], ',') WHERE t <> '' | substring(t, 1, size(t) - 2)] END"
    )


def facet_statement(query: RecordQuery, facets: Sequence[Facet]) -> tuple[str, JSON]:
    """A statement returning one row: a list per facet of [value or null, count]."""
    match, params = record_match(query)
    parts = [match, "WITH collect(r) AS rs"]
    for n, facet in enumerate(facet_checked(f) for f in facets):
        if facet.column is not None:
            body = f"UNWIND rs AS r WITH r.{facet.column} AS v, count(*) AS n"
        else:
            body = f"UNWIND rs AS r WITH r, {_values(facet, n, params)} AS vs {_NONE_AS_NULL} WITH v, count(*) AS n"
        parts.append(f"CALL (rs) {{ {body} RETURN collect([v, n]) AS f{n} }}")
    parts.append("RETURN [" + ", ".join(f"f{n}" for n in range(len(facets))) + "]")
    return "\n".join(parts), params
