"""Cypher texts and the conversions between registry values and Neo4j properties.

Kept apart from `graph.store` so that the store reads as the port it implements.
Every value a store indexes comes from `registry.store.codec`, exactly as the SQL
store stores it, so that both answer the same queries in the same order.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

from registry.domain.records import JSON, ApiKey, AuditEntry, Hub, Kind, Ref, Rel, ReviewState, Role
from registry.store.codec import format_time, parse_time
from registry.store.columns import FieldFilter, LinkFilter, Op
from registry.store.port import Expansion, LinkGroup, RecordQuery, Visibility

SEARCH_INDEX = "record_search"
# The search index is eventually consistent (graph.schema_versions, version 5): a commit queues its
# words for a background job.  Before reading the index, a search waits until every update queued
# by then is applied.  Neo4j queues a transaction's updates while applying it, before the commit
# returns to its client, so whatever any process committed before this statement began is waited
# for; on a cluster the session's bookmarks first make the member apply those transactions.
# With nothing queued the wait compares two numbers: no measurable cost (bench/search_await.py),
# so it is made on every search rather than only after this process saw the change counter move
# (which would take a round trip to learn about other processes' writes).  With something queued
# Neo4j polls every 10 ms, so a search right after a write waits about that long.
AWAIT_SEARCH_INDEX = "CALL db.index.fulltext.awaitEventuallyConsistentIndexRefresh()"

# Only published records' words are in the index.  A record not published keeps its words in
# `draft_text`, which no index holds: a hub's draft, its submission and a rejection then commit
# without touching Lucene, which was about half of such a write's Neo4j CPU (bench/write_cost.py),
# and a commit that publishes moves the words into the index.  A search that may see records
# not published reads those apart (record_match): a hub's own, or the review queue.
DRAFT_TEXT = "draft_text"
UNPUBLISHED = [state.value for state in ReviewState if state is not ReviewState.PUBLISHED]


def stored_text(props: JSON) -> JSON:
    """A record's columns (codec.record_columns) as its node keeps them: its words in `search_text`
    when it is published, else in `draft_text`.  The other property is given as null, so that
    `SET r += props` removes it when a record changes state."""
    published = props.get("review_state") == ReviewState.PUBLISHED.value
    text = props["search_text"]
    return {**props, "search_text": text if published else None, DRAFT_TEXT: None if published else text}


# The store-wide change counter: one node that `clear` leaves alone.  Bumping it first in
# a write transaction takes its write lock (the right-hand side reads the property it
# sets, so Cypher locks before reading) and holds it until commit: writers take turns.
START_GENERATION = "MERGE (g:Meta {name: 'generation'}) ON CREATE SET g.value = 0"
BUMP_GENERATION = "MERGE (g:Meta {name: 'generation'}) ON CREATE SET g.value = 1 ON MATCH SET g.value = g.value + 1"
GENERATION = "MATCH (g:Meta {name: 'generation'}) RETURN g.value AS value"
# port.ChangeMark, from the counter node alone (one node's properties: one committed state).
# Without a kept audit number (after `clear`) the mark says -1: unknown, so the
# next change reads as a gap rather than trusting a number read apart from the counter.
CHANGE_MARK = """
MATCH (g:Meta {name: 'generation'})
RETURN g.value AS generation, coalesce(g.described, 0) AS described, coalesce(g.audit, -1) AS audit
"""
# `Store.changes_since` in one round trip: CHANGE_MARK, and the entries numbered after $seq up to
# the counter's audit number (at most $limit; none when more, for then the rule reads none).
# The rule stays registry.store.changes.between's; this only reads what it needs together.
CHANGES_SINCE = """
MATCH (g:Meta {name: 'generation'})
WITH g, coalesce(g.audit, -1) AS audit
RETURN g.value AS generation, coalesce(g.described, 0) AS described, audit,
  COLLECT { MATCH (a:AuditEntry) WHERE a.seq > $seq AND a.seq <= audit AND audit - $seq <= $limit
            WITH a ORDER BY a.seq LIMIT $limit RETURN properties(a) } AS entries
"""
# The first statement of a write: it takes the counter node's write lock with a write that
# reads nothing (`SET g._lock`), then bumps the counter, and holds the lock until commit, so
# writers take turns.  Bumping first (`SET g.value = g.value + 1`) let waiting writers hold a
# lock on the node while they waited for its write lock, and Neo4j then found deadlocks
# between them and with the holder: measured with 32 writers, 100-150 retries of 1-3 s each.
# A MATCH, not a MERGE: no shared lock on the unique name that two writers would then both try
# to upgrade.  Under the lock it reads the last audit number given (kept on the node by the
# write's changes, graph.writes._APPLY; when forgotten, the highest entry's) and whether the
# write's idempotency key was already used.  No row: the node is missing.
#
# In the same round trip, once the counter's lock is held (clauses run in order, so no
# record is locked by a writer still waiting for the counter), what the write depends on:
# the put records' versions (locking those records, in key order), and which link ends,
# hubs and keys exist.  Every round trip under the lock is one that every other writer
# waits for (issue 15): this was a second statement.  Each part is over a list that is
# empty when the write has none of it, so the text is the same for every write.
LOCK_GENERATION = """
MATCH (g:Meta {name: 'generation'}) SET g._lock = true REMOVE g._lock SET g.value = g.value + 1
WITH g
CALL () {
  MATCH (r:Record) WHERE r.key IN $records WITH r ORDER BY r.key SET r._lock = true REMOVE r._lock
  RETURN collect([r.key, r.version]) AS versions
}
RETURN coalesce(g.audit, head(COLLECT { MATCH (a:AuditEntry) RETURN a.seq AS seq ORDER BY seq DESC LIMIT 1 }), 0)
    AS last_audit,
  head(COLLECT { MATCH (i:Idempotency {key: $key}) RETURN i.result AS result }) AS replayed,
  versions,
  COLLECT { MATCH (r:Record) WHERE r.key IN $ends RETURN r.key } AS ends,
  COLLECT { MATCH (h:Hub) WHERE h.slug IN $hubs RETURN h.slug } AS hubs,
  COLLECT { MATCH (k:ApiKey) WHERE k.key_id IN $keys RETURN k.key_id } AS keys,
  COLLECT { MATCH (k:ApiKey) WHERE k.key_id IN $revoked AND k.revoked_at IS NULL RETURN k.key_id } AS active
"""
# Audit entries are numbered under the lock, so numbers follow commit order; the last one is
# kept on the counter node (graph.writes._APPLY).  `clear` and `load` forget it (FORGET_AUDIT_NUMBER).
FORGET_AUDIT_NUMBER = f"{BUMP_GENERATION} REMOVE g.audit"
# The last statement of a load, in its transaction and so under the counter's lock: the highest
# entry loaded is the audit number, read with the load rather than apart from it.  Without it the
# first write after a load reads as a gap, and every cache re-gathers the whole registry.
KEEP_AUDIT_NUMBER = """
MATCH (g:Meta {name: 'generation'})
SET g.audit = coalesce(head(COLLECT { MATCH (a:AuditEntry) RETURN a.seq AS seq ORDER BY seq DESC LIMIT 1 }), 0)
"""


def bumped(statement: str) -> str:
    """`statement` run after bumping the change counter, in the same transaction."""
    return f"{BUMP_GENERATION}\nWITH g\n{statement}"


_PLAIN_WORD = re.compile(r"[0-9a-z]+")


def key(ref: Ref) -> str:
    return str(ref)


def ref(text: str) -> Ref:
    return Ref.parse(text)


# -- records -------------------------------------------------------------------------------


# -- hubs, keys, audit ---------------------------------------------------------------------


def hub_props(hub: Hub) -> JSON:
    return {"slug": hub.slug, "name": hub.name, "created_at": format_time(hub.created_at) or ""}


def hub_from(props: JSON) -> Hub:
    return Hub(props["slug"], props["name"], parse_time(props["created_at"] or None))


def api_key_props(api_key: ApiKey) -> JSON:
    return {
        "key_id": api_key.key_id,
        "secret_hash": api_key.secret_hash,
        "role": api_key.role.value,
        "hub": api_key.hub,
        "created_at": format_time(api_key.created_at) or "",
        "revoked_at": format_time(api_key.revoked_at),
        "label": api_key.label,
    }


def api_key_from(props: JSON) -> ApiKey:
    created = parse_time(props["created_at"])
    assert created is not None
    return ApiKey(
        key_id=props["key_id"],
        secret_hash=props["secret_hash"],
        role=Role(props["role"]),
        hub=props.get("hub"),
        created_at=created,
        revoked_at=parse_time(props.get("revoked_at")),
        label=props["label"],
    )


def audit_from(props: JSON) -> AuditEntry:
    at = parse_time(props["at"])
    assert at is not None
    return AuditEntry(
        seq=int(props["seq"]),
        at=at,
        who=props["who"],
        action=props["action"],
        ref=props["ref"],
        version_before=props.get("version_before"),
        version_after=props.get("version_after"),
        detail=json.loads(props["detail"]),
    )


# -- record queries ------------------------------------------------------------------------


def visible(visibility: Visibility, node: str = "r") -> str:
    """store_rules.hidden as Cypher: published, or everything, or the caller's hub."""
    if visibility.everything:
        return "true"
    if visibility.hub is None:
        return f"{node}.review_state = 'published'"
    return f"({node}.review_state = 'published' OR {node}.hub = $hub)"


def record_match(q: RecordQuery) -> tuple[str, JSON]:
    """MATCH … WHERE … binding `r` to the records that `q` selects, and its parameters."""
    params: JSON = {"kinds": [k.value for k in q.kinds], "hub": q.visibility.hub}
    conds = ["r.kind IN $kinds", visible(q.visibility)]
    if q.slugs is not None:
        conds.append("r.slug IN $slugs")
        params["slugs"] = list(q.slugs)
    conds += [field_condition(f, f"f{n}", params) for n, f in enumerate(q.field_filters())]
    conds += [link_condition(f, f"l{n}", params) for n, f in enumerate(q.link_filters())]
    # The exact rule, as in SQL (search_text LIKE '% word%'): each word starts a word of the text
    # (a record's words are in one of two properties: see DRAFT_TEXT).
    if q.words:  # one list parameter: the statement's text, and so its plan, is the same for any number of words
        conds.append(f"all(word IN $words WHERE coalesce(r.search_text, r.{DRAFT_TEXT}) CONTAINS word)")
        params["words"] = [f" {word}" for word in q.words]
    prefixes = _search_prefixes(q)
    if prefixes:
        params["search"] = " AND ".join(prefixes)
        match = f"{AWAIT_SEARCH_INDEX}\nCALL db.index.fulltext.queryNodes('{SEARCH_INDEX}', $search) YIELD node AS r"
        if q.visibility.everything or q.visibility.hub is not None:
            match = _with_unpublished(match, q.visibility, params)
    elif in_index_order(q):  # the hint: on a small store the planner would take the kind's index and sort
        match = "MATCH (r:Record) USING INDEX r:Record(kind, review_state, slug)"
        # An equality, not IN, on the kind: a seek of one kind, not a scan of every kind's entries.
        conds[0] = "r.kind = $kind"
        params["kind"] = q.kinds[0].value
        conds.append("r.slug IS NOT NULL")  # true of every record; the index holds the records that have all three
    elif len(q.kinds) == 1:  # the kind's label (from the Kind enum): a scan of that kind alone
        match = f"MATCH (r:{Kind(q.kinds[0]).value})"
    else:
        match = "MATCH (r:Record)"
    return f"{match}\nWHERE " + "\n  AND ".join(conds), params


def _search_prefixes(q: RecordQuery) -> list[str]:
    """The full-text index's query terms: it narrows the candidates first, and the CONTAINS of
    record_match keeps the answer exact.  (Lucene keeps at most 255 characters of a token: longer
    words are left to CONTAINS alone.)"""
    return [f"{w}*" for w in q.words if _PLAIN_WORD.fullmatch(w) and len(w) <= 255]


def in_index_order(q: RecordQuery) -> bool:
    """Whether `q` is a plain list page read in the order of the index on (kind, review_state,
    slug): one kind, published records only, by slug, with no filter and no words.  Kind and review
    state are then the same for every match, so the index's order is the slug's, and Neo4j neither
    reads the matches' properties nor sorts them (a list page at ×100 cost it a scan of the kind and
    a sort of thousands of nodes).  A filtered page is left to the planner, which may seek a
    rarer value through another index and sort the few it finds."""
    anonymous = not q.visibility.everything and q.visibility.hub is None
    plain = q.slugs is None and not q.words and not q.field_filters() and not q.link_filters()
    return len(q.kinds) == 1 and anonymous and plain and q.sort_column()[0] == "slug"


def _with_unpublished(indexed: str, visibility: Visibility, params: JSON) -> str:
    """The index's candidates (published records only) and the records not published that the
    caller may see, found by their review state's index (and their hub): `r` bound to either."""
    params["unpublished"] = UNPUBLISHED
    mine = "" if visibility.everything else " AND u.hub = $hub"
    published = indexed.replace("\n", "\n  ")
    unpublished = f"MATCH (u:Record) WHERE u.review_state IN $unpublished{mine}"
    return f"CALL () {{\n  {published}\n  RETURN r\n  UNION\n  {unpublished}\n  RETURN u AS r\n}}\nWITH r"


def field_condition(f: FieldFilter, name: str, params: JSON, node: str = "r") -> str:
    """`f` as a condition on `node`, its values in the parameter `name`: the one place that renders
    generic filters (registry.store.columns).  Column names are checked identifiers, never input;
    a null property compares as null, so, as in SQL, it matches nothing."""
    props = [f"{node}.{column}" for column in f.columns]
    value = props[0] if len(props) == 1 else f"coalesce({', '.join(props)})"
    if f.op is Op.IN:
        params[name] = list(f.values)
        return f"{value} IN ${name}"
    if f.op is Op.HAS:  # a list property keeps each value between spaces
        params[name] = [f" {v} " for v in f.values]
        return f"any(v IN ${name} WHERE {value} CONTAINS v)"
    params[name] = f.values[0]
    return f"{value} {'>=' if f.op is Op.GE else '<='} ${name}"


def link_condition(f: LinkFilter, name: str, params: JSON) -> str:
    """`f` as a condition on `r`: a relationship of one of its relations leaves `r` for a matching
    record.  Relation names come from the Rel enum (checked), never input."""
    rels = "|".join(Rel(rel).value for rel in f.rels)
    conds = []
    if f.keys:
        params[name] = list(f.keys)
        conds.append(f"x.key IN ${name}")
    conds += [field_condition(field, f"{name}f{n}", params, "x") for n, field in enumerate(f.fields)]
    where = f" WHERE {' AND '.join(conds)}" if conds else ""
    return f"EXISTS {{ MATCH (r)-[:{rels}]->(x:Record){where} }}"


def order_by(q: RecordQuery) -> str:
    """Nulls last, then the sort property, then kind and slug: the SQL store's order (in the index's
    terms where in_index_order holds)."""
    prop, _ = q.sort_column()
    direction = " DESC" if q.descending else ""
    if in_index_order(q):
        return f"ORDER BY r.kind{direction}, r.review_state{direction}, r.slug{direction}"
    return f"ORDER BY r.{prop} IS NULL, r.{prop}{direction}, r.kind, r.slug"


# The properties a record read needs: not the indexed copies (search_text, sort_name…).
RECORD = "{.kind, .slug, .data, .sources, .version, .created_at, .updated_at, .review_state, .hub}"


def linked(groups: Sequence[LinkGroup], visibility: Visibility) -> str:
    """One statement answering several LinkGroups: a subquery per group, each giving one list.

    Each row of group n's list is [near key, how many visible linked records, the roles and the
    records of the first $first{n} of them by slug].  Labels and relation names come from the Kind and Rel
    enums only; refs and counts arrive as parameters ($g0, $first0…, $hub).
    """
    parts = []
    for n, group in enumerate(groups):
        near, far = ("s", "t") if group.direction == "from" else ("t", "s")
        source_label, target_label = ("Record", Kind(group.kind).value)
        if group.direction == "to":
            source_label, target_label = target_label, source_label
        parts.append(
            f"CALL () {{ MATCH (s:{source_label})-[l:{rel(group.rel)}]->(t:{target_label})"
            f" WHERE {near}.key IN $g{n} AND {visible(visibility, far)}"
            f" WITH {near}, l, {far} ORDER BY {far}.slug"
            f" WITH {near}, collect(l.role) AS roles, collect({far}) AS found, coalesce($first{n}, count(*)) AS kept"
            f" RETURN collect([{near}.key, size(found), roles[..kept],"  # only the kept nodes are read out
            f" [x IN found[..kept] | x {RECORD}]]) AS g{n} }}"
        )
    return "\n".join(parts) + "\nRETURN " + ", ".join(f"g{n}" for n in range(len(groups)))


def expansions(node: str, wanted: Sequence[Expansion], visibility: Visibility, params: JSON, path: str = "") -> str:
    """A list expression, one item per expansion of `node`: [how many visible linked records, the
    first ones by slug as [role, record, their own expansions]].  Labels and relation names come
    from the Kind and Rel enums; windows arrive as parameters ($first_0, $first_0_1…)."""
    items = []
    for n, expansion in enumerate(wanted):
        here = f"{path}_{n}"
        far, link = f"t{here}", f"l{here}"
        arrow = (
            f"-[{link}:{rel(expansion.rel)}]->"
            if expansion.direction == "from"
            else f"<-[{link}:{rel(expansion.rel)}]-"
        )
        pattern = f"({node}){arrow}({far}:{Kind(expansion.kind).value}) WHERE {visible(visibility, far)}"
        limit = ""
        if expansion.first is not None:
            params[f"first{here}"] = expansion.first
            limit = f" LIMIT $first{here}"
        inner = expansions(far, expansion.then, visibility, params, here)
        items.append(
            f"[COUNT {{ MATCH {pattern} }}, COLLECT {{ MATCH {pattern} WITH {link}, {far} ORDER BY {far}.slug{limit}"
            f" RETURN [{link}.role, {far} {RECORD}, {inner}] }}]"
        )
    return "[" + ", ".join(items) + "]"


def rel(value: Rel) -> str:
    """A relation's name for a Cypher pattern; only enum values are ever spliced in."""
    return Rel(value).value


def links_statement(end: str, relation: Rel) -> str:
    """The links of one relation whose source (`end` "s") or target ("t") is among `$keys`."""
    assert end in ("s", "t")
    return f"MATCH (s:Record)-[l:{rel(relation)}]->(t:Record) WHERE {end}.key IN $keys RETURN collect([s.key, t.key, l.role])"


# -- graph reads ---------------------------------------------------------------------------

TERRITORY_FACTS = """
MATCH (t:Territory)
RETURN t.slug AS slug, t.country AS country, t.status AS status, t.subkind AS territory_kind, t.data AS data,
  COLLECT { MATCH (t)<-[:IN_TERRITORY]-(:Priority)-[:IN_DOMAIN]->(d) RETURN DISTINCT d.slug } AS priority_domains,
  COLLECT { MATCH (t)<-[:IN_TERRITORY]-(u:UseCase {review_state: 'published'})-[:IN_DOMAIN]->(d)
            RETURN DISTINCT d.slug } AS use_case_domains,
  // Who is present: actors on the territory, and actors of its published use cases.
  COLLECT { MATCH (t)<-[:IN_TERRITORY]-(u:UseCase {review_state: 'published'})-[i:INVOLVES]->(a)
            RETURN [a.slug, CASE WHEN a:Actor THEN coalesce(a.subkind, '') END, i.role] AS presence
            UNION ALL
            MATCH (t)<-[p:PRESENT_IN]-(a)
            RETURN [a.slug, CASE WHEN a:Actor THEN coalesce(a.subkind, '') END, p.role] AS presence } AS presences
ORDER BY slug
"""

USE_CASE_FACTS = """
MATCH (u:UseCase {review_state: 'published'})
RETURN u.slug AS slug, u.status AS status, u.governance AS governance, u.data AS data,
  COLLECT { MATCH (u)-[:IN_DOMAIN]->(d) RETURN d.slug } AS domains,
  COLLECT { MATCH (u)-[:IN_TERRITORY]->(t) WHERE t:Territory OR t:Actor
            RETURN [t.slug, coalesce(t.country, '')] } AS territories,
  COLLECT { MATCH (u)-[i:INVOLVES]->(a) WHERE a:Territory OR a:Actor
            RETURN [a.slug, coalesce(a.subkind, ''), i.role] } AS actors,
  COLLECT { MATCH (u)-[:RELIES_ON]->(s)-[:AVAILABLE_IN]->(t:Territory)
            RETURN [s.key, t.slug, CASE WHEN t.subkind = 'country' THEN coalesce(t.country, '') ELSE '' END] } AS services
ORDER BY slug
"""

# The same facts of given records only (their keys in $keys), found through the key's index.
TERRITORY_FACTS_OF = TERRITORY_FACTS.replace(
    "MATCH (t:Territory)\n", "MATCH (t:Record) WHERE t.key IN $keys AND t:Territory\n", 1
)
USE_CASE_FACTS_OF = USE_CASE_FACTS.replace(
    "MATCH (u:UseCase {review_state: 'published'})\n",
    "MATCH (u:Record) WHERE u.key IN $keys AND u:UseCase AND u.review_state = 'published'\n",
    1,
)
assert TERRITORY_FACTS_OF != TERRITORY_FACTS and USE_CASE_FACTS_OF != USE_CASE_FACTS


MAX_PATH_HOPS = 8  # the API's maxHops cap (api/queries.py MAX_HOPS)


def shortest_paths(visibility: Visibility, kept: bool = False) -> str:
    """Every shortest undirected path from $start to $end that avoids hidden records, both ends
    included (a hidden end finds nothing, as a missing one does), at most $max_hops long.

    The predicate reads only the node and parameters, so Neo4j applies it during the
    breadth-first search instead of filtering afterwards.  The bound of the pattern cannot be a
    parameter in Cypher: it is the cap, and the length asked is a filter on the shortest paths
    found (the shortest are too long exactly when none is short enough), so the statement's
    text, and its plan, are the same for every maxHops.  `kept`: the records between the two
    ends are of $kinds, a predicate on every node of the path (the ends pass by their key) so
    that it too is applied during the search.
    """
    kinds = " AND (n.key IN [$start, $end] OR n.kind IN $kinds)" if kept else ""
    return f"""
MATCH (a:Record {{key: $start}}), (b:Record {{key: $end}})
MATCH p = allShortestPaths((a)-[*..{MAX_PATH_HOPS}]-(b))
WHERE all(n IN nodes(p) WHERE {visible(visibility, "n")}{kinds})
WITH p WHERE length(p) <= $max_hops
RETURN [n IN nodes(p) | n.key] AS keys
"""
