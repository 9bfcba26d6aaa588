"""Reading the programme: lists, filters, pagination, lookups, search, stats, path."""

from __future__ import annotations

import base64

from tests.api.conftest import Api
from tests.test_seeds import PROGRAMME

TERRITORY_PAGE = """
query ($first: Int, $after: String, $filter: TerritoryFilter, $sort: Sort) {
  territories(first: $first, after: $after, filter: $filter, sort: $sort) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id slug name country programmeStatus } }
  }
}
"""

TERRITORY = """
query ($slug: String!) {
  territory(slug: $slug) {
    id slug name nameI18n { fr en } country kind population languages programmeStatus prioritiesDefined
    positions { position note }
    sources { url title seen }
    priorities(first: 10) { totalCount nodes { id title domains { nodes { slug } } territory { slug } } }
    actors(first: 50) { totalCount edges { role node { slug kind } } }
    useCases(first: 50) { totalCount nodes { slug } }
  }
}
"""

USE_CASES = """
query ($filter: UseCaseFilter, $sort: Sort, $first: Int) {
  useCases(filter: $filter, sort: $sort, first: $first) {
    totalCount
    nodes { slug title status governance yearStart yearEnd sources { url title } domains { nodes { slug } } territories { nodes { slug } } }
  }
}
"""


def slugs(connection: dict) -> list[str]:  # type: ignore[type-arg]
    return [node["slug"] for node in connection["nodes"]]


def test_the_ten_programme_territories_are_listed_with_their_stated_status(api: Api) -> None:
    # given the seeded programme, when a front end lists every territory
    data = api.data(TERRITORY_PAGE, {"first": 100})["territories"]
    # then the presentation's ten places are there, with the status the presentation gives them
    status = {edge["node"]["slug"]: edge["node"]["programmeStatus"] for edge in data["edges"]}
    expected = set(PROGRAMME)
    assert expected <= set(status)
    assert status["grand-paris"] == "FIRST_WORKSHOP_DONE"
    assert status["helsinki"] == "FIRST_WORKSHOP_DONE"
    assert {status[s] for s in ("amsterdam", "geneva", "barcelona", "brussels")} == {"IN_DISCUSSION"}
    assert data["totalCount"] == len(data["edges"])


def test_cursor_pagination_walks_every_territory_once(api: Api) -> None:
    # given pages of three, when a client follows endCursor until hasNextPage is false
    seen: list[str] = []
    after = None
    pages = 0
    while True:
        page = api.data(TERRITORY_PAGE, {"first": 3, "after": after})["territories"]
        seen += [edge["node"]["slug"] for edge in page["edges"]]
        assert page["pageInfo"]["hasPreviousPage"] is (after is not None)
        pages += 1
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    # then it saw every territory once, in slug order, in ceil(total / 3) pages
    total = page["totalCount"]
    assert seen == sorted(seen) and len(seen) == len(set(seen)) == total
    assert pages == -(-total // 3)


def test_page_size_is_capped_at_one_hundred(api: Api) -> None:
    response = api.post(TERRITORY_PAGE, {"first": 101})
    body = response.json()
    assert body["data"] is None
    assert body["errors"][0]["extensions"] == {"code": "INVALID", "field": "first"}


def test_a_forged_cursor_is_refused(api: Api) -> None:
    body = api.post(TERRITORY_PAGE, {"first": 2, "after": base64.b64encode(b"nonsense").decode()}).json()
    assert body["errors"][0]["extensions"]["code"] == "INVALID"


def test_territories_filter_by_country_and_status_and_sort_by_name(api: Api) -> None:
    french = api.data(TERRITORY_PAGE, {"first": 50, "filter": {"countries": ["FR"], "statuses": ["PILOT_CITY"]}})
    nodes = [edge["node"] for edge in french["territories"]["edges"]]
    assert nodes and all(n["country"] == "FR" and n["programmeStatus"] == "PILOT_CITY" for n in nodes)
    assert {"lyon", "nantes", "la-rochelle"} <= {n["slug"] for n in nodes}
    by_name = api.data(TERRITORY_PAGE, {"first": 50, "sort": {"by": "NAME", "descending": True}})["territories"][
        "edges"
    ]
    names = [edge["node"]["name"].casefold() for edge in by_name]
    assert names == sorted(names, reverse=True)


def test_a_territory_with_its_priorities_actors_and_use_cases(api: Api) -> None:
    lyon = api.data(TERRITORY, {"slug": "lyon"})["territory"]
    assert lyon["country"] == "FR"
    assert lyon["population"] is None  # the sources give no population: unknown, not invented
    assert lyon["sources"] and all(source["url"].startswith("https://") for source in lyon["sources"])
    priority = lyon["priorities"]["nodes"][0]
    assert priority["territory"]["slug"] == "lyon"
    assert "social-welfare" in [d["slug"] for d in priority["domains"]["nodes"]]
    roles = {edge["node"]["slug"]: edge["role"] for edge in lyon["actors"]["edges"]}
    assert "metropole-de-lyon" in roles
    assert {"mesinfos-pilot", "ecolyo"} <= set(slugs(lyon["useCases"]))
    assert api.data(TERRITORY, {"slug": "atlantis"})["territory"] is None


def test_node_and_nodes_resolve_global_ids_of_any_kind(api: Api) -> None:
    lyon = api.data(TERRITORY, {"slug": "lyon"})["territory"]
    query = """query ($id: ID!, $ids: [ID!]!) {
      node(id: $id) { id ... on Territory { slug } }
      nodes(ids: $ids) { id ... on Entry { slug } }
    }"""
    data = api.data(query, {"id": lyon["id"], "ids": [lyon["id"], "bm9wZQ==", lyon["priorities"]["nodes"][0]["id"]]})
    assert data["node"] == {"id": lyon["id"], "slug": "lyon"}
    assert data["nodes"][0]["slug"] == "lyon" and data["nodes"][1] is None
    assert data["nodes"][2]["slug"] == "lyon-social-welfare"


def test_use_cases_filter_by_domain_territory_governance_status_years_and_actor_kind(api: Api) -> None:
    def run(filter_: dict) -> list[dict]:  # type: ignore[type-arg]
        return api.data(USE_CASES, {"filter": filter_, "first": 100})["useCases"]["nodes"]  # type: ignore[no-any-return]

    everything = run({})
    assert len(everything) >= 25
    assert all(case["sources"] for case in everything)
    energy = run({"domains": ["energy"]})
    assert energy and all("energy" in [d["slug"] for d in c["domains"]["nodes"]] for c in energy)
    in_lyon = run({"territories": ["lyon"]})
    assert in_lyon and all("lyon" in [t["slug"] for t in c["territories"]["nodes"]] for c in in_lyon)
    cooperatives = run({"governance": ["DATA_COOPERATIVE"]})
    assert cooperatives and all(c["governance"] == "DATA_COOPERATIVE" for c in cooperatives)
    completed = run({"statuses": ["COMPLETED"]})
    assert completed and all(c["status"] == "COMPLETED" for c in completed)
    recent = run({"yearFrom": 2020})
    assert recent and all((c["yearEnd"] or c["yearStart"]) >= 2020 for c in recent)
    early = run({"yearTo": 2015})
    assert early and all(c["yearStart"] <= 2015 for c in early)
    with_insurers = {c["slug"] for c in run({"actorKinds": ["INSURER"]})}
    assert {"mesinfos-experiment-1", "mesinfos-pilot"} <= with_insurers
    both = run({"domains": ["energy"], "territories": ["lyon"]})
    assert {c["slug"] for c in both} == {c["slug"] for c in energy} & {c["slug"] for c in in_lyon}


def test_use_cases_sorted_by_year_put_unknown_years_last(api: Api) -> None:
    nodes = api.data(USE_CASES, {"sort": {"by": "YEAR"}, "first": 100})["useCases"]["nodes"]
    years = [c["yearStart"] for c in nodes]
    known = [y for y in years if y is not None]
    assert known == sorted(known)
    assert years[: len(known)] == known  # every unknown year comes after the known ones


def test_search_ignores_accents_and_case_in_french_and_english(api: Api) -> None:
    query = "query ($text: String!) { search(text: $text, first: 50) { totalCount nodes { __typename ... on Entry { slug } } } }"
    french = api.data(query, {"text": "ÉNERGIE"})["search"]
    plain = api.data(query, {"text": "energie"})["search"]
    english = api.data(query, {"text": "energy"})["search"]
    assert french == plain and french["totalCount"] > 0
    assert "energy" in [n["slug"] for n in english["nodes"] if n["__typename"] == "Domain"]
    assert api.data(query, {"text": "mobilite durable"})["search"]["totalCount"] >= 1
    assert api.data(query, {"text": "zzzqqq"})["search"]["totalCount"] == 0


def test_lists_of_every_kind_answer(api: Api) -> None:
    query = """{
      actors(filter: {kinds: [INSURER]}, first: 50) { totalCount nodes { slug kind } }
      domains(first: 100) { totalCount nodes { slug nameI18n { fr en } } }
      priorities(filter: {territories: ["nantes"]}) { totalCount nodes { slug kind status } }
      experiments { totalCount nodes { slug status territory { slug } useCase { slug } priorities { nodes { slug } } } }
      workshops(filter: {kinds: [SWOT]}) { totalCount nodes { slug kind date online phase territory { slug } } }
      swotItems { totalCount }
      roadmapActions(first: 20) { totalCount nodes { number title } }
    }"""
    data = api.data(query)
    assert {"axa", "maif"} <= {a["slug"] for a in data["actors"]["nodes"]}
    assert all(a["kind"] == "INSURER" for a in data["actors"]["nodes"])
    assert {"energy", "mobility", "social-welfare", "crisis-situations"} <= {
        d["slug"] for d in data["domains"]["nodes"]
    }
    assert [p["slug"] for p in data["priorities"]["nodes"]] == ["nantes-energy-transition"]
    experiment = data["experiments"]["nodes"][0]
    assert experiment["territory"]["slug"] == "la-rochelle" and experiment["useCase"]["slug"] == "coach-co2-tracemob"
    swot = {w["slug"]: w for w in data["workshops"]["nodes"]}
    assert any(w["date"] == "2021-04-28" and w["territory"]["slug"] == "la-rochelle" for w in swot.values())
    assert data["swotItems"]["totalCount"] == 0  # the SWOT quadrants' content is not known: none invented
    assert sorted(a["number"] for a in data["roadmapActions"]["nodes"]) == list(range(1, 9))


def test_stats_count_what_the_lists_show(api: Api) -> None:
    data = api.data("""{
      stats { useCasesByDomain { key count } useCasesByStatus { key count } useCasesByTerritory { key count }
              territoriesByStatus { key count } actorsByKind { key count } experimentsByStatus { key count } }
      energy: useCases(filter: {domains: ["energy"]}) { totalCount }
      lyon: useCases(filter: {territories: ["lyon"]}) { totalCount }
      all: useCases { totalCount }
    }""")
    stats = data["stats"]
    by_domain = {c["key"]: c["count"] for c in stats["useCasesByDomain"]}
    by_territory = {c["key"]: c["count"] for c in stats["useCasesByTerritory"]}
    assert by_domain["energy"] == data["energy"]["totalCount"]
    assert by_territory["lyon"] == data["lyon"]["totalCount"]
    assert sum(c["count"] for c in stats["useCasesByStatus"]) == data["all"]["totalCount"]


def test_path_finds_the_shortest_chain_between_two_records(api: Api) -> None:
    ids = api.data("""{ a: territory(slug: "la-rochelle") { id } b: territory(slug: "lyon") { id } }""")
    query = "query ($from: ID!, $to: ID!) { path(from: $from, to: $to) { length nodes { __typename ... on Entry { slug } } } }"
    path = api.data(query, {"from": ids["a"]["id"], "to": ids["b"]["id"]})["path"]
    assert path["nodes"][0]["slug"] == "la-rochelle" and path["nodes"][-1]["slug"] == "lyon"
    assert path["length"] == len(path["nodes"]) - 1 == 2  # both host Cozy Cloud
    again = api.data(query, {"from": ids["a"]["id"], "to": ids["b"]["id"]})["path"]
    assert again == path


def test_the_method_in_two_phases_with_its_workshop_kinds(api: Api) -> None:
    method = api.data("""{ method { phases { number title(lang: FR) periods steps sources { url } }
                                   workshopKinds { kind phase label } cases { number prioritiesDefined title } } }""")[
        "method"
    ]
    assert [p["number"] for p in method["phases"]] == [1, 2]
    assert method["phases"][0]["title"] == "Explorer, analyser et connecter"
    assert all(p["steps"] and p["sources"] for p in method["phases"])
    assert {"SWOT", "INTERVIEW", "POOLING", "USE_CASE_DESIGN"} <= {w["kind"] for w in method["workshopKinds"]}
    assert [c["prioritiesDefined"] for c in method["cases"]] == [False, True]
