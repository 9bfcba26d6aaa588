"""Records decoded once across answers (issue 15): a record read again, unchanged, is not decoded
again, and a changed one (a new version, a new review state) is read as it now is, on every store."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest

from registry.domain.records import Kind, Record, ReviewState
from registry.store.port import EVERYTHING, PUBLIC, Put, RecordQuery, Store, Visibility, WriteBatch
from tests.contract.builders import AT, create, domain, updated, use_case


def _page(store: Store, visibility: Visibility = PUBLIC) -> dict[str, Record]:
    page = store.query(RecordQuery(kinds=(Kind.USE_CASE, Kind.DOMAIN), limit=50, visibility=visibility))
    return {r.slug: r for r in page.records}


def test_a_record_read_again_unchanged_is_not_decoded_again(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    create(store, [use_case("solar", "Solar cooperative"), domain("energy", "Energy")])
    first = _page(store)
    decoded: list[str] = []

    def counting_loads(text: str, **kw: Any) -> Any:
        decoded.append(text)
        return json.loads(text, **kw)

    monkeypatch.setattr(json, "loads", counting_loads)  # the module codec decodes with
    again = _page(store)
    assert again == first
    assert decoded == []


def test_a_changed_record_is_read_as_it_now_is(store: Store) -> None:
    solar = use_case("solar", "Solar cooperative")
    create(store, [solar])
    assert _page(store)["solar"] == solar

    renamed = updated(solar, title={"en": "Solar commons"})
    store.write(WriteBatch(puts=[Put(renamed, solar.version)], at=AT))
    assert _page(store)["solar"] == renamed

    # The same data, sources, times and version in another review state: another record to a reader.
    withdrawn = replace(renamed, review_state=ReviewState.SUBMITTED, hub="hub-a")
    store.write(WriteBatch(puts=[Put(withdrawn, renamed.version)], at=AT))
    assert "solar" not in _page(store)
    assert _page(store, EVERYTHING)["solar"] == withdrawn
