"""What anonymous callers can see, as a version that only public changes move.

The response cache keeps an anonymous answer with the version it was read at.  Every write
moves the store's change mark, but a hub's draft, submission or rejection changes nothing an
anonymous caller can read: the audit entries since the last mark say so (`changes.public`),
and the version stays.  When the trail cannot say (a change it does not describe, too many
changes), the version moves.  One version for all kinds: an answer's relations reach records
of other kinds than its root fields name, so a finer split would not be safe as simply.

The version is a value of the store's change counter: the generation at which this process
first saw the public registry as it is now.  So it means the same in every process sharing the
store ("what anonymous callers saw at generation N"), and answers kept with it may be shared
between processes (api/http/response_cache.py) and named in ETags (api/http/http_cache.py): two
processes that saw the last public change at different marks give different versions of the same
content (a miss, never a wrong answer); two equal versions always name the same content.

So that processes agree (one ETag, one key in a shared cache) although each first saw the registry
at its own moment, they may share `hints`: a mark and the version that was right at it.  A process
takes another's version only when the audit trail shows no public change from that mark to now;
the one that took it, or moved past it, leaves its own.
"""

from __future__ import annotations

import threading
from typing import Protocol

from registry.store import changes
from registry.store.port import ChangeMark, Store


class Hints(Protocol):
    """Where processes leave a mark and the public version that was right at it (e.g. Redis)."""

    def get(self) -> tuple[ChangeMark, int] | None: ...

    def put(self, mark: ChangeMark, version: int) -> None: ...


class PublicAnswers:
    """One process's version of the public registry; safe to share between threads."""

    MOST_ENTRIES = 500  # audit entries read at once; past it, the version moves without reading them

    def __init__(self, hints: Hints | None = None) -> None:
        self._lock = threading.Lock()
        self._mark: ChangeMark | None = None
        self._version = 0
        self.hints = hints

    def version(self, store: Store) -> int:
        """The version of what anonymous callers see, as of the store's mark now (one round trip
        when nothing changed; three when something did).  An answer read after this call and
        kept with it is right for as long as this call returns the same number, in any process."""
        mark = store.change_mark()
        with self._lock:
            if mark == self._mark:
                return self._version
            if self._mark is None:
                # What anonymous callers see now is what they saw at this generation: true by definition.
                self._mark, self._version = mark, mark.generation
                self._agree(store)
                return self._version
            since = store.changes_since(self._mark, self.MOST_ENTRIES)
            self._mark = since.mark
            if since.entries is None or any(changes.public(entry) for entry in since.entries):
                # Something public changed at most at `since.mark`: what they see now is what they saw there.
                self._version = since.mark.generation
                self._agree(store)
            return self._version

    def _agree(self, store: Store) -> None:
        """Take the version another process left, when the trail shows it still right; else leave ours."""
        if self.hints is None or self._mark is None:
            return
        hint = self.hints.get()
        if hint is not None and hint[1] != self._version and hint[0].generation <= self._mark.generation:
            since = store.changes_since(hint[0], self.MOST_ENTRIES)
            if since.entries is not None and not any(changes.public(entry) for entry in since.entries):
                # Nothing public changed from the hint's mark to now (after our mark): its version is right now.
                self._mark, self._version = since.mark, hint[1]
                self.hints.put(self._mark, self._version)  # a later mark: the next process reads fewer entries
                return
        if hint is None or hint[1] != self._version:
            self.hints.put(self._mark, self._version)
