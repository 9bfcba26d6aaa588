"""GraphiQL in a real browser: the page loads from the registry itself and shows the seeded programme."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from tests import needs
from tests.api.conftest import Api, Server

QUERY = '{ partnerCities(territory: "lyon", first: 3) { score territory { slug name } reasons { label } } }'
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def test_graphiql_runs_a_coordinator_query_in_a_browser(api: Api, server: Server, tmp_path: Path) -> None:
    sync_api = needs.playwright()
    executable = needs.chromium()
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_FLAGS)
        try:
            page = browser.new_page()
            requests_outside: list[str] = []
            page.on("request", lambda r: None if r.url.startswith(server.url) else requests_outside.append(r.url))
            # given GraphiQL opened on the registry with a coordinator's question in the editor
            page.goto(f"{server.url}/graphql?query={quote(QUERY)}")
            page.wait_for_selector(".graphiql-execute-button", timeout=30_000)
            # when the coordinator presses Run
            page.click(".graphiql-execute-button")
            # then the result pane shows the ranked partner cities with their reasons
            result = page.locator(".graphiql-response")
            result.get_by_text('"rennes"', exact=True).wait_for(timeout=30_000)
            text = result.inner_text()
            assert '"score"' in text and '"la-rochelle"' in text  # the two first partners of Lyon
            page.screenshot(path=str(tmp_path / "graphiql.png"))
            assert requests_outside == []  # every asset comes from the registry: it works offline
        finally:
            browser.close()
