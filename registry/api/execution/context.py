"""The typed per-request context and its loaders."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

from starlette.concurrency import run_in_threadpool
from strawberry.dataloader import DataLoader
from strawberry.types import Info

from registry.domain.records import Link, Principal, Record, Ref, Rel
from registry.services.editing import Editing
from registry.services.ranking.facts import FactsCache
from registry.store.port import Expansion, Found, Page, RecordQuery, Store, Visibility

T = TypeVar("T")
K = TypeVar("K", bound=Hashable)


class SharedLoader(DataLoader[K, T]):
    """A DataLoader whose futures a cancelled resolver cannot cancel for the others.

    When a field fails, graphql-core cancels its sibling fields; one waiting on a loader's
    future would cancel that future, shared with every other resolver that asked for the same
    key, and those would get asyncio.CancelledError (a 500). Each caller waits on a shield.
    """

    def load(self, key: K) -> Awaitable[T]:
        return asyncio.shield(super().load(key))


@dataclass
class Loaders:
    """Per-request batching: one store round trip per kind of lookup and tick."""

    store: Store
    visibility: Visibility
    cache: bool = True  # False for a live subscription, whose context outlives every change it reports
    _links: dict[tuple[str, Rel], SharedLoader[Ref, list[Link]]] = field(default_factory=dict)
    _records: SharedLoader[Ref, Record | None] | None = None

    @property
    def records(self) -> SharedLoader[Ref, Record | None]:
        if self._records is None:

            async def load(refs: list[Ref]) -> Sequence[Record | None]:
                found = await run_in_threadpool(self.store.get, refs, self.visibility)
                return [found.get(ref) for ref in refs]

            self._records = SharedLoader(load_fn=load, cache=self.cache)
        return self._records

    def links(self, direction: str, rel: Rel) -> SharedLoader[Ref, list[Link]]:
        """Links of `rel` leaving ("from") or reaching ("to") each ref."""
        key = (direction, rel)
        if key not in self._links:
            fetch = self.store.links_from if direction == "from" else self.store.links_to

            async def load(refs: list[Ref]) -> Sequence[list[Link]]:
                links = await run_in_threadpool(fetch, refs, rel)
                grouped: dict[Ref, list[Link]] = {ref: [] for ref in refs}
                for link in links:
                    grouped.setdefault(link.source if direction == "from" else link.target, []).append(link)
                return [grouped[ref] for ref in refs]

            self._links[key] = SharedLoader(load_fn=load, cache=self.cache)
        return self._links[key]


# The linked records a root field's resolver may read along with its records, in the same round
# trip: set by the lean executor (api/executor.py) around each root field's task, empty otherwise.
EXPANSIONS: ContextVar[tuple[Expansion, ...]] = ContextVar("expansions", default=())


@dataclass
class Context:
    store: Store
    principal: Principal
    visibility: Visibility
    request_id: str
    editing: Editing
    loaders: Loaders
    ranking_facts: FactsCache | None = None  # the server's, shared by its requests (None: read afresh)
    prefetched: Found = field(default_factory=dict)  # what root resolvers read along (EXPANSIONS)

    async def call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run a blocking store or service call off the event loop."""
        return await run_in_threadpool(fn, *args, **kwargs)

    async def query(self, query: RecordQuery) -> Page:
        """A page of records, with what EXPANSIONS asks read along into `prefetched`."""
        wanted = EXPANSIONS.get()
        if not wanted:
            return await self.call(self.store.query, query)
        page, found = await self.call(self.store.query_expanded, query, wanted)
        self._keep(found)
        return page

    async def record(self, ref: Ref) -> Record | None:
        """One record if the caller may see it, with what EXPANSIONS asks read along into `prefetched`."""
        wanted = EXPANSIONS.get()
        if wanted:
            records, found = await self.call(self.store.get_expanded, [ref], wanted, self.visibility)
            self.loaders.records.prime(ref, records.get(ref))
            self._keep(found)
        return await self.loaders.records.load(ref)

    def _keep(self, found: Found) -> None:
        for group, linked in found.items():
            self.prefetched.setdefault(group, {}).update(linked)


def context_of(info: Info[Any, Any]) -> Context:
    return cast(Context, info.context)
