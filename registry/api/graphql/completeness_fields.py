"""A record's completeness as the API shows it: the figure and its parts (registry.kinds.completeness)."""

from __future__ import annotations

import strawberry

from registry.domain.records import Record
from registry.kinds import DECLARATIONS
from registry.kinds.completeness import completeness


@strawberry.type(
    description="How complete a record is, per fact. A field holds a sourced value when it states something "
    "(not null, not empty, not UNKNOWN) and the record cites at least one source: the registry keeps sources on "
    "the record, and they back every value written in its fields (an inference is never written there)."
)
class Completeness:
    percent: int = strawberry.field(
        description="The share of its declared fields (those its editors fill) holding a sourced value, in whole "
        "percent rounded down: what `completenessAtLeast` filters, the COMPLETENESS sort orders and the "
        "`completeness` facet counts."
    )
    declared_fields: int = strawberry.field(description="How many fields its kind declares.")
    sourced_fields: list[str] = strawberry.field(description="The fields holding a sourced value, by API name.")
    unknown_fields: list[str] = strawberry.field(
        description="The fields no source states (null, empty or UNKNOWN), by their API name: what is missing."
    )
    inferences: list[str] = strawberry.field(
        description="The fields with a labelled inference (see `inferences`): guesses, not counted as sourced."
    )
    home_page_only: bool = strawberry.field(
        description="True when every source it cites is a site's home page (a URL whose path is empty or /, "
        "with no query or fragment), not the page stating its facts; false with no source."
    )


def completeness_of(record: Record) -> Completeness:
    found = completeness(DECLARATIONS[record.kind], record)
    return Completeness(
        percent=found.percent,
        declared_fields=found.declared,
        sourced_fields=list(found.sourced),
        unknown_fields=list(found.unknown),
        inferences=list(found.inferences),
        home_page_only=found.home_page_only,
    )
