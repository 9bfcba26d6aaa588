"""The floor: ONE hand-written statement per page, SQL for SQLite and Cypher for Neo4j, that
returns the same records and fields as the GraphQL answer, timed through the raw driver.

No server can answer a page faster than its store answers this one statement, so our page's
p50 is read against it (the goal: at most 3× the floor's). Linked lists follow the API's
rules: published records only, ordered by slug, 20 items unless the operation asks more.
"""

from __future__ import annotations

import base64
import json
import sqlite3
import time
from collections.abc import Callable
from typing import Any

from neo4j import GraphDatabase

PUBLISHED = "review_state = 'published'"
DATABASE = "neo4j"  # the local Neo4j's only database; naming it saves a round trip per statement


def _sql_links(target: str, source_col: str, rel: str, kind: str, fields: str, limit: int, role: bool = False) -> str:
    """A JSON array of the records linked to `target` (a column), ordered by slug."""
    near, far = ("source_key", "target_key") if source_col == "source" else ("target_key", "source_key")
    role_field = "'role', x.role, " if role else ""
    return f"""(SELECT json_group_array(json_object({role_field}{fields})) FROM (
        SELECT link.role, linked.* FROM links link JOIN records linked ON linked.key = link.{far}
        WHERE link.{near} = {target} AND link.rel = '{rel}' AND linked.kind = '{kind}' AND linked.{PUBLISHED}
        ORDER BY linked.slug LIMIT {limit}) x)"""


SQL = {
    "list_page": f"""
WITH page AS (
  SELECT * FROM records WHERE kind = 'UseCase' AND {PUBLISHED} ORDER BY slug LIMIT 20 OFFSET :offset)
SELECT p.slug, json_extract(p.data, '$.title') AS title, p.status, p.governance, p.year_start,
  (SELECT count(*) FROM records WHERE kind = 'UseCase' AND {PUBLISHED}) AS total,
  {_sql_links("p.key", "source", "IN_DOMAIN", "Domain", "'slug', x.slug, 'name', json_extract(x.data, '$.name')", 20)} AS domains,
  {_sql_links("p.key", "source", "IN_TERRITORY", "Territory", "'slug', x.slug, 'name', json_extract(x.data, '$.name'), 'country', x.country", 20)} AS territories,
  {_sql_links("p.key", "source", "INVOLVES", "Actor", "'slug', x.slug, 'name', json_extract(x.data, '$.name'), 'kind', x.subkind", 20, role=True)} AS actors
FROM page p ORDER BY p.slug""",
    "territory_page": f"""
SELECT t.slug, json_extract(t.data, '$.name') AS name, t.subkind AS kind, t.country,
  json_extract(t.data, '$.programme_status') AS programme_status, json_extract(t.data, '$.languages') AS languages,
  t.sources,
  (SELECT json_group_array(json_object('slug', x.slug, 'title', json_extract(x.data, '$.title'), 'domains', json(x.domains)))
   FROM (SELECT r.slug, r.data, {_sql_links("r.key", "source", "IN_DOMAIN", "Domain", "'slug', x.slug", 20)} AS domains
         FROM links l JOIN records r ON r.key = l.source_key
         WHERE l.target_key = t.key AND l.rel = 'IN_TERRITORY' AND r.kind = 'Priority' AND r.{PUBLISHED}
         ORDER BY r.slug LIMIT 20) x) AS priorities,
  {_sql_links("t.key", "target", "PRESENT_IN", "Actor", "'slug', x.slug, 'name', json_extract(x.data, '$.name'), 'kind', x.subkind", 50, role=True)} AS actors,
  (SELECT json_group_array(json_object('slug', x.slug, 'title', json_extract(x.data, '$.title'), 'status', x.status, 'domains', json(x.domains)))
   FROM (SELECT r.slug, r.data, r.status, {_sql_links("r.key", "source", "IN_DOMAIN", "Domain", "'slug', x.slug", 20)} AS domains
         FROM links l JOIN records r ON r.key = l.source_key
         WHERE l.target_key = t.key AND l.rel = 'IN_TERRITORY' AND r.kind = 'UseCase' AND r.{PUBLISHED}
         ORDER BY r.slug LIMIT 50) x) AS use_cases,
  {_sql_links("t.key", "target", "IN_TERRITORY", "Experiment", "'slug', x.slug, 'title', json_extract(x.data, '$.title'), 'status', x.status", 20)} AS experiments
FROM records t WHERE t.key = 'Territory:' || :slug AND t.{PUBLISHED}""",
    "nodes": f"""
SELECT key, slug, data FROM records WHERE key IN (SELECT value FROM json_each(:keys)) AND {PUBLISHED}""",
}


def _cypher_links(pattern: str, fields: str, limit: int, var: str = "x", rel: str | None = None) -> str:
    """A list of maps of the published records `var` matched by `pattern`, ordered by slug."""
    carried = f"{var}, {rel}" if rel else var
    return f"""COLLECT {{ MATCH {pattern} WHERE {var}.{PUBLISHED}
    WITH {carried} ORDER BY {var}.slug LIMIT {limit} RETURN {{{fields}}} }}"""


CYPHER = {
    "list_page": f"""
CALL () {{ MATCH (v:UseCase) WHERE v.{PUBLISHED} RETURN count(v) AS total }}
MATCH (u:UseCase) WHERE u.{PUBLISHED}
WITH u, total ORDER BY u.slug SKIP $offset LIMIT 20
RETURN u.slug AS slug, u.data AS data, u.status AS status, u.governance AS governance, u.year_start AS year_start,
  total,
  {_cypher_links("(u)-[:IN_DOMAIN]->(x:Domain)", "slug: x.slug, data: x.data", 20)} AS domains,
  {_cypher_links("(u)-[:IN_TERRITORY]->(x:Territory)", "slug: x.slug, data: x.data, country: x.country", 20)} AS territories,
  {_cypher_links("(u)-[l:INVOLVES]->(x:Actor)", "role: l.role, slug: x.slug, data: x.data, kind: x.subkind", 20, rel="l")} AS actors""",
    "territory_page": f"""
MATCH (t:Territory {{key: 'Territory:' + $slug}}) WHERE t.{PUBLISHED}
RETURN t.slug AS slug, t.data AS data, t.sources AS sources, t.country AS country, t.subkind AS kind,
  COLLECT {{ MATCH (t)<-[:IN_TERRITORY]-(x:Priority) WHERE x.{PUBLISHED} WITH x ORDER BY x.slug LIMIT 20
    RETURN {{slug: x.slug, data: x.data,
      domains: {_cypher_links("(x)-[:IN_DOMAIN]->(d:Domain)", "slug: d.slug", 20, var="d")}}} }} AS priorities,
  {_cypher_links("(t)<-[l:PRESENT_IN]-(x:Actor)", "role: l.role, slug: x.slug, data: x.data, kind: x.subkind", 50, rel="l")} AS actors,
  COLLECT {{ MATCH (t)<-[:IN_TERRITORY]-(x:UseCase) WHERE x.{PUBLISHED} WITH x ORDER BY x.slug LIMIT 50
    RETURN {{slug: x.slug, data: x.data, status: x.status,
      domains: {_cypher_links("(x)-[:IN_DOMAIN]->(d:Domain)", "slug: d.slug", 20, var="d")}}} }} AS use_cases,
  {_cypher_links("(t)<-[:IN_TERRITORY]-(x:Experiment)", "slug: x.slug, data: x.data, status: x.status", 20)} AS experiments""",
    "nodes": f"""
MATCH (r:Record) WHERE r.key IN $keys AND r.{PUBLISHED} RETURN r.key AS key, r.slug AS slug, r.data AS data""",
}

OPERATIONS = tuple(SQL)


def floor_parameters(op: str, variables: dict[str, Any]) -> dict[str, Any]:
    """The statement's parameters for a request's GraphQL variables (ours)."""
    if op == "list_page":
        after = variables.get("after")
        offset = int(base64.b64decode(after).decode().split(":")[1]) + 1 if after else 0
        return {"offset": offset}
    if op == "nodes":
        return {"keys": [base64.b64decode(i).decode() for i in variables["ids"]]}
    return {"slug": variables["slug"]}


def sqlite_runner(path: str) -> tuple[Callable[[str, dict[str, Any]], list[dict[str, Any]]], Callable[[], None]]:
    """Run a floor statement on a SQLite file with the standard sqlite3 module."""
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
    connection.row_factory = sqlite3.Row

    def run(op: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        values = {k: json.dumps(v) if isinstance(v, list) else v for k, v in params.items()}  # lists via json_each
        return [dict(row) for row in connection.execute(SQL[op], values).fetchall()]

    return run, connection.close


def neo4j_runner(uri: str) -> tuple[Callable[[str, dict[str, Any]], list[dict[str, Any]]], Callable[[], None]]:
    """Run a floor statement on Neo4j with the official driver (one auto-commit read)."""
    driver = GraphDatabase.driver(uri)

    def run(op: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        records, _, _ = driver.execute_query(CYPHER[op], params, routing_="r", database_=DATABASE)
        return [record.data() for record in records]

    return run, driver.close


def time_floor(
    run: Callable[[str, dict[str, Any]], list[dict[str, Any]]],
    op: str,
    params: list[dict[str, Any]],
    max_requests: int,
    seconds: float,
) -> dict[str, float]:
    """p50 and p95 (ms) of the statement at concurrency 1, bounded in count and time."""
    for p in params[:20]:  # warm-up: statement caches, page cache, the JIT
        run(op, p)
    latencies = []
    stop_at = time.perf_counter() + seconds
    for p in params[:max_requests]:
        if time.perf_counter() > stop_at:
            break
        started = time.perf_counter()
        run(op, p)
        latencies.append(time.perf_counter() - started)
    latencies.sort()
    n = len(latencies)
    return {"requests": n, "p50_ms": latencies[n // 2] * 1000, "p95_ms": latencies[min(n - 1, int(n * 0.95))] * 1000}


def _slugs(items: Any) -> list[str]:
    items = json.loads(items) if isinstance(items, str) else items
    return [item["slug"] for item in items or []]


def floor_shape(op: str, rows: list[dict[str, Any]]) -> Any:
    """The slugs of a floor answer, in the shape `api_shape` gives an API answer."""
    if op == "list_page":
        return [[r["slug"], _slugs(r["domains"]), _slugs(r["territories"]), _slugs(r["actors"])] for r in rows]
    if op == "nodes":
        return sorted(r["key"] for r in rows)
    if not rows:
        return None
    t = rows[0]
    priorities = json.loads(t["priorities"]) if isinstance(t["priorities"], str) else t["priorities"]
    use_cases = json.loads(t["use_cases"]) if isinstance(t["use_cases"], str) else t["use_cases"]
    return [
        t["slug"],
        [[p["slug"], _slugs(p["domains"])] for p in priorities],
        _slugs(t["actors"]),
        [[u["slug"], _slugs(u["domains"])] for u in use_cases],
        _slugs(t["experiments"]),
    ]
