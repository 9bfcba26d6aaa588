"""A deterministic synthetic network shaped like the seeded programme, at any scale.

`generate(scale, seed)` yields the records and links in chunks, in an order where every
link points to a record of the same or an earlier chunk, so a store can load them chunk by
chunk without ever holding the whole network.  The same scale and seed always give the
same records, links and times (`random.Random(seed)`, times derived from the seed).

Everything is labelled synthetic: names ("Synthetic city 00042"), one `urn:synthetic:`
source, and countries from the ISO 3166 codes reserved for private use (XA…XZ, QM…QZ),
which no real country has.  Only the domains and the roadmap method are real: they are the
programme's vocabulary and method, read from the seed files with their sources.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from registry.domain.records import Hub, Link, Record
from registry.synthetic.activity import Activities
from registry.synthetic.places import Places
from registry.synthetic.shape import COUNTRY_CODES, SOURCE_URL, epoch, hub_slugs

__all__ = ["COUNTRY_CODES", "SOURCE_URL", "Chunk", "generate", "synthetic_hubs"]

CHUNK_ROWS = 20_000  # records and links per chunk: one store.load each


@dataclass
class Chunk:
    """Records and the links leaving them (to records of this chunk or an earlier one)."""

    records: list[Record] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)


def synthetic_hubs(scale: int, seed: int) -> list[Hub]:
    """The hubs that submit the synthetic case studies."""
    return [Hub(slug, slug.replace("-", " ").capitalize(), epoch(seed)) for slug in hub_slugs(scale)]


def generate(scale: int, seed: int) -> Iterator[Chunk]:
    """The whole synthetic network, a chunk of records (and their links) at a time."""
    if scale < 1:
        raise ValueError("the scale is a whole number from 1")
    places = Places(scale, seed)
    work = Activities(places)
    chunk = Chunk()
    for make in (*places.makers(), *work.makers()):
        for record, links in make():
            chunk.records.append(record)
            chunk.links.extend(links)
            if len(chunk.records) + len(chunk.links) >= CHUNK_ROWS:
                yield chunk
                chunk = Chunk()
    if chunk.records:
        yield chunk
