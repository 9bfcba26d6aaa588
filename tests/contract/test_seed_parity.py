"""Every store answers the programme's real seeds exactly as the SQLite store does.

A canonical dump (records, links, queries of every kind with many filters and orders,
the rankings' facts, counts and shortest paths) is taken from SQLite once, then from
each store, and the two must be equal.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, replace
from typing import Any

import pytest

from registry.domain.records import Kind, Link, Ref, Rel, ReviewState
from registry.services import seeding
from registry.services.seeding import seed
from registry.store.codec import columns, record_to_row, words
from registry.store.port import EVERYTHING, PUBLIC, RecordQuery, SortKey, Store, Visibility
from tests.conftest import MakeStore
from tests.contract.builders import AT, create, text, use_case

HUB = Visibility(hub="hub-mydata-france")
VISIBILITIES = (PUBLIC, HUB, EVERYTHING)
INDEXED = ("status", "subkind", "governance", "country")
DIMENSIONS = ("status", "subkind", "governance", "country", "domain", "territory")
SEARCHES = ("energie", "donnees", "data", "lyon", "mes", "cloud", "self data", "personnel", "ville", "coop", "zz")


def _seeded(store: Store, monkeypatch: pytest.MonkeyPatch) -> Store:
    """The real seeds at a fixed time, plus case studies in review, so visibility matters."""
    monkeypatch.setattr(seeding, "now", lambda: AT)
    seed(store)
    drafts = [
        use_case("hub-draft", review_state=ReviewState.DRAFT, hub="hub-mydata-france", year_start=2022, status="idea"),
        use_case("hub-submitted", review_state=ReviewState.SUBMITTED, hub="hub-mydata-france", governance="unknown"),
        use_case("other-hub", review_state=ReviewState.SUBMITTED, hub="other-hub", title=text("Énergie partagée")),
    ]
    links = [
        Link(drafts[0].ref, Rel.IN_TERRITORY, Ref(Kind.TERRITORY, "lyon")),
        Link(drafts[0].ref, Rel.IN_DOMAIN, Ref(Kind.DOMAIN, "energy")),
        Link(drafts[0].ref, Rel.INVOLVES, Ref(Kind.ACTOR, "cozy-cloud"), "platform"),
        Link(drafts[1].ref, Rel.IN_TERRITORY, Ref(Kind.TERRITORY, "grenoble")),
        Link(drafts[1].ref, Rel.IN_TERRITORY, Ref(Kind.TERRITORY, "lyon")),
        Link(drafts[2].ref, Rel.IN_DOMAIN, Ref(Kind.DOMAIN, "energy")),
        Link(drafts[2].ref, Rel.INVOLVES, Ref(Kind.ACTOR, "fing"), "lead"),
    ]
    create(store, drafts, links)
    return store


def _page(store: Store, query: RecordQuery) -> tuple[list[str], int]:
    page = store.query(query)
    return [str(r.ref) for r in page.records], page.total


def _queries(store: Store) -> Iterator[RecordQuery]:
    """Queries of every kind, order and caller, then one per filter value found in the data."""
    records = list(store.iter_records())
    for kind in Kind:
        for sort in SortKey:
            for descending in (False, True):
                for visibility in VISIBILITIES:
                    yield RecordQuery(kinds=(kind,), sort=sort, descending=descending, visibility=visibility, limit=500)
    everything = RecordQuery(kinds=tuple(Kind), sort=SortKey.NAME, visibility=HUB, limit=500)
    yield everything
    for offset, limit in ((0, 7), (7, 7), (130, 20), (500, 5)):
        yield replace(everything, offset=offset, limit=limit)
    for text_ in SEARCHES:
        yield replace(everything, words=words(text_))
    indexed = [columns(r) for r in records]
    values = {name: sorted({str(c[name]) for c in indexed if c[name] is not None}) for name in INDEXED}
    slugs = {kind: sorted(r.slug for r in records if r.kind is kind) for kind in Kind}
    cases = RecordQuery(kinds=(Kind.USE_CASE,), visibility=HUB, limit=500)
    for kind in (Kind.USE_CASE, Kind.ACTOR, Kind.TERRITORY, Kind.PRIORITY):
        base = replace(cases, kinds=(kind,))
        yield from (replace(base, statuses=(value,)) for value in values["status"])
        yield from (replace(base, countries=(value,)) for value in values["country"])
        yield from (replace(base, subkinds=(value,)) for value in values["subkind"])
        yield from (replace(base, territories=(slug,)) for slug in slugs[Kind.TERRITORY])
    yield from (replace(cases, governance=(value,)) for value in values["governance"])
    yield from (replace(cases, domains=(slug,)) for slug in slugs[Kind.DOMAIN])
    yield from (replace(cases, actors=(slug,)) for slug in slugs[Kind.ACTOR][::3])
    yield from (replace(cases, actor_kinds=(value,)) for value in values["subkind"])
    yield from (replace(cases, review_states=(state.value,), visibility=EVERYTHING) for state in ReviewState)
    for year in range(2010, 2026, 3):
        yield replace(cases, year_from=year)
        yield replace(cases, year_to=year)
        yield replace(cases, year_from=year, year_to=year + 2, sort=SortKey.YEAR, descending=True)
    yield replace(cases, domains=("energy", "health"), territories=("lyon", "grenoble"), words=("mes",))


def _paths(store: Store) -> Iterator[tuple[Ref, Ref, int, Visibility]]:
    records = sorted(r.ref for r in store.iter_records())
    starts = [r for r in records if r.kind in (Kind.TERRITORY, Kind.USE_CASE)][::3]
    ends = records[::7]
    for start in starts:
        for end in ends:
            yield start, end, 8, PUBLIC
        yield start, Ref(Kind.TERRITORY, "lyon"), 3, HUB
        yield start, Ref(Kind.USE_CASE, "hub-draft"), 8, HUB


def canonical_dump(store: Store) -> dict[str, Any]:
    """What the registry's users can read from a store, as plain comparable values."""
    refs = [r.ref for r in store.iter_records()]
    return {
        "records": [record_to_row(r) for r in store.iter_records()],
        "links": list(store.iter_links()),
        "links by relation": {rel.value: (store.links_from(refs, rel), store.links_to(refs[::2], rel)) for rel in Rel},
        "queries": [(repr(q), _page(store, q)) for q in _queries(store)],
        "territory facts": [asdict(f) for f in store.territory_facts()],
        "use case facts": [asdict(f) for f in store.use_case_facts()],
        "counts": {
            (kind.value, dimension, repr(visibility)): store.count_by(kind, dimension, visibility)
            for kind in Kind
            for dimension in DIMENSIONS
            for visibility in VISIBILITIES
        },
        "paths": [
            (str(s), str(e), hops, repr(v), store.shortest_path(s, e, hops, v)) for s, e, hops, v in _paths(store)
        ],
        "audit": store.audit_page(0, 1000),
        "hubs": store.hubs(),
    }


_REFERENCE: dict[str, Any] = {}


@pytest.fixture
def reference(make_store: MakeStore, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """The SQLite store's canonical dump of the seeds (made once per session)."""
    if not _REFERENCE:
        _REFERENCE.update(canonical_dump(_seeded(make_store("sqlite"), monkeypatch)))
    return _REFERENCE


def test_the_seeds_read_the_same_in_every_store(
    reference: dict[str, Any], store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given the seeds in this store
    _seeded(store, monkeypatch)
    # when everything a user can read is dumped
    dump = canonical_dump(store)
    # then it equals SQLite's dump, part by part
    assert dump.keys() == reference.keys()
    for part in reference:
        assert dump[part] == reference[part], part
    # and the dump is not trivially empty
    assert len(reference["records"]) > 100 and len(reference["queries"]) > 300
    assert sum(1 for *_, path in reference["paths"] if path is not None and len(path) > 3) > 10


def test_seeding_twice_changes_nothing(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    # given
    _seeded(store, monkeypatch)
    before = list(store.iter_records()), list(store.iter_links())
    # when
    report = seed(store)
    # then
    assert (report.created, report.updated) == (0, 0)
    assert (list(store.iter_records()), list(store.iter_links())) == before
