"""The roadmap method is answered from the store: seeded from seeds/method.toml, never read at run time."""

from __future__ import annotations

import base64
import tomllib
from dataclasses import replace
from typing import Any

from registry.domain.records import Kind, Ref
from registry.services.seeding import DEFAULT_SEEDS
from registry.store.codec import now
from registry.store.port import EVERYTHING, AuditDraft, Put, WriteBatch
from tests.api.conftest import Api

METHOD = """{ method {
  phases { number fr: title(lang: FR) en: title periods steps sources { url title seen page homePageOnly } }
  workshopKinds { kind phase fr: label(lang: FR) en: label sources { url title seen page homePageOnly } }
  cases { number prioritiesDefined fr: title(lang: FR) en: title sources { url title seen page homePageOnly } }
} }"""


def _sources(item: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "url": s["url"],
            "title": s["title"],
            "seen": None,
            "page": s.get("page"),
            "homePageOnly": s.get("home_page_only"),
        }
        for s in item["sources"]
    ]


def _as_the_file_states_it() -> dict[str, Any]:
    """The answer, read straight from the seed file: the order, the values and the sources as stated."""
    data = tomllib.loads((DEFAULT_SEEDS / "method.toml").read_text(encoding="utf-8"))
    return {
        "phases": [
            {
                "number": p["number"],
                "fr": p["title"]["fr"],
                "en": p["title"]["en"],
                "periods": p["period"],
                "steps": p["steps"],
                "sources": _sources(p),
            }
            for p in data["phase"]
        ],
        "workshopKinds": [
            {
                "kind": w["slug"].upper(),
                "phase": w.get("phase"),
                "fr": w["label"]["fr"],
                "en": w["label"]["en"],
                "sources": _sources(w),
            }
            for w in data["workshop_kind"]
        ],
        "cases": [
            {
                "number": c["number"],
                "prioritiesDefined": c["priorities_defined"],
                "fr": c["title"]["fr"],
                "en": c["title"]["en"],
                "sources": _sources(c),
            }
            for c in data["case"]
        ],
    }


def test_the_method_answers_exactly_what_the_seed_file_states(api: Api) -> None:
    # given the seeded registry, the method is answered in the file's order, with its values and sources
    assert api.data(METHOD)["method"] == _as_the_file_states_it()


def test_the_method_is_read_from_the_store_not_from_the_file(api: Api) -> None:
    # given the first phase changed in the store (the seed file on disk is left as it is)
    ref = Ref(Kind.METHOD_PHASE, "phase-1")
    old = api.store.get([ref], EVERYTHING)[ref]
    title = {"fr": "Explorer (titre du store)", "en": "Explore (the store's title)"}
    new = replace(old, data={**old.data, "title": title, "steps": ["Une seule étape"]}, version=old.version + 1)
    batch = WriteBatch(at=now())
    batch.puts.append(Put(new, old.version))
    batch.audit.append(AuditDraft("test", "update", str(ref), old.version, new.version))
    api.store.write(batch)
    # when the method is asked for, then the API answers the store's values
    phase = api.data(METHOD)["method"]["phases"][0]
    assert (phase["fr"], phase["en"], phase["steps"]) == (title["fr"], title["en"], ["Une seule étape"])
    assert phase != _as_the_file_states_it()["phases"][0]


def test_a_store_without_the_method_answers_an_empty_method(api: Api) -> None:
    # given a store whose method records are gone (as on a store seeded before the method was stored)
    method = [r for r in api.store.iter_records() if r.kind.value.startswith("Method")]
    assert len(method) == 11
    api.store.clear()
    # then nothing is read from the file: the method is empty until the store is seeded again
    assert api.data(METHOD)["method"] == {"phases": [], "workshopKinds": [], "cases": []}


def test_method_records_are_no_nodes_and_are_not_found_by_search(api: Api) -> None:
    # a global ID of a method record names nothing of the public schema
    method_id = base64.b64encode(b"MethodPhase:phase-1").decode()
    found = api.data(
        "query ($id: ID!, $ids: [ID!]!) { node(id: $id) { id } nodes(ids: $ids) { id } }",
        {"id": method_id, "ids": [method_id]},
    )
    assert found == {"node": None, "nodes": [None]}
    # and search finds the programme's entries only, never the method's records
    hits = api.data('{ search(text: "Explorer analyser", first: 100) { totalCount nodes { __typename } } }')["search"]
    assert all(node["__typename"] != "MethodPhase" for node in hits["nodes"])
    swot = api.data('{ search(text: "swot", first: 100) { nodes { id } } }')["search"]["nodes"]
    ids = {base64.b64decode(node["id"]).decode().split(":")[0] for node in swot}
    assert not ids & {"MethodPhase", "MethodWorkshopKind", "MethodCase"}
