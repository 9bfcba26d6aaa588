"""The bench's own assertion: the floor statements and the peer return the same records as our API.

Each answer is reduced to the same shape of slugs (the page's records, and each one's linked
records in order), so a wrong statement or a peer query that drops a filter shows up as a mismatch.
"""

from __future__ import annotations

import base64
import json
import urllib.request
from typing import Any


def post(port: int, body: str) -> Any:
    """One GraphQL request to a server under test; its `data`, or an error with the body."""
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql", data=body.encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        answer = json.loads(response.read())
    if answer.get("errors"):
        raise AssertionError(f"the server answered errors: {json.dumps(answer['errors'])[:500]}")
    return answer["data"]


def _nodes(connection: dict[str, Any]) -> list[str]:
    return [node["slug"] for node in connection["nodes"]]


def _edges(connection: dict[str, Any]) -> list[str]:
    return [edge["node"]["slug"] for edge in connection["edges"]]


def ours_shape(op: str, data: dict[str, Any]) -> Any:
    """The slugs of our API's answer."""
    if op == "list_page":
        return [
            [
                e["node"]["slug"],
                _nodes(e["node"]["domains"]),
                _nodes(e["node"]["territories"]),
                _edges(e["node"]["actors"]),
            ]
            for e in data["useCases"]["edges"]
        ]
    if op == "nodes":  # the distinct records found, by key
        return sorted({base64.b64decode(n["id"]).decode() for n in data["nodes"] if n is not None})
    t = data["territory"]
    if t is None:
        return None
    return [
        t["slug"],
        [[p["slug"], _nodes(p["domains"])] for p in t["priorities"]["nodes"]],
        _edges(t["actors"]),
        [[u["slug"], _nodes(u["domains"])] for u in t["useCases"]["nodes"]],
        _nodes(t["experiments"]),
    ]


def _slugs(items: list[dict[str, Any]]) -> list[str]:
    return [item["slug"] for item in items]


def peer_shape(op: str, data: dict[str, Any]) -> Any:
    """The slugs of the peer's answer (its own field names)."""
    if op == "list_page":
        return [
            [
                e["node"]["slug"],
                _slugs(e["node"]["domains"]),
                _slugs(e["node"]["territories"]),
                _edges(e["node"]["actorsConnection"]),
            ]
            for e in data["useCasesConnection"]["edges"]
        ]
    if op == "nodes":
        return sorted(record["key"] for records in data.values() for record in records)
    if not data["territories"]:
        return None
    t = data["territories"][0]
    return [
        t["slug"],
        [[p["slug"], _slugs(p["domains"])] for p in t["priorities"]],
        _edges(t["actorsConnection"]),
        [[u["slug"], _slugs(u["domains"])] for u in t["useCases"]],
        _slugs(t["experiments"]),
    ]


def compare(what: str, expected: Any, got: Any) -> str | None:
    """None when equal, else a short description of the first difference."""
    if expected == got:
        return None
    return f"{what}: expected {json.dumps(expected)[:300]}, got {json.dumps(got)[:300]}"
