"""The current schema keeps every promise of the released one (README, "Schema evolution")."""

from __future__ import annotations

from pathlib import Path

from registry.api.graphql.compatibility import compare
from registry.api.graphql.schema import sdl

RELEASED = Path(__file__).resolve().parent.parent / "schema.released.graphql"

RELEASED_FIXTURE = """
type Query {
  city(slug: String!): City
  cities: [City!]!
}
type City {
  slug: String!
  name: String!
  population: Int @deprecated(reason: "Use `inhabitants`.")
  inhabitants: Int
  status: Status!
}
enum Status { LIVE PILOT OLD @deprecated(reason: "Use PILOT.") }
"""


def test_the_current_schema_has_no_breaking_change_since_the_release() -> None:
    report = compare(RELEASED.read_text(encoding="utf-8"), sdl())
    for change in report.dangerous:  # shown with -s or on failure: worth a line in the changelog
        print("dangerous:", change)
    assert report.breaking == [], (
        "breaking changes since schema.released.graphql: deprecate first (README, Schema evolution)"
    )


def test_removing_a_field_that_was_not_deprecated_is_breaking() -> None:
    current = RELEASED_FIXTURE.replace("  name: String!\n", "")
    assert compare(RELEASED_FIXTURE, current).breaking == ["FIELD_REMOVED: Field City.name was removed."]


def test_changing_a_field_type_is_breaking() -> None:
    current = RELEASED_FIXTURE.replace("name: String!", "name: Int!")
    breaking = compare(RELEASED_FIXTURE, current).breaking
    assert breaking == ["FIELD_CHANGED_KIND: Field City.name changed type from String! to Int!."]


def test_removing_what_the_release_had_deprecated_is_allowed() -> None:
    current = RELEASED_FIXTURE.replace('  population: Int @deprecated(reason: "Use `inhabitants`.")\n', "")
    current = current.replace(' OLD @deprecated(reason: "Use PILOT.")', "")
    report = compare(RELEASED_FIXTURE, current)
    assert report.breaking == []
    assert sorted(report.allowed) == ["Enum value Status.OLD was removed.", "Field City.population was removed."]


def test_deprecating_in_the_same_change_as_removing_does_not_count() -> None:
    """The deprecation must be in the released SDL: marking it now and removing it now is still breaking."""
    released = RELEASED_FIXTURE.replace("  name: String!\n", "  name: String!\n  country: String\n")
    assert compare(released, RELEASED_FIXTURE).breaking == ["FIELD_REMOVED: Field City.country was removed."]


def test_adding_an_enum_value_is_reported_as_dangerous() -> None:
    report = compare(RELEASED_FIXTURE, RELEASED_FIXTURE.replace("LIVE PILOT", "LIVE PILOT STUDY"))
    assert report.breaking == []
    assert report.dangerous == ["VALUE_ADDED_TO_ENUM: Enum value Status.STUDY was added."]
