"""Each record's `completeness` through the API: its parts, and lists that filter, sort and count by it."""

from __future__ import annotations

from tests.api.conftest import Api

LIST = """query ($at: Int, $by: SortBy!) { territories(filter: {completenessAtLeast: $at}, sort: {by: $by, descending: true},
  first: 100) { totalCount nodes { slug completeness { percent unknownFields sourcedFields declaredFields } }
  facets { completeness { key count } } } }"""


def test_a_record_says_what_it_holds_and_what_is_missing(api: Api) -> None:
    # given Lyon, whose population no source states and whose prioritiesDefined is an inference
    lyon = api.data("""{ territory(slug: "lyon") { population completeness { percent declaredFields sourcedFields
      unknownFields inferences homePageOnly } } }""")["territory"]
    c = lyon["completeness"]
    assert lyon["population"] is None and "population" in c["unknownFields"]
    assert c["inferences"] == ["prioritiesDefined"] and "prioritiesDefined" in c["unknownFields"]
    assert c["declaredFields"] == len(c["sourcedFields"]) + len(c["unknownFields"])
    assert c["percent"] == 100 * len(c["sourcedFields"]) // c["declaredFields"]
    assert c["homePageOnly"] is False  # it cites deep pages beside a marked home page


def test_lists_filter_sort_and_count_by_completeness(api: Api) -> None:
    everything = api.data(LIST, {"at": None, "by": "COMPLETENESS"})["territories"]
    shares = [n["completeness"]["percent"] for n in everything["nodes"]]
    assert shares == sorted(shares, reverse=True) and len(set(shares)) > 1
    # the facet counts quarters, every one listed, adding up to totalCount
    buckets = {b["key"]: b["count"] for b in everything["facets"]["completeness"]}
    assert list(buckets) == ["0-24", "25-49", "50-74", "75-100", "unknown"]
    assert sum(buckets.values()) == everything["totalCount"] and buckets["unknown"] == 0
    assert buckets["75-100"] == sum(1 for s in shares if s >= 75)
    # and the filter keeps exactly those at or above the share asked
    kept = api.data(LIST, {"at": 75, "by": "SLUG"})["territories"]
    assert kept["totalCount"] == buckets["75-100"]
    assert all(n["completeness"]["percent"] >= 75 for n in kept["nodes"])


def test_a_share_out_of_range_is_a_typed_error(api: Api) -> None:
    body = api.post(LIST, {"at": 101, "by": "SLUG"}).json()
    assert body["errors"][0]["extensions"]["code"] == "INVALID"
    assert body["errors"][0]["extensions"]["field"] == "filter.completenessAtLeast"
