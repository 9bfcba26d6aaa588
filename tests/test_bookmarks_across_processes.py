"""A client reads its own write through another server process (issue 15 item 3, Neo4j bookmarks).

Two `registry serve` processes on one real Neo4j.  A write through one answers with the
`Registry-Bookmark` header; the next request, sent to the other process with that header, is
read after the write.  (On a single Neo4j server the other process would see the write anyway;
what this shows is the header's round trip: given, accepted, waited for, refused when forged.)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from registry.api.http import bookmarks
from registry.domain.records import Role
from registry.services.access import create_key
from registry.store.port import Store
from tests.server_process import ServerProcess, store_url
from tests.write_load import CREATE, territory_input

BY_SLUG = "query ($slug: String!) { territory(slug: $slug) { slug } }"


def _post(server: ServerProcess, query: str, variables: dict[str, Any], headers: dict[str, str]) -> httpx.Response:
    body = {"query": query, "variables": variables}
    return httpx.post(f"{server.url}/graphql", json=body, headers=headers, timeout=60)


@pytest.mark.neo4j
def test_a_write_through_one_process_is_read_through_another_with_its_bookmark(
    make_store: Any, neo4j_uri: str, tmp_path: Path
) -> None:
    # given two server processes on one Neo4j, and a coordinator's key
    store: Store = make_store("neo4j")
    token = create_key(store, Role.COORDINATOR)[1]
    keyed = {"Authorization": f"Bearer {token}"}
    with (
        ServerProcess(neo4j_uri, tmp_path / "one.log") as one,
        ServerProcess(neo4j_uri, tmp_path / "two.log") as two,
    ):
        # when the client creates a territory through the first
        wrote = _post(one, CREATE, {"input": territory_input("bookmarked", "Bookmarked")}, keyed)
        assert wrote.status_code == 200 and wrote.json()["data"]["createTerritory"]["errors"] == []
        # then the answer carries the write's bookmark, bounded and opaque
        header = wrote.headers.get(bookmarks.HEADER)
        assert header and len(header) <= bookmarks.MOST_CHARACTERS
        assert bookmarks.HEADER in wrote.headers.get("access-control-expose-headers", "")
        # and a read through the second, sending it back, is answered and sees the write
        read = _post(two, BY_SLUG, {"slug": "bookmarked"}, {**keyed, bookmarks.HEADER: header})
        assert read.status_code == 200, read.text
        assert read.json() == {"data": {"territory": {"slug": "bookmarked"}}}
        assert bookmarks.HEADER not in read.headers  # a read writes nothing: no bookmark to give
        # and an anonymous read sending it back is answered too
        anonymous = _post(two, BY_SLUG, {"slug": "bookmarked"}, {bookmarks.HEADER: header})
        assert anonymous.status_code == 200 and "errors" not in anonymous.json()


@pytest.mark.neo4j
def test_a_forged_bookmark_is_refused_with_a_typed_error(make_store: Any, neo4j_uri: str, tmp_path: Path) -> None:
    # given a server on Neo4j
    make_store("neo4j")
    with ServerProcess(neo4j_uri, tmp_path / "one.log") as one:
        # when a client sends a bookmark no transaction of this database has
        forged = bookmarks.encode(["FB:kcwQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=="])
        read = _post(one, BY_SLUG, {"slug": "lyon"}, {bookmarks.HEADER: forged})
        # then the answer says so, with a code and the field, and no data
        errors = read.json().get("errors")
        assert errors, read.text
        assert errors[0]["extensions"]["code"] == "BAD_REQUEST"


@pytest.mark.parametrize(
    "header",
    [
        "not base64 at all!",
        bookmarks.encode(["has a space"]),
        bookmarks.encode([f"b{n}" for n in range(bookmarks.MOST_BOOKMARKS + 1)]),
        "A" * (bookmarks.MOST_CHARACTERS + 1),
    ],
    ids=["not-base64", "not-a-bookmark", "too-many", "too-long"],
)
def test_a_malformed_or_oversized_bookmark_gets_a_typed_400(
    store_kind: str, store: Store, request: pytest.FixtureRequest, tmp_path: Path, header: str
) -> None:
    # given a server on any store
    with ServerProcess(store_url(store_kind, store, request), tmp_path / "one.log") as one:
        # when a client sends a bookmark header this registry could not have given
        answer = _post(one, BY_SLUG, {"slug": "lyon"}, {bookmarks.HEADER: header})
        # then it is refused before anything runs, with a code and a message
        assert answer.status_code == 400
        [error] = answer.json()["errors"]
        assert error["extensions"]["code"] == "BAD_REQUEST"
        assert bookmarks.HEADER in error["message"]


def test_without_the_header_a_write_on_sql_gives_none(
    store_kind: str, store: Store, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    # given a server on a SQL store (one primary: nothing to wait for)
    if store_kind == "neo4j":
        pytest.skip("SQL stores give no bookmark")
    token = create_key(store, Role.COORDINATOR)[1]
    with ServerProcess(store_url(store_kind, store, request), tmp_path / "one.log") as one:
        # when a client writes without sending a bookmark
        wrote = _post(one, CREATE, {"input": territory_input("plain", "Plain")}, {"Authorization": f"Bearer {token}"})
        # then the write is answered as ever, without a bookmark
        assert wrote.status_code == 200 and wrote.json()["data"]["createTerritory"]["errors"] == []
        assert bookmarks.HEADER not in wrote.headers
