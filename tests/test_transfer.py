"""Moving a registry between stores: the export round trip is byte-identical."""

from __future__ import annotations

import io

import pytest

from registry.domain import Kind, Role
from registry.errors import RegistryError
from registry.indexing import now
from registry.seeding import seed
from registry.services.access import authenticate, create_key
from registry.services.editing import Change, Editing
from registry.store import Store
from registry.transfer import export, import_lines
from tests.conftest import MakeStore


def _exported(store: Store) -> str:
    out = io.StringIO()
    export(store, out)
    return out.getvalue()


def _populate(store: Store) -> None:
    """The seeds, plus what only a live registry has: a draft, keys, a revoked key, audit entries."""
    seed(store)
    _, token = create_key(store, Role.HUB, "hub-mydata-france", "Paris hub")
    hub = authenticate(store, f"Bearer {token}")
    change = Change(
        fields={"title": {"en": "A hub's draft", "fr": "Un brouillon"}, "status": "idea"},
        sources=[{"url": "https://example.org/draft", "title": "Draft"}],
        slug="hub-draft",
    )
    Editing(store).submit_case_study(hub, change, "draft-1", draft=True)
    key, _ = create_key(store, Role.COORDINATOR)
    store.revoke_api_key(key.key_id, now())


@pytest.mark.neo4j
def test_sqlite_to_neo4j_to_sqlite_gives_back_the_same_export(make_store: MakeStore) -> None:
    source = make_store("sqlite")
    _populate(source)
    first = _exported(source)
    assert '"review_state":"draft"' in first and '"type":"api_key"' in first and '"type":"audit"' in first
    graph = make_store("neo4j")
    import_lines(graph, io.StringIO(first))
    through_graph = _exported(graph)
    back = make_store("sqlite")
    import_lines(back, io.StringIO(through_graph))
    assert through_graph == first
    assert _exported(back) == first


def test_import_refuses_a_store_that_is_not_empty_and_bad_files(make_store: MakeStore) -> None:
    store = make_store("sqlite")
    seed(store)
    with pytest.raises(RegistryError) as not_empty:
        import_lines(store, io.StringIO(_exported(store)))
    assert not_empty.value.code.value == "INVALID_STATE"
    empty = make_store("sqlite")
    with pytest.raises(RegistryError) as bad:
        import_lines(empty, io.StringIO('{"type":"header","format":"something-else","version":1}\n'))
    assert bad.value.field == "file"
    assert empty.is_empty()
    assert Kind.USE_CASE.value in _exported(store)
