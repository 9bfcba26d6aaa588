"""Hubs and API keys change in the same transaction as the audit entries that name them (issue 6).

Every test runs once per store (see tests/conftest.py): a key, hub or revocation exists
exactly when the audit trail names it, and a failed write leaves neither.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from registry.domain.errors import ErrorCode, RegistryError
from registry.domain.records import ApiKey, Hub, Role
from registry.services.access import create_key, revoke_key
from registry.services.hubs import create_hub
from registry.store.port import AuditDraft, Put, Store, WriteBatch
from tests.contract.builders import AT, territory


def _draft(action: str, ref: str) -> AuditDraft:
    return AuditDraft("cli:test", action, ref, None, None, {})


def _failed(store: Store, batch: WriteBatch) -> RegistryError:
    with pytest.raises(RegistryError) as caught:
        store.write(batch)
    return caught.value


def test_creating_and_revoking_a_key_is_audited_in_order(store: Store) -> None:
    # given a hub created on purpose
    create_hub(store, "hub-a", "Hub A", "cli:ops")
    # when a key is created for it, then revoked
    key, _token = create_key(store, Role.HUB, "hub-a", "front-end", "cli:ops")
    assert revoke_key(store, key.key_id, "cli:ops") is True
    # then the trail names each change, numbered in order, and the key is revoked
    entries, total = store.audit_page(0, 10)
    assert total == 3 == store.audit_head()
    assert [(e.seq, e.action, e.ref) for e in entries] == [
        (1, "createHub", "Hub:hub-a"),
        (2, "createKey", f"ApiKey:{key.key_id}"),
        (3, "revokeKey", f"ApiKey:{key.key_id}"),
    ]
    stored = store.api_key(key.key_id)
    assert stored is not None and stored.revoked_at is not None
    # and revoking it again is refused without a new entry
    assert revoke_key(store, key.key_id, "cli:ops") is False
    assert store.audit_head() == 3


def test_a_failing_key_write_leaves_no_audit_entry(store: Store) -> None:
    # given a key that exists
    taken = ApiKey("k1", "hash-1", Role.ADMIN, None, AT)
    store.write(WriteBatch(audit=[_draft("createKey", "ApiKey:k1")], at=AT, new_keys=[taken]))
    generation = store.generation()
    # when the same key id is created again, with its audit entry
    again = ApiKey("k1", "hash-2", Role.COORDINATOR, None, AT)
    error = _failed(store, WriteBatch(audit=[_draft("createKey", "ApiKey:k1")], at=AT, new_keys=[again]))
    # then it is a duplicate and neither the entry nor the key was written
    assert (error.code, error.field) == (ErrorCode.DUPLICATE, "id")
    assert store.audit_head() == 1
    assert store.api_keys() == [taken]
    assert store.generation() == generation
    # when a key that is not active is revoked, with its audit entry
    error = _failed(store, WriteBatch(audit=[_draft("revokeKey", "ApiKey:nope")], at=AT, revoke_keys=["nope"]))
    # then nothing is written either
    assert error.code is ErrorCode.NOT_FOUND
    assert store.audit_head() == 1
    # and the next audit number follows without a gap
    later = AT + timedelta(hours=1)
    entries = store.write(WriteBatch(audit=[_draft("revokeKey", "ApiKey:k1")], at=later, revoke_keys=["k1"]))
    assert [e.seq for e in entries] == [2]
    assert store.api_key("k1") == ApiKey("k1", "hash-1", Role.ADMIN, None, AT, later)


def test_a_failing_hub_write_leaves_no_audit_entry(store: Store) -> None:
    # given a hub that exists
    create_hub(store, "hub-a", "Hub A")
    # when a batch creates another hub and the same one again
    hubs = [Hub("hub-b", "Hub B", AT), Hub("hub-a", "Other", AT)]
    error = _failed(store, WriteBatch(audit=[_draft("createHub", "Hub:hub-b")], at=AT, new_hubs=hubs))
    # then neither hub nor audit entry was written
    assert (error.code, error.field) == (ErrorCode.DUPLICATE, "slug")
    assert [h.slug for h in store.hubs()] == ["hub-a"]
    assert [h.name for h in store.hubs()] == ["Hub A"]
    assert store.audit_head() == 1


def test_a_failing_audited_write_leaves_no_key(store: Store) -> None:
    # given a record at version 1
    lyon = territory("lyon")
    store.write(WriteBatch(puts=[Put(lyon, None)], at=AT))
    # when a batch carries a new key, its audit entry and a stale update
    key = ApiKey("k9", "hash-9", Role.ADMIN, None, AT)
    stale = WriteBatch(
        puts=[Put(lyon, 7)], audit=[_draft("createKey", "ApiKey:k9")], at=AT, new_keys=[key], revoke_keys=[]
    )
    error = _failed(store, stale)
    # then the key was not stored, nor its entry
    assert error.code is ErrorCode.CONFLICT
    assert store.api_key("k9") is None
    assert store.audit_head() == 0
