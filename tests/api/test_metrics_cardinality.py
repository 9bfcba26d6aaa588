"""/metrics stays bounded whatever operation names clients send, through a real `registry serve`
with two workers (prometheus-client's multiprocess mode, where every worker's series are summed).

An operation name becomes a label only when known: the trusted documents', the explorer's, and
those keyed callers send, up to a cap per worker.  Every other name counts as `other`.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from registry.domain.records import Role
from registry.services.access import create_key
from registry.services.seeding import seed
from registry.store.sql.store import SqlStore
from tests.server_process import ServerProcess

NAMES = 10_000
# One operation label set costs 46 sample lines in /metrics (requests 1, latency 13 buckets + +Inf +
# count + sum, round trips 11 + 3, store seconds 12 + 3), some 6 KB.  10,000 unknown names may add
# only `other`'s: one label set per outcome and path they reach (ok/full here), so the growth stays
# under a few label sets, where 10,000 labelled names would add some 60 MB.
GROWTH_LIMIT = 24_000  # bytes: four label sets


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ServerProcess, str]]:
    folder = tmp_path_factory.mktemp("cardinality")
    store = SqlStore(f"sqlite:///{folder / 'registry.db'}")
    seed(store)
    key = create_key(store, Role.COORDINATOR)[1]
    url = store.engine.url.render_as_string(hide_password=False)
    store.close()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("REGISTRY_RATE_LIMIT_ANONYMOUS", "")  # 10,000 requests from one address
        patch.setenv("REGISTRY_METRICS_KEYED_OPERATIONS", "5")
        with ServerProcess(url, folder / "serve.log", workers=2) as server:
            yield server, key


def _metrics(server: ServerProcess) -> str:
    return httpx.get(f"{server.url}/metrics", timeout=30).text


def _operations(text: str) -> set[str]:
    return {
        sample.labels["operation"]
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if family.name == "registry_graphql_requests"
    }


def _send(base: str, names: list[str], key: str | None = None) -> list[int]:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    with httpx.Client(base_url=base, timeout=30, headers=headers) as client:
        return [client.post("/graphql", json={"query": f"query {n} {{ __typename }}"}).status_code for n in names]


def test_ten_thousand_anonymous_operation_names_leave_metrics_bounded(served: tuple[ServerProcess, str]) -> None:
    server, _ = served
    # given a server that has answered an explorer operation and an unknown one (both workers warm)
    _send(server.url, ["Catalogue", "Warm"] * 4)
    before = _metrics(server)
    # when anonymous clients send 10,000 operations, each with a new name
    names = [f"Op{uuid.uuid4().hex}" for _ in range(NAMES)]
    with ThreadPoolExecutor(4) as pool:
        statuses = [s for part in pool.map(lambda i: _send(server.url, names[i::4]), range(4)) for s in part]
    assert statuses == [200] * NAMES
    after = _metrics(server)
    # then they are all counted, under `other`, and /metrics grew by less than four label sets
    counted = sum(
        sample.value
        for family in text_string_to_metric_families(after)
        for sample in family.samples
        if sample.name == "registry_graphql_requests_total" and sample.labels["operation"] == "other"
    )
    assert counted >= NAMES
    assert len(after.encode()) - len(before.encode()) < GROWTH_LIMIT, (len(before), len(after))
    assert not any(name in after for name in names)
    assert "Catalogue" in _operations(after)  # an explorer operation keeps its name


def test_a_keyed_caller_adds_names_only_up_to_the_cap(served: tuple[ServerProcess, str]) -> None:
    server, key = served
    names = [f"Keyed{n}" for n in range(100)]
    # when a caller with a key sends 100 names to a server capped at 5 per worker
    assert _send(server.url, names, key) == [200] * 100
    # then at most 5 per worker became labels, the rest are `other`
    labelled = _operations(_metrics(server)) & set(names)
    assert 1 <= len(labelled) <= 2 * 5
