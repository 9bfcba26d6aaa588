"""Telling the live feed's pollers that a write committed, so subscribers hear of it at once.

Each process's poller reads the store's change counter at a steady tick (services/audit_feed.py);
a write answered by this process nudges its own poller at once.  With a Redis (`settings.redis_url`)
the write is also published on a channel every process of the deployment listens to, so the
pollers of the other servers read it at once too, not at their next tick.  The tick stays: a
write from elsewhere (`registry import`, a server without the Redis) is still found by it, and a
Redis that fails costs only that latency (logged at most once a minute, as the other shared state).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging

from redis.asyncio import Redis
from redis.exceptions import RedisError

from registry.api.http.shared_state import TIMEOUT_SECONDS, warn_unreachable
from registry.services.audit_feed import Nudge
from registry.settings import Settings

log = logging.getLogger("registry.live")
RETRY_SECONDS = 1.0  # after Redis failed, the listener tries again this much later


class ChangeSignal:
    """This process's nudge, and its relay through Redis when the settings name one."""

    def __init__(self, settings: Settings) -> None:
        self.nudge = Nudge()
        self._url = settings.redis_url
        # Per store: deployments on other stores sharing the Redis do not wake each other.
        self.channel = "registry:changes:" + hashlib.sha256(settings.store_url.encode()).hexdigest()[:16]
        self._client: Redis | None = None
        self._sending: set[asyncio.Task[None]] = set()  # publications under way (held until done)

    def _redis(self) -> Redis:
        if self._client is None:
            assert self._url is not None
            self._client = Redis.from_url(self._url, socket_connect_timeout=TIMEOUT_SECONDS)
        return self._client

    def wrote(self) -> None:
        """A write committed through this process: wake its poller, and the others' (not awaited:
        the write's answer does not wait for Redis)."""
        self.nudge.nudge()
        if self._url is not None:
            task = asyncio.get_running_loop().create_task(self._publish())
            self._sending.add(task)
            task.add_done_callback(self._sending.discard)

    async def _publish(self) -> None:
        try:
            async with asyncio.timeout(TIMEOUT_SECONDS):
                await self._redis().publish(self.channel, b"")
        except (RedisError, OSError, TimeoutError) as error:
            warn_unreachable("announcing a write", error)

    async def listen(self) -> None:
        """Nudge this process's poller on every write another process announces (runs until cancelled)."""
        if self._url is None:
            return
        while True:
            try:
                async with self._redis().pubsub(ignore_subscribe_messages=True) as pubsub:
                    await pubsub.subscribe(self.channel)
                    async for _message in pubsub.listen():
                        self.nudge.nudge()
            except (RedisError, OSError) as error:
                warn_unreachable("listening for writes", error)
            await asyncio.sleep(RETRY_SECONDS)

    async def close(self) -> None:
        if self._client is not None:
            await self._client.aclose()
