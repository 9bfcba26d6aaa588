"""Staging labels: how a load too large for one transaction stays invisible until it is whole.

Every read of the Neo4j store starts from `:Record`, a kind label, `:Hub`, `:ApiKey` or
`:AuditEntry`.  A large load writes its batches under other labels (`:StagedRecord`, …),
with its links only between staged nodes, so no read finds any of it; one last transaction
relabels it all (`PUBLISH`).  A crash before that commit leaves only staged rows, which the
next load removes: a reader sees the whole load or nothing of it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from registry.domain.errors import ErrorCode, RegistryError
from registry.domain.records import ApiKey, AuditEntry, Hub, Record

VISIBLE = {"Record": "Record", "AuditEntry": "AuditEntry", "Hub": "Hub", "ApiKey": "ApiKey"}
STAGED = {name: f"Staged{name}" for name in VISIBLE}
_ANY = " OR ".join(f"n:{label}" for label in STAGED.values())

# Staged links are made by matching staged records by key: this index makes that a lookup.
KEY_INDEX = "CREATE INDEX staged_record_key IF NOT EXISTS FOR (r:StagedRecord) ON (r.key)"
ANY_STAGED = "RETURN " + " OR ".join(f"EXISTS {{ (:{label}) }}" for label in STAGED.values()) + " AS any"
COUNT_STAGED = f"MATCH (n) WHERE {_ANY} RETURN count(n) AS n"
COUNT_BY_LABEL = "RETURN " + ", ".join(f"COUNT {{ (:{label}) }}" for label in STAGED.values())
# In batches, each its own transaction: staged rows are invisible, so order does not matter.
REMOVE_STAGED = (
    f"MATCH (n) WHERE {_ANY} CALL (n) {{ DETACH DELETE n }} IN TRANSACTIONS OF 10000 ROWS RETURN count(*) AS n"
)
PUBLISH = (
    # The kind's label comes from the row (dynamic labels, Neo4j 5.26), never from text.
    "MATCH (n:StagedRecord) SET n:Record:$(n.kind) REMOVE n:StagedRecord",
    "MATCH (n:StagedAuditEntry) SET n:AuditEntry REMOVE n:StagedAuditEntry",
    "MATCH (n:StagedHub) SET n:Hub REMOVE n:StagedHub",
    "MATCH (n:StagedApiKey) SET n:ApiKey REMOVE n:StagedApiKey",
)


class Counts(NamedTuple):
    """Rows of a load per staged label, in the order of STAGED."""

    records: int
    audit: int
    hubs: int
    keys: int


def refuse_repeats(
    records: Sequence[Record], audit: Sequence[AuditEntry], hubs: Sequence[Hub], keys: Sequence[ApiKey]
) -> None:
    """DUPLICATE for a key repeated within the load, before anything is written (the unique
    constraints hold visible labels only; they still refuse a repeat of a stored row at publishing)."""
    for what, values in (
        ("record", [str(r.ref) for r in records]),
        ("audit number", [str(e.seq) for e in audit]),
        ("hub", [h.slug for h in hubs]),
        ("API key", [k.key_id for k in keys]),
    ):
        seen: set[str] = set()
        for value in values:
            if value in seen:
                raise RegistryError(ErrorCode.DUPLICATE, f"The loaded rows repeat the {what} {value!r}.", "file")
            seen.add(value)
