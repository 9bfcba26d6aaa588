"""When Neo4j goes away while the registry serves, requests get STORE_UNAVAILABLE; it recovers by itself."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests import needs
from tests.api.conftest import Server, serve

QUERY = '{ territory(slug: "lyon") { slug } }'


@pytest.mark.neo4j
def test_requests_fail_clearly_while_neo4j_is_down_and_recover_after(server: Server, tmp_path: Path) -> None:
    needs.java_and_mvn()
    from graph.local_neo4j import LocalNeo4j, free_port
    from graph.store import Neo4jStore
    from registry.services.seeding import seed

    # given a registry serving from its own Neo4j
    neo4j = LocalNeo4j(free_port(), tmp_path / "data")
    uri = neo4j.start()
    store = Neo4jStore(uri, retry_seconds=1.0)
    try:
        seed(store)
        for api in serve(server, store):
            assert api.post(QUERY).json()["data"] == {"territory": {"slug": "lyon"}}
            # when Neo4j stops, then requests get a clear, typed error and no stack trace
            neo4j.stop()
            started = time.monotonic()
            down = api.post(QUERY)
            # the operation ran: its nullable field is null with a typed error, so a 200 (GraphQL over
            # HTTP); a 503 is for an answer with no data at all
            assert down.status_code == 200, down.text
            assert down.json()["data"] == {"territory": None}
            error = down.json()["errors"][0]
            assert error["extensions"]["code"] == "STORE_UNAVAILABLE" and "Traceback" not in down.text
            assert time.monotonic() - started < 30  # it answers; it does not hang
            # /ready says the store is gone, typed; /health (liveness) still answers: restarting would not help
            ready = api.client.get("/ready")
            assert ready.status_code == 503
            assert ready.json()["status"] == "unavailable"
            assert ready.json()["errors"][0]["code"] == "STORE_UNAVAILABLE"
            assert api.client.get("/health").status_code == 200
            # when Neo4j is back on the same port, then the same service answers again
            neo4j.start()
            deadline = time.monotonic() + 60
            while "errors" in (response := api.post(QUERY)).json():
                assert time.monotonic() < deadline, response.text
                time.sleep(0.5)
            assert response.json()["data"] == {"territory": {"slug": "lyon"}}
            assert api.client.get("/ready").status_code == 200
    finally:
        store.close()
        neo4j.stop()
