"""Facet counts of a filtered list, in the same request as the list."""

from __future__ import annotations

from typing import Any

from tests.api.conftest import Api
from tests.api.test_case_studies import submit

FACETED = """
query ($filter: UseCaseFilter, $first: Int) {
  useCases(filter: $filter, first: $first) {
    totalCount
    facets {
      domains { key count } countries { key count } statuses { key count } governance { key count }
      territoryKinds { key count } dataCategories { key count } reviewStates { key count } kinds { key count }
    }
  }
}
"""


def counts(buckets: list[dict[str, Any]]) -> dict[str, int]:
    return {b["key"]: b["count"] for b in buckets}


def test_a_filtered_list_counts_its_whole_filtered_set_by_every_facet(api: Api) -> None:
    # when a client asks for French energy use cases, one per page, with their facets
    found = api.data(FACETED, {"filter": {"countries": ["FR"]}, "first": 1})["useCases"]
    total, facets = found["totalCount"], found["facets"]
    # then the facets count the whole filtered set, not the page
    assert total > 1
    assert counts(facets["countries"]) == {"FR": total, "unknown": 0}
    # single-valued facets add up to the total, each with its explicit unknown bucket last
    for name in ("countries", "statuses", "governance", "reviewStates"):
        assert sum(counts(facets[name]).values()) == total, name
        assert facets[name][-1]["key"] == "unknown", name
    # multi-valued facets count a record under each of its values, and once under unknown if it has none
    for name in ("domains", "territoryKinds", "dataCategories"):
        assert sum(counts(facets[name]).values()) >= total, name
    # keys are what the filters take: enum names, slugs, codes
    assert set(counts(facets["statuses"])) <= {"LIVE", "PILOT", "COMPLETED", "ADOPTED", "DESIGNED", "STUDY"} | {
        "IDEA",
        "PROTOTYPE",
        "ABANDONED",
        "unknown",
    }
    assert counts(facets["reviewStates"]) == {"PUBLISHED": total, "unknown": 0}
    # a facet the kind does not have is null
    assert facets["kinds"] is None


def test_each_facet_count_is_the_total_of_the_list_filtered_by_that_value(api: Api) -> None:
    facets = api.data(FACETED, {"filter": {"countries": ["FR"]}})["useCases"]["facets"]
    for name, filter_name in (("domains", "domains"), ("statuses", "statuses"), ("governance", "governance")):
        for key, count in counts(facets[name]).items():
            if key == "unknown":
                continue
            narrowed = api.data(FACETED, {"filter": {"countries": ["FR"], filter_name: [key]}})
            assert narrowed["useCases"]["totalCount"] == count, (name, key)


def test_a_coordinator_sees_review_states_counted(api: Api) -> None:
    submit(api)
    facets = api.data(FACETED, {}, as_="coordinator")["useCases"]["facets"]
    assert counts(facets["reviewStates"])["SUBMITTED"] == 1
    anonymous = api.data(FACETED, {})["useCases"]["facets"]
    assert "SUBMITTED" not in counts(anonymous["reviewStates"])


def test_other_lists_have_their_own_facets_and_linked_lists_none(api: Api) -> None:
    data = api.data(
        "{ territories { totalCount facets { kinds { key count } statuses { key count } domains { key } } }"
        ' territory(slug: "lyon") { useCases { facets { domains { key } } } } }'
    )
    facets = data["territories"]["facets"]
    assert sum(counts(facets["kinds"]).values()) == data["territories"]["totalCount"]
    assert facets["domains"] is None
    assert data["territory"]["useCases"]["facets"] is None
