"""The explorer on a network bigger than one page of the API: `registry generate --scale 10`
(170 territories, 540 organisations) in a fresh SQLite, served by a real `registry serve`
process, in a real Chromium.

The pickers search the API as the user types, so a record far past the first 100 by name is
found and picked from the keyboard, in French and English, and the finders answer for it as
the API does.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from registry.store.sql.store import SqlStore
from registry.synthetic.loading import generate_into
from tests.api.conftest import Api
from tests.api.test_explorer_browser import Explorer, _rows, browser, pick
from tests.server_process import ServerProcess

__all__ = ["browser"]  # the module's Chromium, shared with the explorer's other tests

CITIES = """query ($after: String) {
  page: territories(filter: {kinds: [CITY, METROPOLIS, AGGLOMERATION, REGION]}, sort: {by: NAME}, first: 100, after: $after) {
    pageInfo { hasNextPage endCursor } nodes { slug name nameFr: name(lang: FR) } } }"""
PARTNERS = (
    """query ($t: ID!) { partnerCities(territory: $t, first: 10, lang: FR) { territory { slug } reasons { label } } }"""
)
ACTORS = """query ($after: String) {
  page: actors(sort: {by: NAME}, first: 100, after: $after) { pageInfo { hasNextPage endCursor } nodes { id slug name } } }"""
PATH = "query ($a: ID!, $b: ID!) { path(from: $a, to: $b) { length nodes { ... on Entry { label } } } }"


def _every(api: Api, query: str) -> list[dict[str, Any]]:
    """Every node of a list, page after page, in the API's order."""
    nodes: list[dict[str, Any]] = []
    after = None
    while True:
        page = api.data(query, {"after": after})["page"]
        nodes += page["nodes"]
        if not page["pageInfo"]["hasNextPage"]:
            return nodes
        after = page["pageInfo"]["endCursor"]


@pytest.fixture(scope="module")
def generated_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("generated") / "registry.db"
    store = SqlStore(f"sqlite:///{path}")
    generate_into(store, scale=10, seed=0)
    store.close()
    return path


@pytest.fixture(scope="module")
def server(generated_file: Path) -> Iterator[ServerProcess]:
    """`registry serve` on the generated store, one process for the module (these tests only read)."""
    with ServerProcess(f"sqlite:///{generated_file}", generated_file.with_name("serve.log")) as running:
        yield running


@pytest.fixture(scope="module")
def large(server: ServerProcess, generated_file: Path) -> Iterator[Api]:
    store = SqlStore(f"sqlite:///{generated_file}")
    with httpx.Client(base_url=server.url, timeout=30) as client:
        yield Api(client, store, {})
    store.close()


def test_a_territory_past_the_first_hundred_is_found_and_ranked_in_french(
    browser: Any, server: ServerProcess, large: Api
) -> None:
    cities = _every(large, CITIES)
    assert len(cities) > 100  # more than the page the explorer used to load
    far = cities[-1]  # the last by name: never in a first page of 100
    tab = Explorer(browser, server, locale="fr-FR")
    try:
        page = tab.open("partners")
        picker = "#partners-territory"
        # when the coordinator types the city's French name, the list opens with it among the choices
        page.fill(picker, far["nameFr"])
        page.wait_for_selector(f'{picker}-list [role=option][data-value="{far["slug"]}"]')
        assert page.get_attribute(picker, "aria-expanded") == "true"
        assert far["nameFr"] in page.inner_text(f"{picker}-list")
        # Escape closes the list without picking
        page.keyboard.press("Escape")
        assert page.get_attribute(picker, "aria-expanded") == "false" and page.locator(f"{picker}-list").is_hidden()
        # and typing again, the arrows and Enter pick it
        pick(page, picker, far["nameFr"], far["slug"])
        assert page.input_value(picker).startswith(far["nameFr"])
        # then its partner cities are the API's, in its order, with the API's French reasons
        expected = large.data(PARTNERS, {"t": far["slug"]})["partnerCities"]
        assert expected, "the generated city has partners"
        _rows(page, [m["territory"]["slug"] for m in expected])
        first = page.locator(f'#partners-table tr[data-slug="{expected[0]["territory"]["slug"]}"] .reasons li')
        assert first.all_inner_texts() == [r["label"] for r in expected[0]["reasons"]]
        tab.shot("partners-large")
    finally:
        tab.close()


def test_a_path_between_organisations_past_the_first_hundred(browser: Any, server: ServerProcess, large: Api) -> None:
    actors = _every(large, ACTORS)
    assert len(actors) > 100
    start, end = actors[-1], actors[-2]
    tab = Explorer(browser, server)
    try:
        page = tab.open("path")
        pick(page, "#path-from", start["name"], start["id"])
        pick(page, "#path-to", end["name"], end["id"])
        page.click("#path-form button[type=submit]")
        path = large.data(PATH, {"a": start["id"], "b": end["id"]})["path"]
        if path is None:
            page.wait_for_function("document.querySelector('#path-result p')?.textContent.includes('not linked')")
        else:
            page.wait_for_selector("#path-result ol li.step")
            shown = page.locator("#path-result ol li.step").all_inner_texts()
            assert [s.rsplit(" (", 1)[0] for s in shown] == [n["label"] for n in path["nodes"]]
        tab.shot("path-large")
    finally:
        tab.close()


def test_the_network_pages_past_a_hundred_use_cases(browser: Any, server: ServerProcess, large: Api) -> None:
    total = large.data("{ useCases { totalCount } }")["useCases"]["totalCount"]
    assert total > 100  # more than one page of the API
    tab = Explorer(browser, server)
    try:
        page = tab.open("network")
        page.wait_for_selector("svg .node.UseCase")
        assert page.inner_text("#network-count") == f"15 of {total} use cases shown"
        # when the coordinator asks for more until none is left, every use case is drawn, past the first 100
        shown = 15
        while shown < total:
            page.click("#network-more")
            shown = min(shown + 15, total)
            page.wait_for_function(
                "t => document.querySelector('#network-count').textContent === t",
                arg=f"{shown} of {total} use cases shown",
            )
        assert page.locator("#network-more").is_hidden()
        drawn = page.locator("svg .node.UseCase").evaluate_all("n => new Set(n.map(x => x.dataset.id)).size")
        assert drawn == total
        assert page.locator("#error").is_hidden()
        tab.shot("network-large")
    finally:
        tab.close()
