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
"""

from __future__ import annotations

import threading

from registry.store import changes
from registry.store.port import ChangeMark, Store


class PublicAnswers:
    """One process's version of the public registry; safe to share between threads."""

    MOST_ENTRIES = 500  # audit entries read at once; past it, the version moves without reading them

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._mark: ChangeMark | None = None
        self._version = 0

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
                return self._version
            since = store.changes_since(self._mark, self.MOST_ENTRIES)
            if since.entries is None or any(changes.public(entry) for entry in since.entries):
                # Something public changed at most at `since.mark`: what they see now is what they saw there.
                self._version = since.mark.generation
            self._mark = since.mark
            return self._version
