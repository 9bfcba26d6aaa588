"""Answers to anonymous queries, kept while nothing an anonymous caller can see has changed.

Every writer moves the store's change mark in the same transaction as its change; `public`
(services/public_answers.py) turns the mark into a version that only public changes move (a
hub's drafts leave it alone), read in one cheap round trip per request.  An answer read at
version N is still right while the version reads N, in every server process: the version is a
generation of the store's counter, the same in every process (public_answers.py says why).

`SharedResponseCache` (with `REGISTRY_REDIS_URL`) also keeps them in Redis, so that what one
process computed is served by the others behind a balancer; this process's entries stay in front.
"""

from __future__ import annotations

import hashlib
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import orjson
from redis import Redis
from redis.exceptions import RedisError

from registry.services.public_answers import PublicAnswers
from registry.store.port import ChangeMark

Key = tuple[str, str | None, bytes]
PREFIX = "registry:answer:"


class ResponseCache:
    MAX_ENTRIES = 1024
    MAX_BODY = 256_000  # larger answers are not kept: the cache's memory stays under ~250 MB

    def __init__(self, public: PublicAnswers | None = None) -> None:
        self.public = public or PublicAnswers()  # the version answers are kept with (`generation` below)
        self._answers: OrderedDict[Key, tuple[int, bytes]] = OrderedDict()

    @staticmethod
    def key(query: str, operation_name: str | None, variables: dict[str, Any] | None) -> Key:
        return query, operation_name, orjson.dumps(variables or {}, option=orjson.OPT_SORT_KEYS)

    def get(self, key: Key, generation: int) -> bytes | None:
        """The answer kept for `key` in this process if it was read at this generation."""
        kept = self._answers.get(key)
        if kept is None or kept[0] != generation:
            return None
        self._answers.move_to_end(key)
        return kept[1]

    def get_shared(self, key: Key, generation: int) -> bytes | None:
        """The answer another process kept for `key` at this generation (none without Redis)."""
        return None

    def put(self, key: Key, generation: int, body: bytes) -> None:
        """Keep an answer read at `generation` (read before the answer was: a write in between only
        makes the entry look older than it is)."""
        if len(body) > self.MAX_BODY:
            return
        self._answers[key] = (generation, body)
        self._answers.move_to_end(key)
        while len(self._answers) > self.MAX_ENTRIES:
            self._answers.popitem(last=False)


class SharedResponseCache(ResponseCache):
    """Answers also kept in Redis, under the version they were read at and a digest of the request.

    The version is in the Redis key, so an answer is found only by a request that reads the same
    version: never served for another.  Each entry expires after `seconds` (Redis's maxmemory
    policy bounds the whole, README "Deploying on several machines"), and answers over MAX_BODY are
    not kept.  When Redis fails, the process goes on with its own entries and leaves Redis alone
    for a few seconds, so that a Redis that hangs costs one timeout, not one per request."""

    PAUSE_SECONDS = 5.0

    def __init__(self, client: Redis, namespace: str, seconds: int, warn: Callable[[str, Exception], None]) -> None:
        # Deployments on different stores may share one Redis: their keys never meet.
        prefix = PREFIX + hashlib.blake2b(namespace.encode("utf-8"), digest_size=6).hexdigest() + ":"
        super().__init__(PublicAnswers(RedisHints(client, prefix + "public", warn)))
        self.client = client
        self.seconds = seconds
        self.prefix = prefix
        self._warn = warn
        self._paused_until = 0.0

    def _redis_key(self, key: Key, generation: int) -> bytes:
        query, operation_name, variables = key
        asked = orjson.dumps([query, operation_name]) + variables
        return f"{self.prefix}{generation}:{hashlib.blake2b(asked, digest_size=16).hexdigest()}".encode()

    def _available(self) -> bool:
        return time.monotonic() >= self._paused_until

    def _failed(self, what: str, error: RedisError) -> None:
        self._paused_until = time.monotonic() + self.PAUSE_SECONDS
        self._warn(what, error)

    def get_shared(self, key: Key, generation: int) -> bytes | None:
        if not self._available():
            return None
        try:
            kept = self.client.get(self._redis_key(key, generation))
        except RedisError as error:
            self._failed("reading a kept answer", error)
            return None
        if not isinstance(kept, bytes):
            return None
        super().put(key, generation, kept)  # the next request of this process needs no Redis
        return kept

    def put(self, key: Key, generation: int, body: bytes) -> None:
        if len(body) > self.MAX_BODY:
            return
        super().put(key, generation, body)
        if not self._available():
            return
        try:
            self.client.set(self._redis_key(key, generation), body, ex=self.seconds)
        except RedisError as error:
            self._failed("keeping an answer", error)


class RedisHints:
    """The processes' shared hint of the public version (services/public_answers.py), in one Redis key:
    read when a process's version moves (its first request, a public change), written when it differs."""

    def __init__(self, client: Redis, key: str, warn: Callable[[str, Exception], None]) -> None:
        self.client, self.key, self._warn = client, key, warn

    def get(self) -> tuple[ChangeMark, int] | None:
        try:
            kept = self.client.get(self.key)
        except RedisError as error:
            self._warn("reading the public version", error)
            return None
        if not isinstance(kept, bytes):
            return None
        generation, described, audit, version = orjson.loads(kept)
        return ChangeMark(generation, described, audit), version

    def put(self, mark: ChangeMark, version: int) -> None:
        try:
            self.client.set(self.key, orjson.dumps([mark.generation, mark.described, mark.audit, version]))
        except RedisError as error:
            self._warn("keeping the public version", error)
