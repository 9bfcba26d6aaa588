"""One write sequence for every store (issue 13): a batch that repeats itself gets the same typed
error everywhere, decided before anything is written; counts take the documented dimensions only.

Every test runs once per store (see tests/conftest.py), given / when / then.
"""

from __future__ import annotations

import pytest

from registry.domain.errors import ErrorCode, RegistryError
from registry.domain.records import ApiKey, Hub, Kind, Rel, Role
from registry.store.port import EVERYTHING, PUBLIC, AuditDraft, Put, Store, WriteBatch
from tests.contract.builders import AT, link, territory, updated, use_case


def _failed(store: Store, batch: WriteBatch) -> RegistryError:
    with pytest.raises(RegistryError) as caught:
        store.write(batch)
    return caught.value


def _draft(action: str, ref: str) -> AuditDraft:
    return AuditDraft("cli:test", action, ref, None, None, {})


def _described(error: RegistryError) -> tuple[ErrorCode, str | None, str]:
    return error.code, error.field, error.message


def test_two_new_hubs_of_one_slug_in_one_batch_are_a_duplicate_slug(store: Store) -> None:
    # given an empty store
    before = store.generation()
    # when one batch creates the same new hub twice
    hubs = [Hub("hub-a", "Hub A", AT), Hub("hub-a", "Hub A again", AT)]
    error = _failed(store, WriteBatch(audit=[_draft("createHub", "Hub:hub-a")], at=AT, new_hubs=hubs))
    # then it is told which slug, on the slug field, and nothing was written
    assert _described(error) == (ErrorCode.DUPLICATE, "slug", "The hub 'hub-a' already exists.")
    assert store.hubs() == []
    assert store.audit_head() == 0
    assert store.generation() == before


def test_two_new_keys_of_one_id_in_one_batch_are_a_duplicate_id(store: Store) -> None:
    keys = [ApiKey("k1", "hash-1", Role.ADMIN, None, AT), ApiKey("k1", "hash-2", Role.COORDINATOR, None, AT)]
    error = _failed(store, WriteBatch(audit=[_draft("createKey", "ApiKey:k1")], at=AT, new_keys=keys))
    assert _described(error) == (ErrorCode.DUPLICATE, "id", "The key 'k1' already exists.")
    assert store.api_keys() == []
    assert store.audit_head() == 0


def test_two_puts_creating_one_new_record_are_a_duplicate_slug(store: Store) -> None:
    batch = WriteBatch(puts=[Put(territory("lyon"), None), Put(territory("lyon", "Other"), None)], at=AT)
    error = _failed(store, batch)
    assert _described(error) == (ErrorCode.DUPLICATE, "slug", "Territory:lyon already exists.")
    assert store.is_empty()


def test_a_batch_may_create_a_record_update_it_and_link_to_it(store: Store) -> None:
    # given nothing
    lyon = territory("lyon", "Lyon")
    case = use_case("energie")
    # when one batch creates a territory, updates it, and links a new case study to it
    renamed = updated(lyon, name={"en": "Lyon Métropole", "fr": "Lyon Métropole"})
    batch = WriteBatch(
        puts=[Put(lyon, None), Put(renamed, 1), Put(case, None)],
        add_links=[link(case, Rel.IN_TERRITORY, lyon)],
        at=AT,
    )
    store.write(batch)
    # then the record has the last version and its first creation time, and the link is there
    stored = store.get([lyon.ref], EVERYTHING)[lyon.ref]
    assert (stored.version, stored.data["name"]["en"], stored.created_at) == (2, "Lyon Métropole", lyon.created_at)
    assert store.links_from([case.ref], Rel.IN_TERRITORY) == [link(case, Rel.IN_TERRITORY, lyon)]


def test_a_key_created_and_revoked_in_one_batch_is_revoked_once(store: Store) -> None:
    key = ApiKey("k1", "hash-1", Role.ADMIN, None, AT)
    store.write(WriteBatch(at=AT, new_keys=[key], revoke_keys=["k1"]))
    stored = store.api_key("k1")
    assert stored is not None and stored.revoked_at == AT
    # and a second revocation in one batch is not found, as a revocation of a revoked key is
    other = ApiKey("k2", "hash-2", Role.ADMIN, None, AT)
    error = _failed(store, WriteBatch(at=AT, new_keys=[other], revoke_keys=["k2", "k2"]))
    assert _described(error) == (ErrorCode.NOT_FOUND, "id", "No active key 'k2'.")
    assert store.api_key("k2") is None


@pytest.mark.parametrize("dimension", ["slug", "data", "review_state", "hub", "search_text", "kind", ""])
def test_counts_take_only_the_documented_dimensions(store: Store, dimension: str) -> None:
    # given a record
    store.write(WriteBatch(puts=[Put(territory("lyon"), None)], at=AT))
    # when it is counted by anything but status, subkind, governance, country, domain or territory
    with pytest.raises(RegistryError) as caught:
        store.count_by(Kind.TERRITORY, dimension, PUBLIC)
    # then the dimension is refused, the same way on every store
    assert _described(caught.value) == (
        ErrorCode.INVALID,
        "dimension",
        f"Records cannot be counted by {dimension!r}.",
    )
