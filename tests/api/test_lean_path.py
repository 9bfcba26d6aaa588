"""The lean executor declines in the open: known declines are counted by their reason, any other
failure is logged and counted (and fails the request where the settings ask), and it never runs
a field around strawberry's field extensions or permission classes (issue 13)."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import strawberry
from graphql import parse
from strawberry.extensions import FieldExtension, SchemaExtension
from strawberry.permission import BasePermission

from registry.api.execution.context import Context, Loaders
from registry.api.execution.executor import Reason, Unsupported, execute_read
from registry.api.execution.strawberry_adapter import graphql_schema, guarded, strawberry_field
from registry.api.graphql.schema import schema
from registry.domain.records import ANONYMOUS
from registry.services.access import visibility
from registry.services.editing import Editing
from registry.store.port import Store
from registry.store.sql.store import SqlStore
from tests.api.conftest import Api, Server
from tests.api.test_observability import samples, value

DECLINED = "registry_lean_declined_total"


class Broken:
    """A real store whose reads-with-linked-records fail as a bug would: only the lean path uses
    them (the full executor reads records and links apart), so it can still answer."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def __getattr__(self, name: str) -> Any:
        if name in ("linked", "get_expanded", "query_expanded"):

            def broken(*args: Any, **kwargs: Any) -> Any:
                raise RuntimeError("a bug of the lean path")

            return broken
        return getattr(self._store, name)


@pytest.fixture
def broken(server: Server, api: Api) -> Iterator[tuple[Server, Api]]:
    store = server.app.state.store
    server.app.state.store = Broken(store)
    yield server, api
    server.app.state.store = store


def _twice(api: Api, query: str) -> tuple[Any, Any]:
    """A document sent twice as a key holder (no response cache): validated, then a lean candidate."""
    return api.post(query, as_="coordinator"), api.post(query, as_="coordinator")


def test_an_unsupported_document_is_counted_with_its_reason(api: Api) -> None:
    # Given a document with introspection, which the lean executor leaves to strawberry's
    query = f"{{ __schema {{ queryType {{ name }} }} domains(first: 1) {{ totalCount }} }} # {uuid.uuid4().hex}"
    before = samples(api)
    # When it is sent twice
    first, second = _twice(api, query)
    # Then both answers are the full executor's, and the lean decline is counted by its reason only
    assert first.status_code == second.status_code == 200
    assert first.json() == second.json() and "errors" not in second.json()
    after = samples(api)
    assert value(after, DECLINED, reason="introspection") - value(before, DECLINED, reason="introspection") == 1
    assert value(after, DECLINED, reason="unexpected") == value(before, DECLINED, reason="unexpected")
    # and every reason has its series, so the label set is the closed set of reasons
    reasons = {dict(labels)["reason"] for name, labels in after if name == DECLINED}
    assert reasons == {reason.value for reason in Reason}


def test_a_lean_bug_is_logged_counted_and_answered_by_the_full_executor(
    broken: tuple[Server, Api], caplog: pytest.LogCaptureFixture
) -> None:
    server, api = broken
    server.app.state.settings = replace(server.app.state.settings, lean_strict=False)  # as in production
    query = f'{{ territory(slug: "lyon") {{ slug actors {{ totalCount }} }} }} # {uuid.uuid4().hex}'
    before = samples(api)
    # When a validated document hits a bug of the lean path
    with caplog.at_level(logging.ERROR, logger="registry.api"):
        first, second = _twice(api, query)
    # Then the full executor answers it as it did the first time
    assert first.status_code == second.status_code == 200
    assert first.json() == second.json() and second.json()["data"]["territory"]["slug"] == "lyon"
    # and the failure is counted, and logged at error level with the request id and its traceback
    after = samples(api)
    assert value(after, DECLINED, reason="unexpected") - value(before, DECLINED, reason="unexpected") == 1
    request_id = second.headers["X-Request-Id"]
    [logged] = [r for r in caplog.records if r.levelno == logging.ERROR and request_id in r.getMessage()]
    assert logged.exc_info is not None and "a bug of the lean path" in str(logged.exc_info[1])


def test_a_lean_bug_fails_the_request_where_the_settings_ask(broken: tuple[Server, Api]) -> None:
    server, api = broken
    assert server.app.state.settings.lean_strict  # the tests' settings
    query = f'{{ territory(slug: "lyon") {{ slug actors {{ totalCount }} }} }} # {uuid.uuid4().hex}'
    before = samples(api)
    # When a validated document hits a bug of the lean path, then the request fails
    first, second = _twice(api, query)
    assert first.status_code == 200
    assert second.status_code == 500
    assert second.json()["errors"][0]["extensions"]["code"] == "INTERNAL"
    after = samples(api)
    assert value(after, DECLINED, reason="unexpected") - value(before, DECLINED, reason="unexpected") == 1


# A small schema: a plain field, and fields strawberry runs with a permission class or an extension.
class Nobody(BasePermission):
    message = "Nobody may read this."

    def has_permission(self, source: Any, info: Any, **kwargs: Any) -> bool:
        return False


class Upper(FieldExtension):
    def resolve(self, next_: Any, source: Any, info: Any, **kwargs: Any) -> Any:
        return str(next_(source, info, **kwargs)).upper()


@strawberry.type
class Small:
    @strawberry.field
    def plain(self) -> str:
        return "plain"

    @strawberry.field(permission_classes=[Nobody])  # type: ignore[untyped-decorator]
    def secret(self) -> str:
        return "secret"

    @strawberry.field(extensions=[Upper()])  # type: ignore[untyped-decorator]
    def shouted(self) -> str:
        return "shouted"


class Middleware(SchemaExtension):
    def resolve(self, _next: Any, root: Any, info: Any, *args: Any, **kwargs: Any) -> Any:
        return _next(root, info, *args, **kwargs)


SMALL = strawberry.Schema(query=Small)


@pytest.fixture
def context(tmp_path: Path) -> Iterator[Context]:
    store = SqlStore(f"sqlite:///{tmp_path / 'registry.db'}")
    seen = visibility(ANONYMOUS)
    yield Context(store, ANONYMOUS, seen, "test", Editing(store), Loaders(store, seen))
    store.close()


def _lean(document: str, context: Context, on: strawberry.Schema = SMALL) -> dict[str, Any]:
    return asyncio.run(execute_read(parse(document), None, None, context, schema=on))


def test_fields_with_permission_classes_or_extensions_are_never_run_by_the_lean_path(context: Context) -> None:
    # Given a schema with a plain field and guarded ones, the plain field is read on the lean path
    assert _lean("{ plain }", context) == {"plain": "plain"}
    # When a document asks for a field with a permission class or a field extension
    for document, field in (("{ plain secret }", "Small.secret"), ("{ shouted plain }", "Small.shouted")):
        with pytest.raises(Unsupported) as declined:
            _lean(document, context)
        # Then the lean executor declines it, with its reason, and strawberry's answers as it must
        assert (declined.value.reason, declined.value.detail) == (Reason.GUARDED_FIELD, field)
    assert SMALL.execute_sync("{ shouted }").data == {"shouted": "SHOUTED"}
    assert SMALL.execute_sync("{ secret }").errors


def test_a_schema_extension_around_every_resolver_sends_every_read_to_strawberry(context: Context) -> None:
    wrapped = strawberry.Schema(query=Small, extensions=[Middleware])
    with pytest.raises(Unsupported) as declined:
        _lean("{ plain }", context, on=wrapped)
    assert declined.value.reason is Reason.GUARDED_FIELD


def test_the_registry_schema_has_no_guarded_field_so_the_lean_path_serves_it_whole() -> None:
    # The registry's fields carry no extension or permission class today: if one is added, the
    # lean path declines it (above) and this test names it, so its reads can be looked at.
    gql = graphql_schema(schema)
    found = [
        f"{type_.name}.{name}"
        for type_ in gql.type_map.values()
        for name, definition in getattr(type_, "fields", {}).items()
        if (field := strawberry_field(definition)) is not None and guarded(field)
    ]
    assert found == []
