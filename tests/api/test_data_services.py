"""Services through which people get their own data, and where territories are: as a coordinator asks.

The expected answers are read from the seed files themselves (not through the registry's code), so
these tests check that the filters, links and boxes find exactly what the sources state."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from registry.services.seeding import DEFAULT_SEEDS
from tests.api.conftest import Api


def _table(file: str, table: str) -> list[dict[str, Any]]:
    with Path(DEFAULT_SEEDS, file).open("rb") as seeds:
        items: list[dict[str, Any]] = tomllib.load(seeds)[table]
        return items


SERVICES = _table("data_services.toml", "data_service")
TERRITORIES = {t["slug"]: t for t in _table("territories.toml", "territory")}
USE_CASES = _table("use_cases.toml", "use_case")


def _data(api: Api, query: str) -> Any:
    answer = api.client.post("/graphql", json={"query": query}).json()
    assert "errors" not in answer, answer
    return answer["data"]


def test_at_least_twelve_services_are_seeded_each_with_its_provider_and_sources(api: Api) -> None:
    # Given the seeded registry, when a front-end lists every data service
    found = _data(api, "{ dataServices(first: 100) { totalCount nodes { slug sources { url } provider { slug } } } }")
    nodes = found["dataServices"]["nodes"]
    # Then every seeded service is there, with the organisation that runs it and its sources
    assert found["dataServices"]["totalCount"] == len(SERVICES) >= 12
    by_slug = {n["slug"]: n for n in nodes}
    for service in SERVICES:
        node = by_slug[service["slug"]]
        assert node["provider"] == {"slug": service["provider"]}
        assert [s["url"] for s in node["sources"]] == [s["url"] for s in service["sources"]]


def test_services_by_data_category_and_country(api: Api) -> None:
    # Given a coordinator asking which services give people their energy readings in France
    found = _data(
        api,
        '{ dataServices(first: 100, filter: {dataCategories: [ENERGY_CONSUMPTION], countries: ["FR"]}) '
        "{ nodes { slug } } }",
    )
    # Then exactly the services stating that category and available on a French territory are listed
    french = {slug for slug, t in TERRITORIES.items() if t["country"] == "FR"}
    expected = sorted(
        s["slug"]
        for s in SERVICES
        if "energy_consumption" in s.get("data_categories", []) and french & set(s.get("available_in", []))
    )
    assert expected, "the seeds hold French energy services"
    assert [n["slug"] for n in found["dataServices"]["nodes"]] == expected


def test_use_cases_relying_on_a_service(api: Api) -> None:
    relied = sorted({service for case in USE_CASES for service in case.get("data_services", [])})
    for service in relied:
        found = _data(
            api, f'{{ useCases(first: 100, filter: {{dataServices: ["{service}"]}}) {{ nodes {{ slug }} }} }}'
        )
        expected = sorted(c["slug"] for c in USE_CASES if service in c.get("data_services", []))
        assert [n["slug"] for n in found["useCases"]["nodes"]] == expected, service


def test_every_city_and_region_has_its_coordinates_with_a_source(api: Api) -> None:
    found = _data(api, "{ territories(first: 100) { nodes { slug kind coordinates { latitude longitude } } } }")
    for node in found["territories"]["nodes"]:
        seeded = TERRITORIES[node["slug"]]
        if node["kind"] != "COUNTRY":  # countries have theirs where a source states them, else unknown
            assert node["coordinates"] is not None, node["slug"]
        if node["coordinates"] is None:
            assert "coordinates" not in seeded
            continue
        assert node["coordinates"] == seeded["coordinates"]


def test_a_bounding_box_finds_the_territories_and_the_use_cases_there(api: Api) -> None:
    # Given a box around the Rhône-Alpes (Lyon, Grenoble, Geneva)
    box = "{south: 45.0, west: 4.5, north: 46.5, east: 6.5}"
    found = _data(
        api,
        f"{{ territories(first: 100, filter: {{within: {box}}}) {{ nodes {{ slug }} }} "
        f"useCases(first: 100, filter: {{within: {box}}}) {{ nodes {{ slug }} }} }}",
    )
    inside = sorted(
        slug
        for slug, t in TERRITORIES.items()
        if "coordinates" in t
        and 45.0 <= t["coordinates"]["latitude"] <= 46.5
        and 4.5 <= t["coordinates"]["longitude"] <= 6.5
    )
    assert {"lyon", "grenoble", "geneva"} <= set(inside)
    assert [n["slug"] for n in found["territories"]["nodes"]] == inside
    cases = sorted(c["slug"] for c in USE_CASES if set(c.get("territories", [])) & set(inside))
    assert [n["slug"] for n in found["useCases"]["nodes"]] == cases


def test_a_box_that_is_no_box_is_refused_with_its_field(api: Api) -> None:
    answer = api.client.post(
        "/graphql",
        json={"query": "{ territories(filter: {within: {south: 50, west: 4, north: 40, east: 6}}) { totalCount } }"},
    ).json()
    assert answer["data"] is None
    assert answer["errors"][0]["extensions"]["code"] == "INVALID"
    assert answer["errors"][0]["extensions"]["field"] == "within"


def test_a_candidate_whose_data_people_here_can_get_says_so(api: Api) -> None:
    # Given Nantes' energy-transition priority, and use cases relying on services available in France
    found = _data(
        api,
        '{ candidateExperiments(priority: "nantes-energy-transition", first: 50) '
        "{ score useCase { slug } reasons { kind label weight values } } }",
    )
    french = {slug for slug, t in TERRITORIES.items() if t["country"] == "FR"}
    services_in_france = {s["slug"] for s in SERVICES if french & set(s.get("available_in", []))}
    saw_one = False
    for candidate in found["candidateExperiments"]:
        case = next(c for c in USE_CASES if c["slug"] == candidate["useCase"]["slug"])
        here = sorted(set(case.get("data_services", [])) & services_in_france)
        reasons = [r for r in candidate["reasons"] if r["kind"] == "SERVICE_ON_TERRITORY"]
        # Then exactly the candidates relying on such a service carry the reason, naming the services
        if here:
            saw_one = True
            assert len(reasons) == 1 and reasons[0]["values"] == here and reasons[0]["weight"] == 1.5
            assert "can get the data it needs through" in reasons[0]["label"]
        else:
            assert reasons == []
        assert candidate["score"] == sum(r["weight"] for r in candidate["reasons"])
    assert saw_one, "Ecolyo relies on Enedis Data Connect, available in France"
