"""The storage port's change counter: every change bumps it, every process sees it, it never goes back.

Caches of the recommenders' facts are kept against it, so a missed bump would serve stale
rankings and a counter going backwards could serve another registry's.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from registry.domain.errors import ErrorCode, RegistryError
from registry.domain.records import ApiKey, Hub, Role
from registry.store.port import AuditDraft, Put, Store, WriteBatch
from tests.contract.builders import AT, create, territory, updated


def _bumps(store: Store, change: Callable[[], object]) -> bool:
    before = store.generation()
    change()
    return store.generation() > before


def test_every_kind_of_write_bumps_the_counter(store: Store) -> None:
    lyon = territory("lyon")
    key = ApiKey("k1", "hash-1", Role.ADMIN, None, AT)
    assert store.generation() >= 0
    assert _bumps(store, lambda: create(store, [lyon]))
    assert _bumps(store, lambda: store.write(WriteBatch(puts=[Put(updated(lyon), 1)], at=AT)))
    assert _bumps(store, lambda: store.put_hub(Hub("hub-a", "Hub A", AT)))
    assert _bumps(store, lambda: store.put_api_key(key))
    assert _bumps(store, lambda: store.revoke_api_key("k1", AT + timedelta(hours=1)))
    assert _bumps(store, lambda: store.load([territory("paris")], [], []))
    assert _bumps(store, store.clear)


def test_a_failed_write_changes_nothing_and_leaves_the_counter_alone(store: Store) -> None:
    # given a record
    create(store, [territory("lyon")])
    before = store.generation()
    # when a write fails (a duplicate, a stale version), it rolls back with the counter's bump
    with pytest.raises(RegistryError) as duplicate:
        create(store, [territory("lyon")])
    with pytest.raises(RegistryError) as stale:
        store.write(WriteBatch(puts=[Put(updated(territory("lyon")), 7)], at=AT))
    # then the errors are the usual ones, and no reader is made to drop what it cached
    assert duplicate.value.code is ErrorCode.DUPLICATE
    assert stale.value.code is ErrorCode.CONFLICT
    assert store.generation() == before


def test_the_counter_never_goes_back_not_even_across_clear(store: Store) -> None:
    seen = [store.generation()]
    for n in range(3):
        create(store, [territory(f"city-{n}")])
        seen.append(store.generation())
        store.clear()
        seen.append(store.generation())
    assert seen == sorted(set(seen)), seen  # strictly increasing


def test_two_store_objects_on_one_database_see_the_same_counter(store: Store, same_database: Store) -> None:
    assert same_database.generation() == store.generation()
    create(store, [territory("lyon")])
    assert same_database.generation() == store.generation()
    same_database.put_hub(Hub("hub-a", "Hub A", AT))
    assert store.generation() == same_database.generation()


def test_concurrent_writers_all_succeed_and_each_bumps_the_counter(store: Store) -> None:
    # given 16 clients each creating their own record at the same moment
    writers = 16
    before = store.generation()
    barrier = threading.Barrier(writers)

    def write(n: int) -> object:
        slug = f"city-{n:02d}"
        batch = WriteBatch(
            puts=[Put(territory(slug), None)],
            audit=[AuditDraft("admin:test", "create", f"Territory:{slug}", None, 1)],
            at=AT,
        )
        barrier.wait()
        try:
            return store.write(batch)
        except RegistryError as error:
            return error

    with ThreadPoolExecutor(writers) as pool:
        outcomes = list(pool.map(write, range(writers)))
    # then none is refused (writers take turns on the counter), and each is numbered once
    assert [o for o in outcomes if isinstance(o, RegistryError)] == []
    entries, total = store.audit_page(0, 100)
    assert total == writers and [e.seq for e in entries] == list(range(1, writers + 1))
    assert store.generation() == before + writers
