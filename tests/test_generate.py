"""`registry generate`: a deterministic synthetic network, shaped like the seeds, in any store."""

from __future__ import annotations

import io
import tomllib
from collections import Counter
from pathlib import Path

import pytest

from registry.domain.errors import ErrorCode, RegistryError
from registry.domain.records import Kind, Link, Record, Ref, Rel, ReviewState
from registry.domain.vocabulary import ACTOR_KINDS
from registry.kinds.method import METHOD_KINDS
from registry.services.seeding import DEFAULT_SEEDS, read_seeds, seed
from registry.services.transfer import export
from registry.services.validation import check_fields, check_link, check_slug
from registry.store.port import EVERYTHING, PUBLIC, RecordQuery, Store, Visibility
from registry.synthetic.loading import generate_into
from registry.synthetic.network import COUNTRY_CODES, SOURCE_URL, generate
from tests.conftest import MakeStore
from tests.test_cli import registry


def _network(scale: int, seed: int = 0) -> tuple[list[Record], list[Link]]:
    records: list[Record] = []
    links: list[Link] = []
    for chunk in generate(scale, seed):
        records += chunk.records
        links += chunk.links
    return records, links


def _exported(store: Store) -> str:
    out = io.StringIO()
    export(store, out)
    return out.getvalue()


def _totals(store: Store, visibility: Visibility = EVERYTHING) -> dict[Kind, int]:
    return {kind: store.query(RecordQuery(kinds=(kind,), visibility=visibility, limit=0)).total for kind in Kind}


def test_the_same_seed_gives_the_same_export_and_another_seed_another(make_store: MakeStore) -> None:
    exports = []
    for seed_value in (5, 5, 6):
        store = make_store("sqlite")
        generate_into(store, 1, seed_value)
        exports.append(_exported(store))
    assert exports[0] == exports[1]
    assert exports[0] != exports[2]


@pytest.mark.parametrize("scale", [1, 3])
def test_the_network_is_shaped_like_the_seeds_and_valid(scale: int) -> None:
    records, links = _network(scale)
    kinds = Counter(r.kind for r in records)
    # sizes: the seeds' (17 territories, 54 organisations, 26 use cases, about 230 links) times the scale
    assert set(kinds) == set(Kind)
    assert (kinds[Kind.TERRITORY], kinds[Kind.ACTOR], kinds[Kind.USE_CASE]) == (17 * scale, 54 * scale, 26 * scale)
    seeded_domains = tomllib.loads((DEFAULT_SEEDS / "domains.toml").read_text(encoding="utf-8"))["domain"]
    assert kinds[Kind.DOMAIN] == len(seeded_domains)  # the real vocabulary, whatever the scale
    seeded_method = [r for r in read_seeds()[0] if r.kind in METHOD_KINDS]  # and the real method
    assert sorted((r.ref, r.data, r.sources) for r in records if r.kind in METHOD_KINDS) == sorted(
        (r.ref, r.data, r.sources) for r in seeded_method
    )
    assert 200 * scale <= len(links) <= 340 * scale
    # every record as the services would accept it, clearly synthetic, and every link allowed
    refs = {r.ref for r in records}
    assert len(refs) == len(records)
    for r in records:
        check_slug(r.slug)
        assert check_fields(r.kind, r.data) == r.data
        # the domains and the roadmap method are the real ones, with their sources
        if r.kind is not Kind.DOMAIN and r.kind not in METHOD_KINDS:
            assert r.slug.startswith("synthetic-") and [s.url for s in r.sources] == [SOURCE_URL]
            assert "Synthetic" in str(r.data.get("name") or r.data.get("title") or r.data.get("text"))
        assert r.data.get("country") in (None, *COUNTRY_CODES)
    for link in links:
        assert check_link(link, "link") == link
        assert link.source in refs and link.target in refs
    assert len(set(links)) == len(links)
    # organisations of every kind, some national or global ones present on many territories
    assert {r.data["actor_kind"] for r in records if r.kind is Kind.ACTOR} == set(ACTOR_KINDS)
    presences = Counter(link.source for link in links if link.rel is Rel.PRESENT_IN)
    assert max(presences.values()) >= 3
    # use cases skewed: a few territories have many, several have none
    per_territory = Counter(
        link.target for link in links if link.rel is Rel.IN_TERRITORY and link.source.kind is Kind.USE_CASE
    )
    mean = sum(per_territory.values()) / kinds[Kind.TERRITORY]
    assert max(per_territory.values()) >= 3 * mean
    at_most_one = kinds[Kind.TERRITORY] - sum(1 for n in per_territory.values() if n > 1)
    assert at_most_one >= kinds[Kind.TERRITORY] / 2
    # case studies in review, so visibility matters; experiments replicate use cases and serve priorities
    states = Counter(r.review_state for r in records if r.kind is Kind.USE_CASE)
    assert states[ReviewState.PUBLISHED] > 0.8 * kinds[Kind.USE_CASE] and len(states) > 1
    assert all(r.hub for r in records if r.review_state is not ReviewState.PUBLISHED)
    rels = Counter(link.rel for link in links)
    assert rels[Rel.REPLICATES] == rels[Rel.SERVES] == kinds[Kind.EXPERIMENT]


def test_generate_refuses_a_store_that_is_not_empty_and_changes_nothing(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'seeded.db'}"
    assert registry("seed", "--store", url, cwd=tmp_path).returncode == 0
    before = registry("export", "--store", url, cwd=tmp_path).stdout
    refused = registry("generate", "--scale", "1", "--store", url, cwd=tmp_path)
    assert refused.returncode == 1
    assert refused.stderr.strip().count("\n") == 0 and "not empty" in refused.stderr
    assert registry("export", "--store", url, cwd=tmp_path).stdout == before


def test_generate_into_a_store_with_records_raises_invalid_state(make_store: MakeStore) -> None:
    store = make_store("sqlite")
    seed(store)
    before = _exported(store)
    with pytest.raises(RegistryError) as refused:
        generate_into(store, 1, 0)
    assert refused.value.code is ErrorCode.INVALID_STATE
    assert _exported(store) == before


def test_the_cli_prints_one_summary_line_and_the_store_holds_the_network(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'synthetic.db'}"
    done = registry("generate", "--scale", "2", "--seed", "4", "--store", url, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("\n") == 1 and "34 Territory" in done.stdout and "links" in done.stdout
    assert done.stderr == ""  # no progress bar when stderr is not a terminal
    records, links = _network(2, 4)
    exported = registry("export", "--store", url, cwd=tmp_path).stdout
    assert exported.count('"type":"record"') == len(records)
    assert exported.count('"type":"link"') == len(links)


def test_every_store_loads_the_network_and_answers_the_same_counts(store: Store) -> None:
    records, links = _network(2, 9)
    report = generate_into(store, 2, 9)
    expected = Counter(r.kind for r in records)
    assert _totals(store) == {kind: expected[kind] for kind in Kind}
    assert report.links == len(links) == sum(1 for _ in store.iter_links())
    assert sum(report.counts.values()) == len(records)
    # drafts and submitted case studies are hidden from anonymous callers
    published = sum(1 for r in records if r.kind is Kind.USE_CASE and r.review_state is ReviewState.PUBLISHED)
    assert _totals(store, PUBLIC)[Kind.USE_CASE] == published < expected[Kind.USE_CASE]
    assert {h.slug for h in store.hubs()} >= {r.hub for r in records if r.hub}


@pytest.mark.neo4j
@pytest.mark.parametrize("rows_per_transaction", [100_000, 10])
def test_a_neo4j_load_that_fails_leaves_the_store_empty(
    make_store: MakeStore, monkeypatch: pytest.MonkeyPatch, rows_per_transaction: int
) -> None:
    import graph.store

    # given a load small enough for one transaction, or forced into one per batch
    monkeypatch.setattr(graph.store, "_ONE_TRANSACTION_ROWS", rows_per_transaction)
    monkeypatch.setattr(graph.store, "_LOAD_BATCH", 5)
    store = make_store("neo4j")
    records, links = _network(1)
    missing = Link(records[-1].ref, Rel.IN_DOMAIN, Ref(Kind.DOMAIN, "no-such-domain"))
    # when a link's end does not exist
    with pytest.raises(RegistryError) as failed:
        store.load(records, [*links, missing], [])
    # then it says which, and nothing of the load stays
    assert failed.value.code is ErrorCode.NOT_FOUND and "no-such-domain" in failed.value.message
    assert store.is_empty()
