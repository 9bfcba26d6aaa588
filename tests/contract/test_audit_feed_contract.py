"""The audit trail read forward, as live subscriptions read it (`audit_after`, `audit_head`).

Every test runs once per store (see tests/conftest.py), given / when / then.
"""

from __future__ import annotations

import pytest

from registry.domain.errors import RegistryError
from registry.store.port import AuditDraft, Put, Store, WriteBatch
from tests.contract.builders import AT, territory, updated


def _audited(store: Store, count: int) -> None:
    for n in range(count):
        slug = f"t{n}"
        store.write(
            WriteBatch(
                puts=[Put(territory(slug), None)],
                audit=[AuditDraft("admin:a", "create", f"Territory:{slug}", None, 1)],
                at=AT,
            )
        )


def test_an_empty_trail_has_head_zero_and_nothing_after_it(store: Store) -> None:
    assert store.audit_head() == 0
    assert store.audit_after(0, 10) == []


def test_entries_after_a_number_come_by_number_at_most_limit(store: Store) -> None:
    # given five audited writes
    _audited(store, 5)
    everything, _ = store.audit_page(0, 10)
    # then the trail is read forward from any number, a page at a time
    assert store.audit_head() == 5
    assert store.audit_after(0, 10) == everything
    assert store.audit_after(1, 2) == everything[1:3]
    assert store.audit_after(3, 10) == everything[3:]
    assert store.audit_after(5, 10) == []
    assert store.audit_after(99, 10) == []


def test_a_write_seen_by_another_process_moves_the_head_and_is_read_after_it(
    store: Store, same_database: Store
) -> None:
    # given a reader on the same database that has read everything
    _audited(store, 2)
    head = same_database.audit_head()
    # when the first process writes
    lyon = territory("t0")
    entries = store.write(
        WriteBatch(puts=[Put(updated(lyon), 1)], audit=[AuditDraft("admin:b", "update", "Territory:t0", 1, 2)], at=AT)
    )
    # then the other reads exactly the new entry after its head
    assert same_database.audit_head() == head + 1
    assert same_database.audit_after(head, 10) == entries


def test_a_write_that_fails_adds_nothing_to_read(store: Store) -> None:
    # given
    _audited(store, 1)
    # when a batch fails (the slug is taken)
    with pytest.raises(RegistryError):
        store.write(
            WriteBatch(
                puts=[Put(territory("t0"), None)],
                audit=[AuditDraft("admin:a", "create", "Territory:t0", None, 1)],
                at=AT,
            )
        )
    # then
    assert store.audit_head() == 1
    assert store.audit_after(1, 10) == []
