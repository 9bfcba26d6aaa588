"""The explorer (/explore) in a real Chromium, against a real uvicorn serving the seeded registry.

Each flow a coordinator or a hub follows is driven through the page, and what the page shows is
compared with what the public GraphQL API answers. Screenshots of each view are saved in
tests/artifacts/explorer/ (not committed).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

import pytest

from registry.services.seeding import seed
from tests import needs
from tests.api.conftest import Api, Server, serve
from tests.api.test_graphiql_browser import CHROMIUM_FLAGS
from tests.conftest import MakeStore

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "explorer"
WAIT = 30_000  # ms: a generous bound for a busy 2-core machine, never a timing assertion


def gid(kind: str, slug: str) -> str:
    return base64.b64encode(f"{kind}:{slug}".encode()).decode()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    sync_api = needs.playwright()
    executable = needs.chromium()
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_FLAGS)
        try:
            yield launched
        finally:
            launched.close()


class Served(Protocol):
    """What a tab needs of a server: its address (an in-process uvicorn, or a `registry serve` process)."""

    @property
    def url(self) -> str: ...


class Explorer:
    """One browser tab on the explorer, remembering any request that left the registry."""

    def __init__(self, browser: Any, server: Served, locale: str = "en-GB") -> None:
        self.context = browser.new_context(locale=locale, viewport={"width": 1300, "height": 900})
        self.page = self.context.new_page()
        self.server = server
        self.outside: list[str] = []
        here = server.url.split("://", 1)[1]  # http:// for pages and calls, ws:// for live updates
        self.page.on(
            "request", lambda r: None if r.url.split("://", 1)[1].startswith(here) else self.outside.append(r.url)
        )
        self.page.set_default_timeout(WAIT)

    def open(self, view: str = "network") -> Any:
        self.page.goto(f"{self.server.url}/explore#{view}")
        self.page.wait_for_selector("body[data-ready=true]")
        return self.page

    def shot(self, name: str, full_page: bool = True) -> None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=full_page)

    def use_key(self, key: str) -> None:
        self.page.fill("#api-key", key)
        self.page.click("#key-form button[type=submit]")

    def close(self) -> None:
        assert self.outside == []  # every asset and call goes to the registry itself: it works offline
        self.context.close()


def pick(page: Any, picker: str, text: str, value: str) -> None:
    """Type into a search-as-you-type picker, move to the choice with the arrow keys, Enter picks it."""
    page.fill(picker, text)
    choice = page.locator(f'{picker}-list [role=option][data-value="{value}"]')
    choice.wait_for()
    wanted = choice.get_attribute("id")
    for _ in range(10):  # the list holds at most 10 choices
        if page.get_attribute(picker, "aria-activedescendant") == wanted:
            break
        page.keyboard.press("ArrowDown")
    assert page.get_attribute(picker, "aria-activedescendant") == wanted
    page.keyboard.press("Enter")
    assert page.evaluate("s => document.querySelector(s).dataset.value", picker) == value


@pytest.fixture
def explorer(browser: Any, server: Server, api: Api) -> Iterator[Explorer]:
    tab = Explorer(browser, server)
    yield tab
    tab.close()


def _count(api: Api, filter_: str) -> int:
    return int(api.data(f"{{ useCases(filter: {filter_}) {{ totalCount }} }}")["useCases"]["totalCount"])


def _shows(page: Any, total: int) -> None:
    """Wait until the page says it draws the first page of `total` use cases."""
    page.wait_for_function(
        "n => document.querySelector('#network-count').textContent === `${Math.min(n, 15)} of ${n} use cases shown`",
        arg=total,
    )


def test_network_view_filters_shows_more_and_opens_a_record_with_its_sources(explorer: Explorer, api: Api) -> None:
    page = explorer.open("network")
    total = _count(api, "{}")
    # given the network drawn with a first page of use cases, when the coordinator asks for more
    page.wait_for_selector("svg .node.UseCase")
    assert page.inner_text("#network-count") == f"15 of {total} use cases shown"
    # then each click draws 15 more, with more nodes, until every use case is drawn and the button goes away
    shown = 15
    while shown < total:
        before = page.locator("svg .node").count()
        page.click("#network-more")
        shown = min(shown + 15, total)
        page.wait_for_function(
            "t => document.querySelector('#network-count').textContent === t", arg=f"{shown} of {total} use cases shown"
        )
        assert page.locator("svg .node").count() > before
    assert page.locator("#network-more").is_hidden()
    # when filtering by domain, country and organisation kind, the count is the API's
    for select, value, filter_ in [
        ("#filter-domain", "mobility", '{domains: ["mobility"]}'),
        ("#filter-country", "FR", '{domains: ["mobility"], countries: ["FR"]}'),
    ]:
        page.select_option(select, value)
        _shows(page, _count(api, filter_))
    page.select_option("#filter-domain", "")
    page.select_option("#filter-country", "")
    page.select_option("#filter-kind", "PERSONAL_CLOUD_OPERATOR")
    _shows(page, _count(api, "{actorKinds: [PERSONAL_CLOUD_OPERATOR]}"))
    # and only organisations of that kind are drawn
    actors = page.locator("svg .node.Actor").evaluate_all("nodes => nodes.map(n => n.getAttribute('aria-label'))")
    assert actors and any("Cozy Cloud" in a for a in actors)
    kinds = api.data("{ actors(filter: {kinds: [PERSONAL_CLOUD_OPERATOR]}, first: 100) { nodes { name } } }")
    names = {a["name"] for a in kinds["actors"]["nodes"]}
    assert all(a.split(": ", 1)[1] in names or a.endswith("…") for a in actors)
    # when a territory node is clicked, its record shows with its sources, as the API has them
    page.locator(f'svg .node[data-id="{gid("Territory", "la-rochelle")}"]').click()
    page.wait_for_selector("#panel .record-label")
    assert page.inner_text("#panel .record-label") == "La Rochelle"
    sources = api.data('{ territory(slug: "la-rochelle") { sources { url } } }')["territory"]["sources"]
    hrefs = page.locator("#panel-sources a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert hrefs == [s["url"] for s in sources] and hrefs
    explorer.shot("network")


def test_a_node_opens_from_the_keyboard(explorer: Explorer) -> None:
    page = explorer.open("network")
    node = page.locator(f'svg .node[data-id="{gid("Territory", "la-rochelle")}"]')
    node.focus()
    page.keyboard.press("Enter")
    page.wait_for_function("document.querySelector('#panel .record-label')?.textContent === 'La Rochelle'")


PARTNERS = """query ($lang: Language!) { partnerCities(territory: "lyon", first: 10, lang: $lang) {
  territory { slug } reasons { label } } }"""


def _rows(page: Any, slugs: list[str]) -> None:
    """Wait until the table lists these partners in this order (it first shows the first territory's)."""
    page.wait_for_function(
        "slugs => JSON.stringify([...document.querySelectorAll('#partners-table tbody tr')].map(r => r.dataset.slug))"
        " === JSON.stringify(slugs)",
        arg=slugs,
    )


def test_partner_finder_ranks_cities_with_reasons_and_shared_things_side_by_side(explorer: Explorer, api: Api) -> None:
    page = explorer.open("partners")
    # when Lyon's coordinator picks Lyon
    pick(page, "#partners-territory", "Lyon", "lyon")
    # then the partner cities come in the API's order, each with the API's reasons in words
    expected = api.data(PARTNERS, {"lang": "EN"})["partnerCities"]
    _rows(page, [m["territory"]["slug"] for m in expected])
    rows = page.locator("#partners-table tbody tr")
    assert rows.evaluate_all("rows => rows.map(r => r.dataset.slug)") == [m["territory"]["slug"] for m in expected]
    rochelle = page.locator('#partners-table tr[data-slug="la-rochelle"]')
    assert rochelle.locator(".reasons li").all_inner_texts() == [
        r["label"] for r in next(m for m in expected if m["territory"]["slug"] == "la-rochelle")["reasons"]
    ]
    # and the shared platform is in its own column, beside domains and organisations
    cells = rochelle.locator("td").all_inner_texts()  # score, reasons, domains, organisations, platforms
    assert cells[3].strip() == "Fing" and cells[4].strip() == "Cozy Cloud" and "Environment and climate" in cells[2]
    explorer.shot("partners")
    # when the coordinator switches to French, the reasons are the API's French sentences
    page.select_option("#lang-switch", "fr")
    page.wait_for_function(
        "document.querySelector('nav button[data-view=partners]').textContent === 'Villes partenaires'"
    )
    french = api.data(PARTNERS, {"lang": "FR"})["partnerCities"]
    french_reasons = next(m for m in french if m["territory"]["slug"] == "la-rochelle")["reasons"]
    page.wait_for_function(
        "text => [...document.querySelectorAll('#partners-table tr[data-slug=\"la-rochelle\"] .reasons li')]"
        ".some(li => li.textContent === text)",
        arg=french_reasons[0]["label"],
    )
    assert rochelle.locator(".reasons li").all_inner_texts() == [r["label"] for r in french_reasons]
    assert "La même plateforme fonctionne déjà sur les deux territoires : Cozy Cloud." in rochelle.inner_text()
    explorer.shot("partners-fr")


CANDIDATES = """{ candidateExperiments(priority: "la-rochelle-sustainable-mobility", first: 10) {
  useCase { slug title status sources { url } } reasons { label } } }"""


def test_experiment_finder_ranks_use_cases_and_links_to_their_record(explorer: Explorer, api: Api) -> None:
    page = explorer.open("experiments")
    pick(page, "#experiments-priority", "mobility", "la-rochelle-sustainable-mobility")
    expected = api.data(CANDIDATES)["candidateExperiments"]
    page.wait_for_function(
        "slugs => JSON.stringify([...document.querySelectorAll('#experiments-list > li')].map(i => i.dataset.slug))"
        " === JSON.stringify(slugs)",
        arg=[c["useCase"]["slug"] for c in expected],
    )
    items = page.locator("#experiments-list > li")
    assert items.evaluate_all("items => items.map(i => i.dataset.slug)") == [c["useCase"]["slug"] for c in expected]
    first = expected[0]["useCase"]
    assert items.first.locator(".state").inner_text() == first["status"].lower()
    assert [r["label"] for r in expected[0]["reasons"]] == items.first.locator("ul li").all_inner_texts()
    # when the coordinator opens the first candidate, its record shows its status and sources
    items.first.locator("button.open-record").first.click()
    page.wait_for_selector("#panel .record-label")
    assert page.inner_text("#panel .record-label") == first["title"]
    assert "Status: completed" in page.inner_text("#panel")
    hrefs = page.locator("#panel-sources a").evaluate_all("a => a.map(x => x.getAttribute('href'))")
    assert hrefs == [s["url"] for s in first["sources"]]
    explorer.shot("experiments")


def test_path_between_two_records(explorer: Explorer, api: Api) -> None:
    page = explorer.open("path")
    start, end = gid("Territory", "la-rochelle"), gid("Territory", "lyon")
    pick(page, "#path-from", "La Rochelle", start)
    pick(page, "#path-to", "Lyon", end)
    page.click("#path-form button[type=submit]")
    page.wait_for_selector("#path-result ol li.step")
    path = api.data(
        "query ($a: ID!, $b: ID!) { path(from: $a, to: $b) { length nodes { ... on Entry { label } } } }",
        {"a": start, "b": end},
    )["path"]
    assert page.inner_text("#path-result p") == f"{path['length']} links"
    shown = page.locator("#path-result ol li.step").all_inner_texts()
    assert [s.rsplit(" (", 1)[0] for s in shown] == [n["label"] for n in path["nodes"]]
    explorer.shot("path")


def _fill_case(page: Any, slug: str) -> None:
    page.fill("#cs-slug", slug)
    page.fill("#cs-title-en", "Waste sorting data returned to households")
    page.fill("#cs-title-fr", "Données de tri rendues aux ménages")
    page.select_option("#cs-status", "PILOT")
    page.select_option("#cs-governance", "TRUSTED_THIRD_PARTY")
    page.select_option("#cs-domains", ["waste"])
    pick(page, "#cs-territories", "Helsinki", "helsinki")
    page.wait_for_selector('#cs-territories-chosen li[data-value="helsinki"]')
    page.fill("#cs-source-url", "https://example.org/write-up")
    page.fill("#cs-source-title", "The hub's write-up")


def test_a_hub_submission_goes_through_to_publication_by_a_coordinator(browser: Any, server: Server, api: Api) -> None:
    hub, coordinator = Explorer(browser, server), Explorer(browser, server)
    try:
        page = hub.open("hubs")
        hub.use_key(api.keys["hub"])
        page.wait_for_selector("#live-state[data-mode]")  # live updates: a socket, or polling before subscriptions
        # the key stays in this tab's session only, never in the field nor in lasting storage
        assert page.evaluate("sessionStorage.getItem('registry-explorer-key')") == api.keys["hub"]
        assert (
            page.evaluate("Object.values(localStorage).includes(sessionStorage.getItem('registry-explorer-key'))")
            is False
        )
        assert page.input_value("#api-key") == ""
        # given a hub's case study with a slug that is not one, when saved as a draft
        _fill_case(page, "Not a slug!")
        page.click("#cs-draft")
        # then the API's error shows next to the slug field, and the field is marked invalid
        error = page.locator('.field[data-field~="slug"] .field-error')
        error.wait_for()
        assert "slug" in error.inner_text().lower()
        assert page.get_attribute("#cs-slug", "aria-invalid") == "true"
        assert page.get_attribute("#cs-slug", "aria-describedby") == error.get_attribute("id")
        hub.shot("hubs-error")
        # when the slug is fixed and the draft saved, then it is a draft the hub sees in its list
        page.fill("#cs-slug", "helsinki-waste-sorting")
        page.click("#cs-draft")
        page.wait_for_function("document.querySelector('#case-saved').textContent === 'Saved: draft.'")
        assert page.locator(".field-error.inline").count() == 0
        mine = page.locator('#mine-list li[data-slug="helsinki-waste-sorting"]')
        assert mine.locator(".state").inner_text() == "draft"
        # when submitted, it is in review
        page.click("#cs-submit")
        page.wait_for_function("document.querySelector('#case-saved').textContent === 'Saved: submitted.'")
        page.wait_for_function(
            "document.querySelector('#mine-list li[data-slug=\"helsinki-waste-sorting\"] .state')?.textContent"
            " === 'submitted'"
        )
        # given a coordinator's tab, the submission is in the review list with its source
        review = coordinator.open("hubs")
        coordinator.use_key(api.keys["coordinator"])
        card = review.locator('#review-list li[data-slug="helsinki-waste-sorting"]')
        card.wait_for()
        assert card.locator("a").get_attribute("href") == "https://example.org/write-up"
        coordinator.shot("hubs-review")
        # when the coordinator publishes it, it leaves the review list
        card.locator("button.publish").click()
        card.wait_for(state="detached")
        # and the hub's page follows its review state without being reloaded
        page.wait_for_function(
            "document.querySelector('#mine-list li[data-slug=\"helsinki-waste-sorting\"] .state')?.textContent"
            " === 'published'"
        )
        hub.shot("hubs-published")
        # and anyone now reads it
        published = api.data('{ useCase(slug: "helsinki-waste-sorting") { reviewState } }')["useCase"]
        assert published == {"reviewState": "PUBLISHED"}
    finally:
        hub.close()
        coordinator.close()


def test_a_source_error_shows_next_to_the_source_field(explorer: Explorer, api: Api) -> None:
    page = explorer.open("hubs")
    explorer.use_key(api.keys["hub"])
    # given a case study whose source address is not a URL, when the hub submits it
    _fill_case(page, "helsinki-waste-sorting")
    page.fill("#cs-source-url", "not a url")
    page.click("#cs-submit")
    # then the error is next to the source address, not elsewhere, and nothing was written
    error = page.locator('.field[data-field~="sources.url"] .field-error')
    error.wait_for()
    assert error.inner_text() == "A source's url is an http(s) URL."
    assert page.get_attribute("#cs-source-url", "aria-invalid") == "true"
    assert page.locator(".field-error.inline").count() == 1
    assert api.data('{ useCase(slug: "helsinki-waste-sorting") { slug } }', as_="coordinator") == {"useCase": None}
    # when fixed and submitted again, the error goes and the case study is in review
    page.fill("#cs-source-url", "https://example.org/write-up")
    page.click("#cs-submit")
    page.wait_for_function("document.querySelector('#case-saved').textContent === 'Saved: submitted.'")
    assert page.locator(".field-error.inline").count() == 0
    assert page.get_attribute("#cs-source-url", "aria-invalid") is None


def test_a_coordinator_rejects_with_a_reason_and_the_hub_reads_it(browser: Any, server: Server, api: Api) -> None:
    submitted = api.data(
        """mutation { submitCaseStudy(input: {slug: "hub-energy-coaching", title: {en: "Energy coaching"},
             status: PILOT, governance: PERSONAL_CLOUD, domains: ["energy"], territories: ["lyon"],
             sources: [{url: "https://example.org/coaching", title: "Coaching notes"}]}) { errors { code } } }""",
        as_="hub",
    )
    assert submitted["submitCaseStudy"]["errors"] == []
    hub, coordinator = Explorer(browser, server), Explorer(browser, server)
    try:
        hub.open("hubs")
        hub.use_key(api.keys["hub"])
        page = coordinator.open("hubs")
        coordinator.use_key(api.keys["coordinator"])
        card = page.locator('#review-list li[data-slug="hub-energy-coaching"]')
        # when the coordinator rejects without a reason, the API's error shows next to the reason box
        card.locator("button.reject").click()
        error = card.locator(".field-error")
        error.wait_for()
        assert error.inner_text() == "Say why the case study is rejected."
        assert card.locator("textarea").get_attribute("aria-describedby") == error.get_attribute("id")
        assert card.locator(".state").inner_text() == "submitted"  # nothing changed
        # when rejected with a reason (typed in the labelled box), the hub reads the reason
        page.get_by_label("Reason for rejecting Energy coaching").fill("The sources do not show the pilot ran.")
        card.locator("button.reject").click()
        card.wait_for(state="detached")
        hub.page.wait_for_function(
            "document.querySelector('#mine-list li[data-slug=\"hub-energy-coaching\"] .note')?.textContent"
            " === 'Review note: The sources do not show the pilot ran.'"
        )
        assert hub.page.locator('#mine-list li[data-slug="hub-energy-coaching"] .state').inner_text() == "rejected"
    finally:
        hub.close()
        coordinator.close()


def test_the_page_follows_the_browser_language_and_switches(browser: Any, server: Server, api: Api) -> None:
    tab = Explorer(browser, server, locale="fr-FR")
    try:
        page = tab.open("network")
        # a French browser gets the page in French
        assert page.get_attribute("html", "lang") == "fr"
        assert page.inner_text("nav button[data-view=network]") == "Réseau"
        page.wait_for_selector("svg .node")
        assert "cas d'usage affichés sur" in page.inner_text("#network-count")
        tab.shot("network-fr")
        # the switch turns it to English, and the choice stays after a reload
        page.select_option("#lang-switch", "en")
        page.wait_for_function("document.querySelector('nav button[data-view=network]').textContent === 'Network'")
        page.reload()
        page.wait_for_selector("body[data-ready=true]")
        assert page.get_attribute("html", "lang") == "en"
        assert page.input_value("#lang-switch") == "en"
    finally:
        tab.close()


# The WCAG relative luminance and contrast ratio of each visible text against its background.
CONTRAST = """() => {
  const rgb = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const background = (el) => {
    for (let e = el; e; e = e.parentElement) {
      if (e instanceof SVGElement && e.tagName !== "svg") continue;
      const c = rgb(getComputedStyle(e).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] > 0)) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const low = [];
  for (const el of document.querySelectorAll("body *")) {
    const text = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    if (!text || !el.getClientRects().length) continue;
    const style = getComputedStyle(el);
    if (style.visibility === "hidden") continue;
    const fg = rgb(el instanceof SVGElement ? style.fill : style.color).slice(0, 3);
    const [a, b] = [lum(fg), lum(background(el))].sort((x, y) => y - x);
    const ratio = (a + 0.05) / (b + 0.05);
    if (ratio < 4.5) low.push(`${el.tagName}#${el.id}.${el.className}: ${ratio.toFixed(2)} "${el.textContent.trim().slice(0, 30)}"`);
  }
  return low;
}"""

UNLABELLED = """() => [...document.querySelectorAll("input, select, textarea")]
  .filter((el) => el.getClientRects().length && !(el.labels && el.labels.length) && !el.getAttribute("aria-label"))
  .map((el) => el.id || el.outerHTML.slice(0, 60))"""


def test_accessibility_labels_contrast_and_keyboard(explorer: Explorer, api: Api) -> None:
    page = explorer.open("network")
    page.wait_for_selector("svg .node")
    # every view: each control has a label, and every text meets WCAG AA contrast (4.5:1)
    for view in ["map", "network", "partners", "experiments", "path", "hubs"]:
        page.click(f"nav button[data-view={view}]")
        page.wait_for_selector(f"#view-{view}:not([hidden])")
        if view == "partners":
            pick(page, "#partners-territory", "Lyon", "lyon")
            page.wait_for_selector("#partners-table tbody tr")
        assert page.evaluate(UNLABELLED) == [], view
        assert page.evaluate(CONTRAST) == [], view
    # the keyboard reaches the views: Tab to the partner finder's button, Enter opens it
    page.click("nav button[data-view=network]")
    page.locator("#lang-switch").focus()
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.dataset.view") == "partners":
            break
    assert page.evaluate("document.activeElement.dataset.view") == "partners"
    page.keyboard.press("Enter")
    page.wait_for_selector("#view-partners:not([hidden])")
    # and a form is filled and sent from the keyboard alone: Tab to the path's button, Enter finds the path
    page.click("nav button[data-view=path]")
    page.locator("#path-to").focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.type") == "submit"
    page.keyboard.press("Enter")
    page.wait_for_selector("#path-result p")


@pytest.mark.neo4j
def test_the_partner_finder_and_a_record_on_neo4j(browser: Any, server: Server, make_store: MakeStore) -> None:
    # given the seeded programme in Neo4j, served by the same app
    store = make_store("neo4j")
    seed(store)
    for api in serve(server, store):
        tab = Explorer(browser, server, locale="fr-FR")
        try:
            page = tab.open("partners")
            pick(page, "#partners-territory", "Lyon", "lyon")
            # then the page shows Neo4j's ranking, in French, as the API gives it
            french = api.data(PARTNERS, {"lang": "FR"})["partnerCities"]
            _rows(page, [m["territory"]["slug"] for m in french])
            rows = page.locator("#partners-table tbody tr").evaluate_all("rows => rows.map(r => r.dataset.slug)")
            assert rows == [m["territory"]["slug"] for m in french]
            assert "La même plateforme fonctionne déjà sur les deux territoires : Cozy Cloud." in page.inner_text(
                '#partners-table tr[data-slug="la-rochelle"]'
            )
            # and a city's record opens with its sources
            page.click('#partners-table tr[data-slug="rennes"] button.open-record')
            page.wait_for_function("document.querySelector('#panel .record-label')?.textContent === 'Rennes'")
            assert page.locator("#panel-sources a").count() > 0
            tab.shot("partners-neo4j")
        finally:
            tab.close()


def test_the_review_list_follows_a_graphql_transport_ws_subscription(browser: Any, server: Server, api: Api) -> None:
    """The page's side of the graphql-transport-ws protocol, until the server serves subscriptions.

    Playwright answers the page's WebSocket as a server speaking the protocol would; the
    publication itself is real, through the API. With a socket, the page does not poll: the
    hub's list changes only because an event arrived.
    """
    case = api.data(
        """mutation { submitCaseStudy(input: {slug: "hub-live-case", title: {en: "Live case"}, status: PILOT,
             domains: ["energy"], territories: ["lyon"], sources: [{url: "https://example.org/live", title: "Live"}]})
             { useCase { id version } errors { code } } }""",
        as_="hub",
    )["submitCaseStudy"]["useCase"]
    messages: list[dict[str, Any]] = []
    sockets: list[Any] = []

    def answer(ws: Any) -> None:
        sockets.append(ws)

        def on_message(text: str | bytes) -> None:
            message = json.loads(text)
            messages.append(message)
            if message["type"] == "connection_init":
                ws.send(json.dumps({"type": "connection_ack"}))

        ws.on_message(on_message)

    tab = Explorer(browser, server)
    try:
        tab.page.route_web_socket(lambda url: url.endswith("/graphql"), answer)
        page = tab.open("hubs")
        tab.use_key(api.keys["hub"])
        # the page opens a graphql-transport-ws socket with the hub's key, and subscribes by name
        page.wait_for_selector("#live-state[data-mode=socket]")
        assert sockets[-1].protocols == ["graphql-transport-ws"]
        assert messages[0] == {"type": "connection_init", "payload": {"Authorization": f"Bearer {api.keys['hub']}"}}
        subscribe = next(m for m in messages if m["type"] == "subscribe")
        assert subscribe["payload"]["operationName"] == "CaseStudyChanged"
        assert subscribe["payload"]["query"].strip().startswith("subscription CaseStudyChanged")
        assert subscribe["payload"]["variables"] == {"after": None}
        card = page.locator('#mine-list li[data-slug="hub-live-case"] .state')
        assert card.inner_text() == "submitted"
        # when a coordinator publishes it and the server sends the event, the hub's list shows it published
        published = api.data(
            "mutation ($id: ID!, $v: Int!) { publishCaseStudy(id: $id, version: $v) { errors { code } } }",
            {"id": case["id"], "v": case["version"]},
            as_="coordinator",
        )
        assert published["publishCaseStudy"]["errors"] == []
        page.wait_for_timeout(4000)  # longer than the polling period (3 s): with a socket, the page does not poll
        assert card.inner_text() == "submitted"
        event = {"caseStudyChanged": {"id": "42", "change": "PUBLISHED"}}
        sockets[-1].send(json.dumps({"id": subscribe["id"], "type": "next", "payload": {"data": event}}))
        page.wait_for_function(
            "document.querySelector('#mine-list li[data-slug=\"hub-live-case\"] .state')?.textContent === 'published'"
        )
        # and a ping is answered with a pong, as the protocol asks
        sockets[-1].send(json.dumps({"type": "ping"}))
        deadline = 50
        while not any(m["type"] == "pong" for m in messages) and deadline:
            page.wait_for_timeout(100)
            deadline -= 1
        assert any(m["type"] == "pong" for m in messages)
        # and when the socket drops, the page opens it again and resumes after the last event it saw
        sockets[-1].close()
        deadline = 100
        while sum(m["type"] == "subscribe" for m in messages) < 2 and deadline:
            page.wait_for_timeout(100)
            deadline -= 1
        again = [m for m in messages if m["type"] == "subscribe"][-1]
        assert again["payload"]["variables"] == {"after": "42"}
    finally:
        tab.close()
