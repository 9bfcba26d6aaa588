"""Answers to anonymous queries, kept while nothing an anonymous caller can see has changed.

Every writer moves the store's change mark in the same transaction as its change; `public`
(services/public_answers.py) turns the mark into a version that only public changes move (a
hub's drafts leave it alone), read in one cheap round trip per request.  An answer read at
version N is still right while the version reads N, in every server process.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

import orjson

from registry.services.public_answers import PublicAnswers

Key = tuple[str, str | None, bytes]


class ResponseCache:
    MAX_ENTRIES = 1024
    MAX_BODY = 256_000  # larger answers are not kept: the cache's memory stays under ~250 MB

    def __init__(self) -> None:
        self.public = PublicAnswers()  # the version answers are kept with (`generation` below)
        self._answers: OrderedDict[Key, tuple[int, bytes]] = OrderedDict()

    @staticmethod
    def key(query: str, operation_name: str | None, variables: dict[str, Any] | None) -> Key:
        return query, operation_name, orjson.dumps(variables or {}, option=orjson.OPT_SORT_KEYS)

    def get(self, key: Key, generation: int) -> bytes | None:
        """The answer kept for `key` if it was read at this generation."""
        kept = self._answers.get(key)
        if kept is None or kept[0] != generation:
            return None
        self._answers.move_to_end(key)
        return kept[1]

    def put(self, key: Key, generation: int, body: bytes) -> None:
        """Keep an answer read at `generation` (read before the answer was: a write in between only
        makes the entry look older than it is)."""
        if len(body) > self.MAX_BODY:
            return
        self._answers[key] = (generation, body)
        self._answers.move_to_end(key)
        while len(self._answers) > self.MAX_ENTRIES:
            self._answers.popitem(last=False)
