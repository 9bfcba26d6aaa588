"""What several server processes share through Redis, when `settings.redis_url` names one.

Behind a balancer each request may reach another process, so two things that are per process on
one machine must be shared (README, "Deploying on several machines"):

- the rate limits' counts: `limits` keeps its moving windows in Redis (api/http/rate_limits.py);
- the automatic persisted queries: a hash registered through one process is found by the others;
- the anonymous response cache: an answer one process computed is served by the others
  (api/http/response_cache.py, keyed by the public version it was read at).

Without a Redis URL both stay in this process's memory, as on one machine.  Redis is reached with
short timeouts; when it fails, a request goes on as if the shared state were empty (an APQ miss
costs the client one more round trip; a rate limit lets the request through), and the failure is
logged at most once a minute per process.
"""

from __future__ import annotations

import logging
import time
from functools import lru_cache

from redis import Redis
from redis.exceptions import RedisError

from registry.api.graphql.schema import schema
from registry.api.http.persisted import KnownDocuments
from registry.api.http.response_cache import ResponseCache, SharedResponseCache
from registry.settings import Settings

log = logging.getLogger("registry.shared")
TIMEOUT_SECONDS = 1.0  # a Redis that does not answer within this is treated as failed
APQ_PREFIX = "registry:apq:"
APQ_SECONDS = 7 * 24 * 3600  # a document unused this long is dropped (a client registers it again)
_last_warning = 0.0


@lru_cache(maxsize=4)
def redis_client(url: str) -> Redis:
    """One client, and its connection pool, per Redis URL and process."""
    return Redis.from_url(url, socket_timeout=TIMEOUT_SECONDS, socket_connect_timeout=TIMEOUT_SECONDS)


def warn_unreachable(what: str, error: Exception) -> None:
    """Log that Redis failed, at most once a minute: a dead Redis must not flood the logs."""
    global _last_warning
    now = time.monotonic()
    if now - _last_warning >= 60.0:
        _last_warning = now
        log.warning("Redis failed (%s): going on with this process's own state: %s", what, error)


class SharedDocuments(KnownDocuments):
    """APQ documents in Redis by hash, with this process's LRU in front of it: a hash names one
    text forever, so a local copy never goes stale, and Redis is asked only on a local miss."""

    def __init__(self, client: Redis) -> None:
        super().__init__()
        self.client = client

    def get(self, digest: str) -> str | None:
        document = super().get(digest)
        if document is not None:
            return document
        try:
            kept = self.client.getex(APQ_PREFIX + digest, ex=APQ_SECONDS)
        except RedisError as error:
            warn_unreachable("reading a persisted query", error)
            return None
        if not isinstance(kept, bytes):
            return None
        document = kept.decode("utf-8")
        super().put(digest, document)
        return document

    def put(self, digest: str, document: str) -> None:
        if len(document) > self.MAX_LENGTH or super().get(digest) is not None:
            return  # too long to keep, or kept already (by this process, so in Redis too)
        super().put(digest, document)
        try:
            self.client.set(APQ_PREFIX + digest, document.encode("utf-8"), ex=APQ_SECONDS)
        except RedisError as error:
            warn_unreachable("keeping a persisted query", error)


def known_documents(settings: Settings) -> KnownDocuments:
    """The APQ store of a server process: shared through Redis when the settings name one."""
    return SharedDocuments(redis_client(settings.redis_url)) if settings.redis_url else KnownDocuments()


def response_cache(settings: Settings) -> ResponseCache:
    """The anonymous answers of a server process: also in Redis when the settings name one."""
    if not settings.redis_url or settings.shared_cache_seconds <= 0:
        return ResponseCache()
    # Keys name the store and the schema: deployments on other stores, or another release's
    # schema during a rolling upgrade, share the Redis without meeting each other's answers.
    namespace = settings.store_url + "\n" + schema.as_str()
    return SharedResponseCache(
        redis_client(settings.redis_url), namespace, settings.shared_cache_seconds, warn_unreachable
    )
