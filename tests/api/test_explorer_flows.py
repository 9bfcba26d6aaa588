"""The explorer as coordinators and hubs use it (issue 14): whom to call, a path in words, a form
that invents nothing, a review that shows what changed.

A real Chromium against a real `registry serve` process on a copy of the seeded registry, one
process for the module (the tests that write use slugs of their own); what the page shows is
compared with what the public GraphQL API answers. Screenshots go to tests/artifacts/explorer/.
"""

from __future__ import annotations

import itertools
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from registry.domain.records import Hub, Role
from registry.services.access import create_key
from registry.store.sql.store import SqlStore
from tests.api.conftest import HUB, OTHER_HUB, Api
from tests.api.test_explorer_browser import Explorer, browser, gid, pick
from tests.server_process import ServerProcess

__all__ = ["browser"]  # the module's Chromium, shared with the explorer's other tests


@pytest.fixture(scope="module")
def server(seeded_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """`registry serve` on a copy of the seeds, with a key per role, for the whole module."""
    folder = tmp_path_factory.mktemp("explorer-process")
    copy = folder / "registry.db"
    shutil.copy(seeded_file, copy)
    with ServerProcess(f"sqlite:///{copy}", folder / "serve.log") as running:
        yield running


@pytest.fixture(scope="module")
def module_api(server: ServerProcess) -> Iterator[Api]:
    store = SqlStore(server.store_url)  # the same file, as another process opens it
    if OTHER_HUB not in {h.slug for h in store.hubs()}:
        store.put_hub(Hub(OTHER_HUB, "Other hub", None))
    keys = {
        "coordinator": create_key(store, Role.COORDINATOR)[1],
        "hub": create_key(store, Role.HUB, HUB)[1],
        "other_hub": create_key(store, Role.HUB, OTHER_HUB)[1],
    }
    with httpx.Client(base_url=server.url, timeout=30) as client:
        yield Api(client, store, keys)
    store.close()


@pytest.fixture
def api(module_api: Api) -> Api:
    return module_api


@pytest.fixture
def explorer(browser: Any, server: ServerProcess) -> Iterator[Explorer]:
    tab = Explorer(browser, server)
    yield tab
    tab.close()


WHOM = """{ territory(slug: "lyon") { name actors(first: 100) { edges { role node { slug name kind website } } } } }"""


def _in_view(page: Any, selector: str) -> None:
    """The element is wholly inside the window: opened in place, not somewhere below."""
    box = page.locator(selector).bounding_box()
    size = page.viewport_size
    assert box is not None and size is not None
    assert box["x"] >= 0 and box["y"] >= 0 and box["x"] + box["width"] <= size["width"] + 1
    assert box["y"] < size["height"] / 2


def test_the_territory_panel_for_lyon_lists_whom_to_call(explorer: Explorer, api: Api) -> None:
    # given Lyon among La Rochelle's partner cities
    page = explorer.open("partners")
    pick(page, "#partners-territory", "La Rochelle", "la-rochelle")
    row = page.locator('#partners-table tr[data-slug="lyon"]')
    row.wait_for()
    lyon = api.data(WHOM)["territory"]
    # when the coordinator chooses Lyon in the table
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    row.locator("button.open-record").click()
    page.wait_for_function("n => document.querySelector('#panel .record-label')?.textContent === n", arg=lyon["name"])
    # then Lyon's panel opens in place, beside the table, on screen
    _in_view(page, "#panel")
    _in_view(page, "#panel .record-label")
    # and lists every organisation working there with its role, kind and website, as the API has them
    edges = lyon["actors"]["edges"]
    expected = {e["node"]["slug"] for e in edges}
    rows = page.locator("#panel .panel-organisations tbody tr")
    assert set(rows.evaluate_all("rows => rows.map(r => r.dataset.slug)")) == expected and expected
    for edge in edges:
        actor = edge["node"]
        cells = page.locator(f'#panel .panel-organisations tr[data-slug="{actor["slug"]}"]')
        assert cells.locator("th button").inner_text() == actor["name"]
        assert cells.locator("th .sources a").count() > 0  # each organisation with its sources
        roles = cells.locator("td.role").inner_text()
        assert edge["role"].replace("_", " ").lower() in roles.lower()
        if actor["website"]:
            assert cells.locator("td a").first.get_attribute("href") == actor["website"]
    # and the use cases run there, its priorities and workshops, with their sources
    found = api.data(
        """{ territory(slug: "lyon") { useCases(first: 100) { nodes { slug } } priorities(first: 100) { nodes { slug } }
             workshops(first: 100) { nodes { slug } } } }"""
    )["territory"]
    for part, key in [("useCases", "useCases"), ("priorities", "priorities"), ("workshops", "workshops")]:
        shown = page.locator(f"#panel .panel-{part} li[data-slug]").evaluate_all("l => l.map(x => x.dataset.slug)")
        assert shown == [n["slug"] for n in found[key]["nodes"]], part
    assert page.locator("#panel .panel-useCases .sources a").count() > 0
    explorer.shot("territory-panel-lyon", full_page=False)
    # when an organisation of the panel is chosen, its own record replaces Lyon's, still in place
    first = edges[0]["node"]
    page.locator(f'#panel .panel-organisations tr[data-slug="{first["slug"]}"] th button').click()
    page.wait_for_function("n => document.querySelector('#panel .record-label')?.textContent === n", arg=first["name"])
    # and Escape closes the panel, the focus back where the user was
    page.keyboard.press("Escape")
    assert page.locator("#panel").is_hidden()


def test_the_territory_panel_opens_from_the_network_and_a_link_tells_its_relation(explorer: Explorer, api: Api) -> None:
    name = api.data(WHOM)["territory"]["name"]
    page = explorer.open("network")
    page.locator(f'svg .node[data-id="{gid("Territory", "lyon")}"]').click()
    page.wait_for_function("n => document.querySelector('#panel .record-label')?.textContent === n", arg=name)
    assert page.locator("#panel .panel-organisations tbody tr").count() > 0
    _in_view(page, "#panel")
    # when a link is chosen, the panel names its relation, its two ends, and the record stating it with its sources
    link = page.locator(f'svg .link[data-target="{gid("Territory", "lyon")}"]').first
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_selector('#panel [data-fact="relation"]')
    relation = page.inner_text('#panel [data-fact="relation"]')
    assert relation.split(": ", 1)[1] in {"run in", "works on"}
    assert page.locator("#panel-sources a").count() > 0
    assert name in page.inner_text("#panel .facts")
    explorer.shot("network-link", full_page=False)
    # and the picture zooms: crowded labels are hidden at first and come back as the user zooms in
    hidden = page.locator("svg text.crowded").count()
    for _ in range(3):
        page.click("#zoom-in")
    assert page.locator("svg text.crowded").count() <= hidden


def test_the_network_starts_with_the_programmes_cities(explorer: Explorer, api: Api) -> None:
    programme = api.data(
        """{ territories(filter: {statuses: [PILOT_CITY, ROADMAP_PARTICIPANT, FIRST_WORKSHOP_DONE, IN_DISCUSSION]},
             first: 100) { nodes { slug } } }"""
    )["territories"]["nodes"]
    slugs = [t["slug"] for t in programme]
    theirs = api.data(
        "query ($t: [String!]) { useCases(filter: {territories: $t}, first: 100) { totalCount nodes { id } } }",
        {"t": slugs},
    )["useCases"]
    page = explorer.open("network")
    page.wait_for_selector("svg .node.UseCase")
    drawn = page.locator("svg .node.UseCase").evaluate_all("n => n.map(x => x.dataset.id)")
    # the first use cases drawn are the programme's cities' own, not the first by name
    assert theirs["totalCount"] >= 15 and len(drawn) == 15
    assert set(drawn) <= {n["id"] for n in theirs["nodes"]}
    assert page.locator(f'svg .node[data-id="{gid("Territory", "la-rochelle")}"]').count() == 1


def _total(api: Api) -> int:
    return int(api.data("{ useCases { totalCount } }")["useCases"]["totalCount"])


RELATION_WORDS = {"works on", "run in", "in domain", "takes part in", "serves", "replicates", "linked to"}


def test_a_path_names_its_relations_and_opens_each_step(explorer: Explorer, api: Api) -> None:
    page = explorer.open("path")
    start, end = gid("Territory", "la-rochelle"), gid("Territory", "helsinki")
    pick(page, "#path-from", "La Rochelle", start)
    pick(page, "#path-to", "Helsinki", end)
    page.click("#path-form button[type=submit]")
    page.wait_for_selector("#path-result ol li.step")
    path = api.data(
        "query ($a: ID!, $b: ID!) { path(from: $a, to: $b) { length nodes { __typename id ... on Entry { label } } } }",
        {"a": start, "b": end},
    )["path"]
    # then each step is the API's record, and between two steps the relation is named
    steps = page.locator("#path-result li.step").evaluate_all("l => l.map(x => x.dataset.id)")
    assert steps == [n["id"] for n in path["nodes"]]
    relations = page.locator("#path-result li.relation").all_inner_texts()
    assert len(relations) == path["length"] and all(r in RELATION_WORDS for r in relations)
    kinds = [n["__typename"] for n in path["nodes"]]
    for i, word in enumerate(relations):
        pair = {kinds[i], kinds[i + 1]}
        if pair == {"Territory", "UseCase"}:
            assert word == "run in"
        elif pair == {"Actor", "Territory"}:
            assert word == "works on"
        elif pair == {"Domain", "UseCase"}:
            assert word == "in domain"
        elif pair == {"Actor", "UseCase"}:
            assert word == "takes part in"
    explorer.shot("path-relations")
    # when a step is chosen, its record opens in the panel
    middle = path["nodes"][1]
    page.locator(f'#path-result li.step[data-id="{middle["id"]}"] button').click()
    page.wait_for_function(
        "n => document.querySelector('#panel .record-label')?.textContent === n", arg=middle["label"]
    )


def test_pickers_put_the_exact_match_first(explorer: Explorer) -> None:
    page = explorer.open("path")
    page.fill("#path-from", "la rochelle")
    first = page.locator("#path-from-list [role=option]").first
    first.wait_for()
    assert first.get_attribute("data-value") == gid("Territory", "la-rochelle")


CASE = """query ($slug: String!) { useCase(slug: $slug) { status governance dataCategories yearStart yearEnd
  country reviewState } }"""


def test_a_form_left_at_its_defaults_stores_unknowns(explorer: Explorer, api: Api) -> None:
    page = explorer.open("hubs")
    explorer.use_key(api.keys["hub"])
    # given the form as it opens: every optional fact on "unknown" or empty
    assert page.input_value("#cs-status") == "UNKNOWN" and page.input_value("#cs-governance") == "UNKNOWN"
    assert page.locator("#cs-status option:checked").inner_text().startswith("Unknown")
    assert page.locator("#cs-data-categories option:checked").count() == 0
    assert page.locator("#cs-domains option:checked").count() == 0
    # when the hub gives only the required facts and submits
    page.fill("#cs-slug", "lyon-only-required")
    page.fill("#cs-title-en", "Only what the hub knows")
    pick(page, "#cs-territories", "Lyon", "lyon")
    page.wait_for_selector('#cs-territories-chosen li[data-value="lyon"]')
    page.fill("#cs-source-url", "https://example.org/only-required")
    page.fill("#cs-source-title", "The hub's note")
    page.click("#cs-submit")
    page.wait_for_function("document.querySelector('#case-saved').textContent === 'Saved: submitted.'")
    # then what no one stated is stored as unknown: no status, governance, category or year invented
    stored = api.data(CASE, {"slug": "lyon-only-required"}, as_="coordinator")["useCase"]
    assert stored["status"] == "UNKNOWN" and stored["governance"] == "UNKNOWN"
    assert stored["dataCategories"] in ([], ["UNKNOWN"])
    assert stored["yearStart"] is None and stored["yearEnd"] is None and stored["country"] is None
    explorer.shot("hubs-defaults")


SUBMIT = """mutation { submitCaseStudy(input: {slug: "lyon-energy-coaching", title: {en: "Energy coaching"},
  summary: {en: "Households see their consumption."}, status: PILOT, governance: PERSONAL_CLOUD, domains: ["energy"],
  territories: ["lyon"], yearStart: 2020, sources: [{url: "https://example.org/coaching", title: "Coaching notes"}]})
  { useCase { id version } errors { code } } }"""
RESUBMIT = """mutation ($id: ID!, $v: Int!) { updateCaseStudy(id: $id, version: $v, submit: true, input: {
  slug: "lyon-energy-coaching", title: {en: "Energy coaching"}, summary: {en: "Households see their consumption."},
  status: LIVE, governance: PERSONAL_CLOUD, domains: ["energy"], territories: ["lyon", "grenoble"], yearStart: 2020,
  sources: [{url: "https://example.org/coaching", title: "Coaching notes"}]}) { useCase { version } errors { code message } } }"""
VERSION = """{ useCase(slug: "lyon-energy-coaching") { id version reviewState } }"""


def test_a_coordinator_reviewing_a_resubmission_sees_what_changed(
    browser: Any, server: ServerProcess, api: Api
) -> None:
    submitted = api.data(SUBMIT, as_="hub")["submitCaseStudy"]
    assert submitted["errors"] == []
    coordinator = Explorer(browser, server)
    try:
        page = coordinator.open("hubs")
        coordinator.use_key(api.keys["coordinator"])
        card = page.locator('#review-list li[data-slug="lyon-energy-coaching"]')
        card.wait_for()
        lyon, grenoble = (
            api.data(f'{{ territory(slug: "{s}") {{ name }} }}')["territory"]["name"] for s in ("lyon", "grenoble")
        )
        # the review queue comes before the form
        assert page.evaluate(
            "document.querySelector('#review-list').compareDocumentPosition(document.querySelector('#case-form'))"
            " & Node.DOCUMENT_POSITION_FOLLOWING"
        )
        # the card shows the whole case study
        facts = {
            key: card.locator(f'dd[data-fact="{key}"]').inner_text()
            for key in ["summary", "territories", "domains", "status", "years", "governance", "sources", "hub"]
        }
        assert facts["summary"] == "Households see their consumption."
        assert facts["territories"] == lyon and facts["status"] == "pilot" and facts["years"].startswith("2020")
        assert facts["governance"] == "personal cloud" and "Coaching notes" in facts["sources"]
        assert facts["hub"] == "Hub MyData France" and facts["domains"]  # the hub's name, not its slug
        # when the coordinator rejects it with a reason
        card.locator("textarea").fill("Say whether the pilot is running.")
        card.locator("button.reject").click()
        card.wait_for(state="detached")
        # and the hub changes its status and adds a territory, and submits it again
        current = api.data(VERSION, as_="hub")["useCase"]
        again = api.data(RESUBMIT, {"id": current["id"], "v": current["version"]}, as_="hub")["updateCaseStudy"]
        assert again["errors"] == []
        page.reload()
        page.wait_for_selector("body[data-ready=true]")
        card = page.locator('#review-list li[data-slug="lyon-energy-coaching"]')
        card.wait_for()
        # then the card says what changed since the version the coordinator saw, and only that
        changed = card.locator(".changes [data-changed]")
        assert sorted(changed.evaluate_all("l => l.map(x => x.dataset.changed)")) == ["status", "territories"]
        status = card.locator('.changes [data-changed="status"]')
        assert status.locator("del").inner_text() == "pilot" and status.locator("ins").inner_text() == "live"
        assert card.locator('.changes [data-changed="territories"] ins').inner_text() == ", ".join(
            sorted([lyon, grenoble])
        )
        coordinator.shot("hubs-review-changes")
    finally:
        coordinator.close()


def test_french_numbers_punctuation_and_order(browser: Any, server: ServerProcess, api: Api) -> None:
    tab = Explorer(browser, server, locale="fr-FR")
    try:
        page = tab.open("partners")
        pick(page, "#partners-territory", "La Rochelle", "la-rochelle")
        scores = api.data('{ partnerCities(territory: "la-rochelle", first: 10) { score } }')["partnerCities"]
        page.wait_for_selector("#partners-table tbody tr")
        shown = page.locator("#partners-table tbody td:nth-of-type(1)").all_inner_texts()
        # a score of 6.5 reads "6,5" in French
        assert shown == [f"{s['score']:g}".replace(".", ",") for s in scores]
        assert any("," in s for s in shown)
        # and French punctuation: "Statut : " with a no-break space
        page.click("nav button[data-view=experiments]")
        pick(page, "#experiments-priority", "mobilit", "la-rochelle-sustainable-mobility")
        page.wait_for_selector("#experiments-list > li")
        assert "Statut\u00a0: " in page.inner_text("#experiments-list > li")
        tab.shot("partners-fr-numbers")
    finally:
        tab.close()


def test_a_path_kept_to_organisations_and_territories(explorer: Explorer, api: Api) -> None:
    page = explorer.open("path")
    start, end = gid("Territory", "la-rochelle"), gid("Territory", "lyon")
    pick(page, "#path-from", "La Rochelle", start)
    pick(page, "#path-to", "Lyon", end)
    # when the coordinator keeps the path to organisations and territories
    page.check("#path-strict")
    page.click("#path-form button[type=submit]")
    page.wait_for_selector("#path-result ol li.step")
    # then every step is an organisation or a territory, each linked to the next by "works on", as the API has it
    kinds = page.locator("#path-result li.step").evaluate_all("l => l.map(x => x.dataset.kind)")
    assert set(kinds) <= {"Actor", "Territory"} and kinds[0] == kinds[-1] == "Territory"
    assert set(page.locator("#path-result li.relation").all_inner_texts()) == {"works on"}
    ids = page.locator("#path-result li.step").evaluate_all("l => l.map(x => x.dataset.id)")
    for (a, kind_a), (b, _) in zip(zip(ids, kinds, strict=True), zip(ids[1:], kinds[1:], strict=True), strict=False):
        actor, territory = (a, b) if kind_a == "Actor" else (b, a)
        linked = api.data(
            "query ($id: ID!) { node(id: $id) { ... on Actor { territories(first: 100) { nodes { id } } } } }",
            {"id": actor},
        )["node"]["territories"]["nodes"]
        assert territory in {n["id"] for n in linked}
    assert ids[0] == start and ids[-1] == end
    explorer.shot("path-places")


ON_THE_MAP = """{ territories(filter: {within: {south: -90, west: -180, north: 90, east: 180}}, first: 100) {
  totalCount nodes { id slug programmeStatus useCases(first: 1) { totalCount } } } }"""
PROGRAMME = {"PILOT_CITY", "ROADMAP_PARTICIPANT", "FIRST_WORKSHOP_DONE", "IN_DISCUSSION"}


def test_the_map_draws_every_city_with_coordinates_and_lyons_partner_arcs(explorer: Explorer, api: Api) -> None:
    located = api.data(ON_THE_MAP)["territories"]
    assert located["totalCount"] == len(located["nodes"]) > 0
    # given the explorer opened with no view named: the map comes first
    explorer.page.goto(f"{explorer.server.url}/explore/")
    page = explorer.page
    page.wait_for_selector("body[data-ready=true]")
    page.wait_for_selector("svg#map .place")
    assert page.get_attribute("nav button[data-view=map]", "aria-current") == "page"
    # then every territory with coordinates is drawn, sized by its use cases
    drawn = page.locator("svg#map .place").evaluate_all(
        "l => l.map(g => [g.dataset.id, Number(g.dataset.count), Number(g.querySelector('circle').getAttribute('r'))])"
    )
    assert {d[0] for d in drawn} == {n["id"] for n in located["nodes"]}
    counts = {n["id"]: n["useCases"]["totalCount"] for n in located["nodes"]}
    assert all(count == counts[i] for i, count, _ in drawn)
    lyon_count = api.data('{ territory(slug: "lyon") { useCases { totalCount } } }')["territory"]["useCases"]
    assert dict((i, c) for i, c, _ in drawn)[gid("Territory", "lyon")] == lyon_count["totalCount"] > 0
    by_count = sorted(drawn, key=lambda d: d[1])
    assert all(a[2] <= b[2] for a, b in itertools.pairwise(by_count))  # more use cases, bigger
    # and the first view frames the programme's own cities: each is inside the picture
    box = page.locator("svg#map").bounding_box()
    assert box is not None
    for node in located["nodes"]:
        if node["programmeStatus"] in PROGRAMME:
            circle = page.locator(f'svg#map .place[data-id="{node["id"]}"] circle').bounding_box()
            assert circle is not None, node["slug"]
            assert box["x"] <= circle["x"] <= box["x"] + box["width"], node["slug"]
            assert box["y"] <= circle["y"] <= box["y"] + box["height"], node["slug"]
    explorer.shot("map", full_page=False)
    # when Lyon is chosen, its partner cities are drawn as arcs, the thicker the higher the score
    page.locator(f'svg#map .place[data-id="{gid("Territory", "lyon")}"] circle').click()
    partners = api.data(
        '{ partnerCities(territory: "lyon", first: 10) { score territory { slug coordinates { latitude } } } }'
    )["partnerCities"]
    expected = [m["territory"]["slug"] for m in partners if m["territory"]["coordinates"]]
    assert expected
    page.wait_for_function("n => document.querySelectorAll('svg#map .arc').length === n", arg=len(expected))
    arcs = page.locator("svg#map .arc").evaluate_all(
        "l => l.map(a => [a.dataset.to, Number(a.dataset.score), Number(a.getAttribute('stroke-width'))])"
    )
    assert [a[0] for a in arcs] == expected
    assert all(a[2] >= b[2] for a, b in itertools.pairwise(arcs)) and arcs[0][2] > arcs[-1][2]
    # and Lyon's panel opens beside the map
    name = api.data(WHOM)["territory"]["name"]
    page.wait_for_function("n => document.querySelector('#panel .record-label')?.textContent === n", arg=name)
    assert page.locator("#panel .panel-organisations tbody tr").count() > 0
    explorer.shot("map-lyon", full_page=False)


def test_a_hub_submitting_four_mistakes_sees_four_errors_in_french(
    browser: Any, server: ServerProcess, api: Api
) -> None:
    tab = Explorer(browser, server, locale="fr-FR")
    try:
        page = tab.open("hubs")
        tab.use_key(api.keys["hub"])
        in_review = "{ useCases(filter: {reviewStates: [DRAFT, SUBMITTED]}) { totalCount } }"
        before = api.data(in_review, as_="coordinator")  # the module's other tests may have written some
        # given a case study with four mistakes: a slug that is not one, reversed years, a source
        # address that is not a URL and a source without a title
        page.fill("#cs-slug", "Pas un identifiant !")
        page.fill("#cs-title-fr", "Quatre erreurs")
        pick(page, "#cs-territories", "Lyon", "lyon")
        page.wait_for_selector('#cs-territories-chosen li[data-value="lyon"]')
        page.fill("#cs-year-start", "2022")
        page.fill("#cs-year-end", "2020")
        page.fill("#cs-source-url", "pas une adresse")
        # when the hub submits once
        page.click("#cs-submit")
        # then the four errors show at once, each next to its field, in French
        errors = page.locator("#case-form .field-error.inline")
        page.wait_for_function("document.querySelectorAll('#case-form .field-error.inline').length === 4")
        shown = dict(
            zip(
                errors.evaluate_all("l => l.map(e => e.closest('.field').dataset.field)"),
                errors.all_inner_texts(),
                strict=True,
            )
        )
        assert shown == {
            "slug": "Lettres minuscules, chiffres et tirets seulement (ex. helsinki-waste-sorting).",
            "yearEnd": "L'année de fin (2020) précède l'année de début (2022).",
            "sources sources.url": "L'adresse d'une source est une URL http(s).",
            "sources.title": "Une source a besoin d'un titre.",
        }
        # and each field is marked invalid, the start year too (the rule names both years)
        for control in ["#cs-slug", "#cs-year-end", "#cs-year-start", "#cs-source-url", "#cs-source-title"]:
            assert page.get_attribute(control, "aria-invalid") == "true", control
        assert page.evaluate("document.activeElement.id") == "cs-slug"  # the first field in error has the focus
        # and nothing was written
        assert api.data(in_review, as_="coordinator") == before
        tab.shot("hubs-four-errors-fr")
    finally:
        tab.close()


def test_a_permalink_opens_its_record(explorer: Explorer, api: Api) -> None:
    lyon = api.data('{ territory(slug: "lyon") { url name } }')["territory"]
    case = api.data("{ useCases(first: 1, sort: {by: NAME}) { nodes { url title } } }")["useCases"]["nodes"][0]
    assert lyon["url"] == "/explore/territory/lyon"
    page = explorer.page
    # when someone opens Lyon's permalink, the page opens on Lyon's panel
    page.goto(f"{explorer.server.url}{lyon['url']}")
    page.wait_for_selector("body[data-ready=true]")
    page.wait_for_function("n => document.querySelector('#panel .record-label')?.textContent === n", arg=lyon["name"])
    assert page.locator("#panel .panel-organisations tbody tr").count() > 0
    assert page.get_attribute("#panel a.permalink", "href") == lyon["url"]
    assert page.evaluate("location.pathname") == lyon["url"]  # the address stays the record's
    explorer.shot("permalink-lyon", full_page=False)
    # and a use case's permalink opens the use case
    page.goto(f"{explorer.server.url}{case['url']}")
    page.wait_for_selector("body[data-ready=true]")
    page.wait_for_function("n => document.querySelector('#panel .record-label')?.textContent === n", arg=case["title"])
    assert page.locator("#error").is_hidden()


def _counted(page: Any, select: str) -> dict[str, int]:
    return dict(
        page.locator(f"{select} option[data-count]").evaluate_all("l => l.map(o => [o.value, Number(o.dataset.count)])")
    )


def test_the_network_filters_show_facet_counts(explorer: Explorer, api: Api) -> None:
    count = "query ($f: UseCaseFilter) { useCases(filter: $f) { totalCount } }"
    page = explorer.open("network")
    page.wait_for_selector("#filter-domain option[data-count]", state="attached")
    # each domain says how many use cases it would show, as the filtered list counts them
    domains = _counted(page, "#filter-domain")
    assert domains and sum(domains.values()) > 0
    for slug in ["mobility", "energy"]:
        assert domains[slug] == api.data(count, {"f": {"domains": [slug]}})["useCases"]["totalCount"]
    assert page.locator('#filter-domain option[value="mobility"]').inner_text().endswith(f"({domains['mobility']})")
    # when a country is chosen, the domains count within it
    page.select_option("#filter-country", "FR")
    page.wait_for_function(
        "n => document.querySelector('#filter-domain option[value=mobility]').dataset.count === String(n)",
        arg=api.data(count, {"f": {"domains": ["mobility"], "countries": ["FR"]}})["useCases"]["totalCount"],
    )
    countries = _counted(page, "#filter-country")
    assert countries["FR"] == api.data(count, {"f": {"countries": ["FR"]}})["useCases"]["totalCount"]
    explorer.shot("network-facets", full_page=False)


def test_the_maps_filters_show_facet_counts(explorer: Explorer, api: Api) -> None:
    world = {"south": -90, "west": -180, "north": 90, "east": 180}
    count = "query ($f: TerritoryFilter) { territories(filter: $f) { totalCount } }"
    page = explorer.open("map")
    page.wait_for_selector("#map-status option[data-count]", state="attached")
    statuses = _counted(page, "#map-status")
    assert sum(statuses.values()) == api.data(count, {"f": {"within": world}})["territories"]["totalCount"]
    for status, n in statuses.items():
        assert n == api.data(count, {"f": {"within": world, "statuses": [status]}})["territories"]["totalCount"]
    # when the coordinator keeps the peers, the map draws those only, and the countries count among them
    page.select_option("#map-status", "PEER")
    page.wait_for_function("n => document.querySelectorAll('svg#map .place').length === n", arg=statuses["PEER"])
    countries = _counted(page, "#map-country")
    assert sum(countries.values()) == statuses["PEER"]
    explorer.shot("map-facets", full_page=False)


DRAFT = """mutation { submitCaseStudy(draft: true, input: {slug: "lyon-water-meters", title: {en: "Water meters"},
  status: PILOT, territories: ["lyon"], sources: [{url: "https://example.org/water", title: "Water notes"}]})
  { useCase { id version } errors { code } } }"""
EDIT = """mutation ($id: ID!, $v: Int!, $input: CaseStudyInput!) { updateCaseStudy(id: $id, version: $v, input: $input)
  { useCase { version } errors { code message } } }"""
QUALITY = """{ useCase(slug: "lyon-water-meters") { url title completeness { percent unknownFields }
  history { version action changes { field } } } }"""


def test_a_hub_sees_its_drafts_history_and_what_is_missing_leads_to_its_form(explorer: Explorer, api: Api) -> None:
    # given a hub's draft, then two edits: a start year, then a domain
    draft = api.data(DRAFT, as_="hub")["submitCaseStudy"]
    assert draft["errors"] == []
    at = draft["useCase"]
    for n, change in enumerate([{"yearStart": 2021}, {"domains": ["water"]}]):
        edited = api.data(EDIT, {"id": at["id"], "v": at["version"] + n, "input": change}, as_="hub")
        assert edited["updateCaseStudy"]["errors"] == []
    case = api.data(QUALITY, as_="hub")["useCase"]
    assert [v["action"] for v in case["history"]] == ["update", "update", "submit"]
    # when the hub, its key given, opens the case study's permalink
    page = explorer.open("hubs")
    explorer.use_key(api.keys["hub"])
    page.goto(f"{explorer.server.url}{case['url']}")
    page.wait_for_selector("body[data-ready=true]")
    page.wait_for_function("n => document.querySelector('#panel .record-label')?.textContent === n", arg=case["title"])
    page.locator("#panel .panel-history").wait_for()
    # then the panel shows how complete it is and what is missing, as the API says
    shown = page.locator("#panel .panel-completeness [data-percent]").get_attribute("data-percent")
    assert shown == str(case["completeness"]["percent"])
    missing = page.locator("#panel .panel-completeness .missing").inner_text()
    assert "Governance" in missing and "governance" in case["completeness"]["unknownFields"]
    # and its history, collapsed, every version with what changed
    assert page.locator("#panel .panel-history details").get_attribute("open") is None
    page.locator("#panel .panel-history summary").click()
    versions = page.locator("#panel .panel-history li[data-version]")
    assert versions.evaluate_all("l => l.map(x => x.dataset.action)") == ["update", "update", "submit"]
    newest = page.locator("#panel .panel-history li[data-version]").first
    assert newest.locator("[data-changed]").evaluate_all("l => l.map(x => x.dataset.changed)") == ["domains"]
    explorer.shot("record-history-completeness", full_page=False)
    # when the hub follows "what is missing", the hub form opens on that case study
    page.locator("#panel a.complete-case").click()
    page.wait_for_function("document.querySelector('#cs-slug').value === 'lyon-water-meters'")
    assert page.locator("#view-hubs").is_visible()
    assert page.input_value("#cs-year-start") == "2021"
