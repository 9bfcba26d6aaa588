"""Every record has a stable URL that opens the explorer on it."""

from __future__ import annotations

from tests.api.conftest import Api


def test_every_record_exposes_its_permalink_and_the_permalink_serves_the_explorer(api: Api) -> None:
    # given a territory and a use case as GraphQL gives them
    data = api.data(
        '{ territory(slug: "lyon") { url } useCase(slug: "ecolyo") { url } workshops(first: 1) { nodes { url } } }'
    )
    assert data["territory"]["url"] == "/explore/territory/lyon"
    assert data["useCase"]["url"] == "/explore/use-case/ecolyo"
    assert data["workshops"]["nodes"][0]["url"].startswith("/explore/workshop/")
    # when a browser opens them
    for url in (data["territory"]["url"], data["useCase"]["url"]):
        page = api.client.get(url)
        # then it gets the explorer's page, whose relative assets resolve under /explore/
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        assert '<base href="/explore/">' in page.text and 'src="app.js"' in page.text
    # and the explorer's own files are still served
    assert api.client.get("/explore/app.js").status_code == 200
    assert api.client.get("/explore/").status_code == 200


def test_search_results_and_nodes_carry_their_permalink(api: Api) -> None:
    nodes = api.data('{ search(text: "lyon", first: 50) { nodes { ... on Entry { url } } } }')["search"]["nodes"]
    assert "/explore/territory/lyon" in [n["url"] for n in nodes]


def test_a_permalink_of_an_unknown_kind_is_not_found(api: Api) -> None:
    assert api.client.get("/explore/planet/mars").status_code == 404
