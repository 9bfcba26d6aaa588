"""The storage port's contract: writes, errors, books and whole-registry movement.

Every test runs once per store (see tests/conftest.py) and says what a user of the
port relies on, given / when / then.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from registry.domain.errors import ErrorCode, RegistryError, StoreUnavailable
from registry.domain.records import ApiKey, AuditEntry, Hub, Kind, Link, Record, Rel, ReviewState, Role
from registry.store.factory import open_store
from registry.store.port import EVERYTHING, PUBLIC, AuditDraft, Put, Store, Visibility, WriteBatch
from registry.store.sql.store import SqlStore
from tests.contract.builders import AT, actor, create, domain, link, territory, updated, use_case
from tests.tcp_relay import TcpRelay


def _error(store: Store, batch: WriteBatch) -> RegistryError:
    with pytest.raises(RegistryError) as caught:
        store.write(batch)
    return caught.value


# -- records -------------------------------------------------------------------------------------


def test_a_created_record_reads_back_exactly(store: Store) -> None:
    # given
    lyon = territory("lyon", "Lyon", population=522000, positions={"data_controller": True})
    case = use_case("energie", "Énergie partagée", review_state=ReviewState.SUBMITTED, hub="hub-a")
    # when
    create(store, [lyon, case])
    # then
    assert store.get([lyon.ref, case.ref, territory("nowhere").ref], EVERYTHING) == {lyon.ref: lyon, case.ref: case}
    assert store.get([], EVERYTHING) == {}


def test_a_record_without_times_reads_back_without_times(store: Store) -> None:
    # given a record written with no creation or update time
    bare = replace(domain("health"), created_at=None, updated_at=None)
    # when
    store.write(WriteBatch(puts=[Put(bare, None)]))
    # then
    assert store.get([bare.ref], EVERYTHING) == {bare.ref: bare}


def test_creating_a_taken_slug_is_a_duplicate_and_writes_nothing(store: Store) -> None:
    # given
    create(store, [territory("lyon", "Lyon")])
    # when the same slug is created again, in a batch that also creates another record
    batch = WriteBatch(puts=[Put(territory("paris"), None), Put(territory("lyon", "Other"), None)], at=AT)
    error = _error(store, batch)
    # then
    assert (error.code, error.field, error.message) == (ErrorCode.DUPLICATE, "slug", "Territory:lyon already exists.")
    assert list(store.get([territory("lyon").ref, territory("paris").ref], EVERYTHING)) == [territory("lyon").ref]
    assert store.get([territory("lyon").ref], EVERYTHING)[territory("lyon").ref].data["name"]["en"] == "Lyon"


def test_the_same_slug_twice_in_one_batch_is_a_duplicate(store: Store) -> None:
    error = _error(store, WriteBatch(puts=[Put(territory("lyon"), None), Put(territory("lyon"), None)], at=AT))
    assert error.code is ErrorCode.DUPLICATE
    assert store.is_empty()


def test_an_update_at_the_current_version_replaces_the_record(store: Store) -> None:
    # given
    lyon = territory("lyon", "Lyon")
    create(store, [lyon])
    # when
    newer = updated(lyon, name={"en": "Lyon Metropolis", "fr": "Métropole de Lyon"}, country="FR")
    store.write(WriteBatch(puts=[Put(newer, 1)], at=AT))
    # then
    assert store.get([lyon.ref], EVERYTHING)[lyon.ref] == newer


def test_an_update_keeps_the_creation_time(store: Store) -> None:
    # given
    lyon = territory("lyon")
    create(store, [lyon])
    # when the update carries another creation time
    store.write(WriteBatch(puts=[Put(replace(updated(lyon), created_at=AT + timedelta(days=9)), 1)], at=AT))
    # then
    assert store.get([lyon.ref], EVERYTHING)[lyon.ref].created_at == lyon.created_at


def test_a_stale_version_is_a_conflict_and_writes_nothing(store: Store) -> None:
    # given a record at version 2
    lyon = territory("lyon", "Lyon")
    create(store, [lyon])
    v2 = updated(lyon, country="BE")
    store.write(WriteBatch(puts=[Put(v2, 1)], at=AT))
    # when a client that saw version 1 writes, with a new record and a link in the batch
    paris = territory("paris")
    batch = WriteBatch(
        puts=[Put(paris, None), Put(updated(lyon, country="DE"), 1)],
        audit=[AuditDraft("admin:test", "update", "Territory:lyon", 1, 2)],
        idempotency=("admin:test|k1", "{}"),
        at=AT,
    )
    error = _error(store, batch)
    # then
    assert (error.code, error.field) == (ErrorCode.CONFLICT, "version")
    assert error.message == "Territory:lyon is at version 2, not 1."
    assert store.get([lyon.ref, paris.ref], EVERYTHING) == {lyon.ref: v2}
    assert store.audit_page(0, 10)[1] == 1
    assert store.idempotent_result("admin:test|k1") is None


def test_updating_a_missing_record_is_not_found(store: Store) -> None:
    error = _error(store, WriteBatch(puts=[Put(updated(territory("ghost")), 1)], at=AT))
    assert (error.code, error.field, error.message) == (ErrorCode.NOT_FOUND, "id", "Territory:ghost does not exist.")


@pytest.mark.parametrize("end", ["source", "target"])
def test_a_link_to_a_missing_record_rolls_back_the_whole_batch(store: Store, end: str) -> None:
    # given
    lyon, energy = territory("lyon"), domain("energy")
    create(store, [lyon, energy])
    # when one batch creates a use case, links it, and links a record that does not exist
    case = use_case("solar")
    ghost = actor("ghost")
    bad = Link(ghost.ref, Rel.PRESENT_IN, lyon.ref) if end == "source" else link(case, Rel.INVOLVES, ghost)
    batch = WriteBatch(
        puts=[Put(case, None)],
        add_links=[link(case, Rel.IN_DOMAIN, energy), bad],
        audit=[AuditDraft("admin:test", "create", str(case.ref), None, 1)],
        idempotency=("admin:test|once", "{}"),
        at=AT,
    )
    error = _error(store, batch)
    # then
    assert (error.code, error.field, error.message) == (ErrorCode.NOT_FOUND, end, "Actor:ghost does not exist.")
    assert store.get([case.ref], EVERYTHING) == {}
    assert store.links_to([energy.ref], Rel.IN_DOMAIN) == []
    assert store.audit_page(0, 10)[1] == 2
    assert store.idempotent_result("admin:test|once") is None


def test_links_are_added_replaced_and_removed(store: Store) -> None:
    # given
    lyon, grenoble, cozy, enedis = territory("lyon"), territory("grenoble"), actor("cozy"), actor("enedis")
    case = use_case("solar")
    create(store, [lyon, grenoble, cozy, enedis, case], [link(case, Rel.INVOLVES, cozy, "platform")])
    # when a link is added again with another role, and others are added
    store.write(
        WriteBatch(
            add_links=[
                link(case, Rel.INVOLVES, cozy, "operator"),
                link(case, Rel.INVOLVES, enedis, "data_holder"),
                link(case, Rel.IN_TERRITORY, lyon),
            ],
            at=AT,
        )
    )
    # then one link per (source, relation, target), with the last role
    assert store.links_from([case.ref], Rel.INVOLVES) == [
        link(case, Rel.INVOLVES, cozy, "operator"),
        link(case, Rel.INVOLVES, enedis, "data_holder"),
    ]
    # when the territories are replaced and one actor is removed
    store.write(
        WriteBatch(
            replace_links=[(case.ref, Rel.IN_TERRITORY)],
            add_links=[link(case, Rel.IN_TERRITORY, grenoble)],
            remove_links=[link(case, Rel.INVOLVES, enedis)],
            at=AT,
        )
    )
    # then
    assert store.links_from([case.ref], Rel.IN_TERRITORY) == [link(case, Rel.IN_TERRITORY, grenoble)]
    assert store.links_from([case.ref], Rel.INVOLVES) == [link(case, Rel.INVOLVES, cozy, "operator")]


def test_each_audit_entry_gets_the_next_number(store: Store) -> None:
    # given
    lyon, paris = territory("lyon"), territory("paris")
    # when two batches are audited
    first = store.write(
        WriteBatch(
            puts=[Put(lyon, None), Put(paris, None)],
            audit=[
                AuditDraft("admin:a", "create", "Territory:lyon", None, 1, {"fields": ["name"]}),
                AuditDraft("admin:a", "create", "Territory:paris", None, 1),
            ],
            at=AT,
        )
    )
    second = store.write(
        WriteBatch(
            puts=[Put(updated(lyon), 1)],
            audit=[AuditDraft("hub:b", "update", "Territory:lyon", 1, 2, {"é": [1, {"b": None}]})],
            at=AT + timedelta(seconds=1),
        )
    )
    # then
    assert first == [
        AuditEntry(1, AT, "admin:a", "create", "Territory:lyon", None, 1, {"fields": ["name"]}),
        AuditEntry(2, AT, "admin:a", "create", "Territory:paris", None, 1, {}),
    ]
    assert second == [
        AuditEntry(3, AT + timedelta(seconds=1), "hub:b", "update", "Territory:lyon", 1, 2, {"é": [1, {"b": None}]})
    ]
    assert store.audit_page(0, 10) == ([*first, *second], 3)
    assert store.audit_page(1, 1) == ([first[1]], 3)
    assert store.audit_page(0, 10, ref="Territory:lyon") == ([first[0], *second], 2)
    assert store.audit_page(5, 10) == ([], 3)


def test_an_idempotency_key_keeps_its_result(store: Store) -> None:
    # given
    store.write(WriteBatch(puts=[Put(territory("lyon"), None)], idempotency=("admin:x|key-1", '{"r":1}'), at=AT))
    # then
    assert store.idempotent_result("admin:x|key-1") == '{"r":1}'
    assert store.idempotent_result("admin:y|key-1") is None


# -- hubs and API keys ------------------------------------------------------------------------------


def test_hubs_are_kept_once_per_slug_sorted(store: Store) -> None:
    # given
    store.put_hub(Hub("zeta", "Zeta", AT))
    store.put_hub(Hub("alpha", "Alpha", AT))
    # when a hub is put again
    store.put_hub(Hub("zeta", "Zeta Hub", AT + timedelta(days=1)))
    # then
    assert store.hubs() == [Hub("alpha", "Alpha", AT), Hub("zeta", "Zeta Hub", AT + timedelta(days=1))]


def test_api_keys_are_found_listed_and_revoked_once(store: Store) -> None:
    # given
    hub_key = ApiKey("k2", "hash-2", Role.HUB, "hub-a", AT, None, "a hub")
    admin_key = ApiKey("k1", "hash-1", Role.ADMIN, None, AT)
    store.put_api_key(hub_key)
    store.put_api_key(admin_key)
    # then
    assert store.api_key("k2") == hub_key
    assert store.api_key("nope") is None
    assert store.api_keys() == [admin_key, hub_key]
    # when
    at = AT + timedelta(hours=1)
    assert store.revoke_api_key("k2", at) is True
    # then
    assert store.api_key("k2") == replace(hub_key, revoked_at=at)
    assert store.revoke_api_key("k2", at + timedelta(hours=1)) is False
    assert store.revoke_api_key("nope", at) is False
    assert store.api_key("k2") == replace(hub_key, revoked_at=at)


# -- whole-registry movement ---------------------------------------------------------------------


def _small_registry(store: Store) -> tuple[list[Record], list[Link]]:
    lyon, cozy, energy = territory("lyon"), actor("cozy", "personal_cloud_operator"), domain("energy")
    case = use_case("solar", review_state=ReviewState.DRAFT, hub="hub-a")
    links = [
        link(cozy, Rel.PRESENT_IN, lyon, "platform"),
        link(case, Rel.IN_DOMAIN, energy),
        link(case, Rel.IN_TERRITORY, lyon),
        link(case, Rel.INVOLVES, cozy, "operator"),
    ]
    create(store, [lyon, cozy, energy, case], links)
    return [cozy, energy, lyon, case], sorted(links)


def test_records_and_links_iterate_in_a_stable_order(store: Store) -> None:
    # given
    records, links = _small_registry(store)
    # then records come by key ("Kind:slug"), drafts included, and links sorted
    assert list(store.iter_records()) == sorted(records, key=lambda r: str(r.ref))
    assert list(store.iter_links()) == links


def test_an_export_loads_into_an_empty_store_as_it_was(store: Store) -> None:
    # given a registry with records, links, audit, hubs and keys, read out
    _small_registry(store)
    records, links = list(store.iter_records()), list(store.iter_links())
    audit, _ = store.audit_page(0, 100)
    # when it is cleared and loaded back
    store.clear()
    assert store.is_empty()
    store.load(records, links, audit)
    # then
    assert not store.is_empty()
    assert list(store.iter_records()) == records
    assert list(store.iter_links()) == links
    assert store.audit_page(0, 100) == (audit, len(audit))
    # and the audit numbering goes on after the loaded entries
    entries = store.write(WriteBatch(audit=[AuditDraft("admin:x", "note", "Territory:lyon", 1, 1)], at=AT))
    assert entries[0].seq == len(audit) + 1


def test_an_empty_store_is_empty_until_anything_is_kept(store: Store) -> None:
    assert store.is_empty()
    store.put_hub(Hub("hub-a", "Hub A", AT))
    assert not store.is_empty()


def test_clear_deletes_everything(store: Store) -> None:
    # given
    _small_registry(store)
    store.put_hub(Hub("hub-a", "Hub A", AT))
    store.put_api_key(ApiKey("k1", "h", Role.ADMIN, None, AT))
    store.write(WriteBatch(puts=[Put(territory("paris"), None)], idempotency=("admin:x|k", "{}"), at=AT))
    # when
    store.clear()
    # then
    assert store.is_empty()
    assert (list(store.iter_records()), list(store.iter_links()), store.hubs(), store.api_keys()) == ([], [], [], [])
    assert store.idempotent_result("admin:x|k") is None
    # and the store is usable again
    create(store, [territory("lyon")])
    assert [r.slug for r in store.iter_records()] == ["lyon"]


def _reachable_until_cut(
    store_kind: str, request: pytest.FixtureRequest, tmp_path: Path
) -> tuple[Store, Callable[[], None]]:
    """A store of the kind on a database, and what makes that database unreachable: the SQLite file's
    directory removed (and the pool emptied, so that no open handle keeps the file), or a server's
    connections cut by a relay in front of it (open ones dropped, new ones refused)."""
    if store_kind == "sqlite":
        directory = tmp_path / "database"
        directory.mkdir()
        sqlite = SqlStore(f"sqlite:///{directory / 'registry.db'}")

        def gone() -> None:
            sqlite.close()
            shutil.rmtree(directory)

        return sqlite, gone
    url = urlsplit(str(request.getfixturevalue("postgres_url" if store_kind == "postgres" else "neo4j_uri")))
    assert url.hostname is not None and url.port is not None, url
    relay = TcpRelay(url.hostname, url.port)
    request.addfinalizer(relay.cut)
    netloc = url.netloc.rsplit("@", 1)[0] + "@" if "@" in url.netloc else ""
    relayed = urlunsplit(url._replace(netloc=f"{netloc}127.0.0.1:{relay.port}"))
    if store_kind == "postgres":
        return open_store(relayed), relay.cut
    from graph.store import Neo4jStore

    return Neo4jStore(relayed, retry_seconds=1.0), relay.cut


def test_ping_answers_while_the_store_is_up_and_raises_unavailable_once_it_is_down(
    store_kind: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    # given a store on a database it can reach
    store, cut = _reachable_until_cut(store_kind, request, tmp_path)
    request.addfinalizer(store.close)
    # then ping answers
    store.ping()
    # when the database can no longer be reached
    cut()
    # then ping raises the store's typed error, not the driver's
    with pytest.raises(StoreUnavailable) as raised:
        store.ping()
    assert raised.value.code == ErrorCode.STORE_UNAVAILABLE


def test_a_kind_label_is_kept(store: Store) -> None:
    # given one record of every kind
    from tests.contract.builders import record

    records = [record(kind, f"a-{kind.value.lower()}", {}) for kind in Kind]
    create(store, records)
    # then each reads back as its kind
    assert {r.ref.kind for r in store.get([r.ref for r in records], EVERYTHING).values()} == set(Kind)


# -- concurrent writers ----------------------------------------------------------------------------


def _race(store: Store, batches: list[WriteBatch]) -> list[object]:
    """Write the batches from as many threads at once; each thread's entries or error."""
    barrier = threading.Barrier(len(batches))

    def attempt(batch: WriteBatch) -> object:
        barrier.wait()
        try:
            return store.write(batch)
        except RegistryError as error:
            return error

    with ThreadPoolExecutor(len(batches)) as pool:
        return list(pool.map(attempt, batches))


def test_of_two_clients_creating_one_slug_at_once_one_gets_a_duplicate(store: Store) -> None:
    for n in range(4):
        # given two clients creating the same record at the same moment
        slug = f"race-{n}"
        audit = [AuditDraft("admin:test", "create", f"Territory:{slug}", None, 1)]
        batches = [WriteBatch(puts=[Put(territory(slug, name), None)], audit=audit, at=AT) for name in ("One", "Two")]
        # when
        outcomes = _race(store, batches)
        # then one wins, the other is told the slug is taken
        errors = [o for o in outcomes if isinstance(o, RegistryError)]
        assert [e.code for e in errors] == [ErrorCode.DUPLICATE], outcomes
    # and the audit trail numbers every creation once, in order
    entries, total = store.audit_page(0, 100)
    assert total == 4
    assert [e.seq for e in entries] == [1, 2, 3, 4]


def test_get_reads_only_what_the_visibility_may_see(store: Store) -> None:
    # given a published case study, a hub's draft and another hub's submission
    public = use_case("public")
    draft = use_case("draft", review_state=ReviewState.DRAFT, hub="hub-a")
    other = use_case("other", review_state=ReviewState.SUBMITTED, hub="hub-b")
    create(store, [public, draft, other])
    refs = [public.ref, draft.ref, other.ref, use_case("missing").ref]
    # then each caller gets exactly what it may see: a hidden record is read as a missing one
    assert set(store.get(refs, PUBLIC)) == {public.ref}
    assert set(store.get(refs, Visibility(hub="hub-a"))) == {public.ref, draft.ref}
    assert set(store.get(refs, Visibility(hub="hub-b"))) == {public.ref, other.ref}
    assert set(store.get(refs, EVERYTHING)) == {public.ref, draft.ref, other.ref}


def test_a_load_that_fails_on_its_last_rows_leaves_the_store_empty(store: Store) -> None:
    # given rows whose hubs (loaded after every record, link and audit entry) repeat a slug
    lyon, case = territory("lyon"), use_case("energie")
    hub = Hub("hub-a", "Hub A", AT)
    key = ApiKey("k1", "hash", Role.HUB, "hub-a", AT, None, "")
    # when they are loaded
    with pytest.raises(RegistryError) as failed:
        store.load([lyon, case], [link(case, Rel.IN_TERRITORY, lyon)], [], [hub, hub], [key])
    # then a DUPLICATE in one line, and nothing was written
    assert failed.value.code is ErrorCode.DUPLICATE and "\n" not in failed.value.message
    assert store.is_empty() and list(store.iter_records()) == [] and list(store.iter_links()) == []
    # and the same rows without the repeat load whole
    store.load([lyon, case], [link(case, Rel.IN_TERRITORY, lyon)], [], [hub], [key])
    assert store.hubs() == [hub] and store.api_keys() == [key] and len(list(store.iter_records())) == 2
