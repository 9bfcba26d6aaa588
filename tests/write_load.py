"""Concurrent writers over HTTP, shared by the contention tests (one app, two server processes).

Every writer is a client sending GraphQL mutations at the same moment as the others; the
clients may point at different servers of one store.  The checks are what a client relies
on: an uncontended write succeeds, of writers racing on one version exactly one wins and the
others get CONFLICT, every replay of an idempotency key gets the first answer byte for byte,
and nothing else (no INTERNAL, no 5xx) ever comes back.
"""

from __future__ import annotations

import asyncio
import base64
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

from registry.store.port import Store

WRITERS = 32
HANG_GUARD_SECONDS = 60.0  # not a speed check: only a request that hangs fails on it

TERRITORY = "territory { id slug version name }"
CREATE = (
    "mutation ($input: TerritoryInput!, $key: String) {"
    f" createTerritory(input: $input, idempotencyKey: $key) {{ {TERRITORY} errors {{ code field message }} }} }}"
)
UPDATE = (
    "mutation ($id: ID!, $version: Int!, $input: TerritoryInput!, $key: String) {"
    " updateTerritory(id: $id, version: $version, input: $input, idempotencyKey: $key)"
    f" {{ {TERRITORY} errors {{ code field message }} }} }}"
)


def territory_id(slug: str) -> str:
    return base64.b64encode(f"Territory:{slug}".encode()).decode()


def territory_input(slug: str, name: str) -> dict[str, Any]:
    return {
        "slug": slug,
        "name": {"en": name, "fr": name},
        "kind": "CITY",
        "country": "FR",
        "programmeStatus": "PILOT_CITY",
    }


@dataclass
class Answer:
    """One mutation's answer: its payload (data of the one mutation field) and raw bytes."""

    status: int
    body: dict[str, Any]
    raw: bytes
    seconds: float

    @property
    def payload(self) -> dict[str, Any]:
        data = self.body.get("data") or {}
        # a field may answer null (a read that found nothing): that is an empty payload, not a crash
        return (next(iter(data.values())) or {}) if data else {}

    @property
    def codes(self) -> list[str]:
        return [e["code"] for e in self.payload.get("errors", [])]

    @property
    def ok(self) -> bool:
        return self.status == 200 and "errors" not in self.body and not self.codes


@dataclass
class Load:
    """Clients of one or more servers of one store, each request sent by the next client in turn."""

    clients: Sequence[httpx.AsyncClient]
    token: str
    answers: list[Answer] = field(default_factory=list)
    _turn: int = 0

    async def send(self, query: str, variables: dict[str, Any]) -> Answer:
        client = self.clients[self._turn % len(self.clients)]
        self._turn += 1
        started = time.monotonic()
        response = await client.post(
            "/graphql",
            json={"query": query, "variables": variables},
            headers={"Authorization": f"Bearer {self.token}"},
        )
        answer = Answer(response.status_code, response.json(), response.content, time.monotonic() - started)
        self.answers.append(answer)
        return answer

    def unexpected(self) -> list[Answer]:
        """Answers a client cannot act on: a non-200, a top-level error, or an error code
        other than the typed ones a write race gives."""
        return [
            a for a in self.answers if a.status != 200 or "errors" in a.body or set(a.codes) - {"CONFLICT", "DUPLICATE"}
        ]

    def slowest(self) -> float:
        return max((a.seconds for a in self.answers), default=0.0)


async def uncontended(load: Load, prefix: str, per_writer: int) -> list[Answer]:
    """Each writer creates its own records and updates each once with its current version."""

    async def writer(w: int) -> list[Answer]:
        done = []
        for n in range(per_writer):
            slug = f"{prefix}-{w:02d}-{n}"
            created = await load.send(CREATE, {"input": territory_input(slug, f"City {w} {n}"), "key": None})
            done.append(created)
            if created.ok:
                version = created.payload["territory"]["version"]
                patch = territory_input(slug, f"City {w} {n} renamed")
                variables = {"id": territory_id(slug), "version": version, "input": patch, "key": None}
                done.append(await load.send(UPDATE, variables))
        return done

    results = await asyncio.gather(*(writer(w) for w in range(WRITERS)))
    return [a for answers in results for a in answers]


async def contended(load: Load, slug: str, rounds: int) -> list[list[Answer]]:
    """All writers update one record with the same version, round after round."""
    created = await load.send(CREATE, {"input": territory_input(slug, "Contended"), "key": None})
    assert created.ok, created.body
    version = created.payload["territory"]["version"]
    by_round = []
    for r in range(rounds):
        variables = [
            {"id": territory_id(slug), "version": version, "input": territory_input(slug, f"Round {r} writer {w}")}
            for w in range(WRITERS)
        ]
        answers = await asyncio.gather(*(load.send(UPDATE, {**v, "key": None}) for v in variables))
        by_round.append(list(answers))
        version += 1
    return by_round


async def replayed(load: Load, slug: str, key: str) -> tuple[list[Answer], list[Answer]]:
    """All writers send one create with one idempotency key, then one update with another."""
    create = {"input": territory_input(slug, "Replayed"), "key": f"{key}-create"}
    creates = await asyncio.gather(*(load.send(CREATE, create) for _ in range(WRITERS)))
    update = {
        "id": territory_id(slug),
        "version": 1,
        "input": territory_input(slug, "Replayed, renamed"),
        "key": f"{key}-update",
    }
    updates = await asyncio.gather(*(load.send(UPDATE, update) for _ in range(WRITERS)))
    return list(creates), list(updates)


def audit_holds(store: Store) -> tuple[int, list[str]]:
    """How many record writes the audit trail holds (key and hub entries, which have no
    version, aside), and what breaks its promises: numbers 1..n without a gap, and each
    record's versions in the order of their numbers (audit order is commit order)."""
    entries, total = store.audit_page(0, 100_000)
    problems = []
    if [e.seq for e in entries] != list(range(1, total + 1)):
        problems.append(f"audit numbers are not 1..{total}: {[e.seq for e in entries][:20]}…")
    last_version: dict[str, int] = {}
    writes = 0
    for entry in entries:
        if entry.version_after is None:
            continue
        writes += 1
        if entry.version_after <= last_version.get(entry.ref, 0):
            problems.append(f"{entry.ref} version {entry.version_after} numbered after a later version")
        last_version[entry.ref] = entry.version_after
    return writes, problems


def summary(load: Load) -> str:
    codes = Counter(code for a in load.answers for code in a.codes)
    return f"{len(load.answers)} requests, errors {dict(codes)}, slowest {load.slowest():.2f} s"
