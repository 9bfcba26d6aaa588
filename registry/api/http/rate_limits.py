"""Rate limits per API key and per client address, on a moving window.

The `limits` library (maintained, used by Flask-Limiter and SlowAPI) counts the hits: its
moving window has no burst at a window's edge, which fixed counters of our own would
have.  Counts are kept in this process's memory, unless `settings.redis_url` names a Redis shared by
the servers (api/http/shared_state.py): without it, N processes give a client up to N times the limit.
The client is the peer's address, or the one a trusted balancer names (settings.forwarded_allow_ips).
"""

from __future__ import annotations

import math
import time

from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage, RedisStorage, Storage
from limits.strategies import MovingWindowRateLimiter
from redis.exceptions import RedisError
from starlette.requests import Request

from registry.api.http.shared_state import redis_client, warn_unreachable
from registry.domain.errors import ErrorCode, RegistryError
from registry.domain.records import Principal
from registry.observability import metrics
from registry.settings import Settings


class RateLimited(RegistryError):
    def __init__(self, retry_after: int) -> None:
        super().__init__(ErrorCode.RATE_LIMITED, f"Too many requests; try again in {retry_after} s.")
        self.retry_after = retry_after


class RateLimits:
    """One limiter for a server process, with the limits its settings give ("" or "off": none)."""

    def __init__(self, settings: Settings) -> None:
        self.anonymous = _parse(settings.rate_limit_anonymous)
        self.per_key = _parse(settings.rate_limit_key)
        storage: Storage = MemoryStorage()
        if settings.redis_url:  # one count for every server, in the Redis client's connection pool
            storage = RedisStorage(settings.redis_url, connection_pool=redis_client(settings.redis_url).connection_pool)
        self.shared = settings.redis_url is not None
        self.limiter = MovingWindowRateLimiter(storage)

    def hit(self, request: Request, principal: Principal) -> None:
        """Count this request against its key, or its client address; raise RateLimited when over."""
        if principal.key_id is not None:
            kind, items, who = "key", self.per_key, f"key:{principal.key_id}"
        else:
            kind, items, who = "address", self.anonymous, f"address:{request.client.host if request.client else '-'}"
        for item in items:
            if not self._hit(item, who):
                metrics.rate_limited(kind)
                reset = self.limiter.get_window_stats(item, who).reset_time
                raise RateLimited(max(1, math.ceil(reset - time.time())))

    def _hit(self, item: RateLimitItem, who: str) -> bool:
        if not self.shared:
            return self.limiter.hit(item, who)
        try:
            return self.limiter.hit(item, who)
        except RedisError as error:  # Redis is down: serving beats refusing everyone (logged)
            warn_unreachable("counting a rate limit", error)
            return True


def _parse(text: str) -> list[RateLimitItem]:
    text = text.strip()
    return [] if text.lower() in ("", "0", "off", "none") else parse_many(text)


def limits_of(request: Request) -> RateLimits:
    """The app's limiter, made from its settings at the first request (and again when they change)."""
    settings: Settings = request.app.state.settings
    current: RateLimits | None = getattr(request.app.state, "rate_limits", None)
    if current is None or getattr(request.app.state, "rate_limits_settings", None) is not settings:
        current = request.app.state.rate_limits = RateLimits(settings)
        request.app.state.rate_limits_settings = settings
    return current
