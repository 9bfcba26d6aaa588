"""Frozen settings, read from the environment and the command line."""

from __future__ import annotations

import os
from dataclasses import dataclass

DEFAULT_STORE = "sqlite:///registry.db"


@dataclass(frozen=True)
class Settings:
    store_url: str = DEFAULT_STORE
    stats: bool = False  # add extensions.stats (round trips, store time, total time) to responses
    host: str = "127.0.0.1"
    port: int = 8000
    cors_origins: tuple[str, ...] = ()  # browser origins of front ends allowed to call the API
    lean_reads: bool = True  # run validated queries on the lean executor (api/executor.py)
    lean_strict: bool = False  # a bug of the lean executor fails the request (tests) instead of falling back
    response_cache: bool = True  # keep anonymous answers while the store's change counter stays the same
    # seconds a CDN, proxy or browser may reuse an anonymous GET of a persisted document (api/http/http_cache.py);
    # short, since a write shows through a shared cache only after it; 0: no public caching
    http_cache_max_age: int = 5
    otel: bool = False  # OpenTelemetry spans per request (the [otel] extra; registry/tracing.py)
    log_format: str = "json"  # `registry serve` logs JSON lines, each with its request id; or "text"
    trusted_documents: str | None = None  # a persisted-documents.json: callers without a key run only these
    max_query_cost: int = 50_000  # a document costing more is refused before any store read (api/cost.py)
    time_budget: float = 10.0  # seconds a request may take, store transactions included (registry/budget.py)
    # Admission (api/http/admission.py): at most this many dear requests (a recommender, path, search,
    # facets, or a cost of admission_dear_cost or more) run at once per process, so cheap ones never
    # queue behind them; the others wait in turn, at most admission_queue of them (then 503 OVERLOADED).
    # Off by default: measured at x100 it moves the mix's waiting from the cheap reads to the dear ones
    # (bench/results/2026-12-06-mixed-x100-fair.md); 2 is the value measured there
    admission_dear_slots: int = 0
    admission_queue: int = 64
    admission_dear_cost: int = 5_000
    rate_limit_anonymous: str = "6000/minute"  # per client address, `limits` notation; "" turns it off
    rate_limit_key: str = "12000/minute"  # per API key
    # Bounds no client can push (README, "Limits"): operation names that keyed callers may add to the
    # metrics' labels (unknown names from anyone else count as `other`), per process;
    metrics_keyed_operations: int = 200
    # and, over WebSocket, per worker process: open connections per client address (over it: 4429),
    ws_connections_per_address: int = 50
    ws_subscriptions_per_connection: int = 20  # over it: 4429
    ws_max_message_bytes: int = 200_000  # one message's size, as an HTTP body's (over it: 4400)
    ws_init_timeout: float = 10.0  # seconds a connection may wait before its connection_init (then 4408)
    # seconds between two returns of the allocator's free memory to the system (observability/allocator.py); 0: never
    malloc_trim_seconds: float = 10.0
    malloc_arena_max: int = 2  # the C allocator's arenas per worker (observability/allocator.py); 0: glibc's default
    # Threads that run a worker's blocking store and ranking calls at once; the others wait their turn.
    # Each holds the interpreter lock while it decodes or ranks, so many only take turns away from the
    # event loop; too few, and a few slow calls (rankings, writers waiting for the write lock) hold them.  Per
    # worker, not per core: a worker is one interpreter.  At ×100 against anyio's 40, 6 and 3 threads
    # serve 1.08–1.34× the requests, and 3 raises the recommenders' p95 in the Neo4j mix with writes
    # 1.6× over 6 (bench/results/2026-12-06-thread-cap.md).
    store_threads: int = 6
    # Several servers (README, "Deploying on several machines"): the balancers' addresses or networks
    # whose X-Forwarded-For names the client (none by default: the peer's address is the client's),
    forwarded_allow_ips: tuple[str, ...] = ()
    redis_url: str | None = None  # and a Redis shared by the servers for rate limits and APQ (None: per process)
    shared_cache_seconds: int = 300  # and for anonymous answers, each kept this long there (0: not in Redis)
    # seconds between two reads of the change counter by the live feed's poller (services/audit_feed.py);
    # a write through this process, or through another one sharing the Redis, wakes it at once
    live_poll_seconds: float = 0.25

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        values: dict[str, object] = {
            "store_url": os.environ.get("REGISTRY_STORE") or DEFAULT_STORE,
            "stats": os.environ.get("REGISTRY_STATS", "") in ("1", "true", "yes"),
            "lean_reads": os.environ.get("REGISTRY_LEAN_READS", "1") not in ("0", "false", "no"),
            "lean_strict": os.environ.get("REGISTRY_LEAN_STRICT", "") in ("1", "true", "yes"),
            "response_cache": os.environ.get("REGISTRY_RESPONSE_CACHE", "1") not in ("0", "false", "no"),
            "http_cache_max_age": int(os.environ.get("REGISTRY_HTTP_CACHE_MAX_AGE", "5")),
            "otel": os.environ.get("REGISTRY_OTEL", "") in ("1", "true", "yes"),
            "log_format": os.environ.get("REGISTRY_LOG_FORMAT") or "json",
            "trusted_documents": os.environ.get("REGISTRY_TRUSTED_DOCUMENTS") or None,
            "max_query_cost": int(os.environ.get("REGISTRY_MAX_QUERY_COST", "50000")),
            "time_budget": float(os.environ.get("REGISTRY_TIME_BUDGET", "10")),
            "admission_dear_slots": int(os.environ.get("REGISTRY_ADMISSION_DEAR_SLOTS", "0")),
            "admission_queue": int(os.environ.get("REGISTRY_ADMISSION_QUEUE", "64")),
            "admission_dear_cost": int(os.environ.get("REGISTRY_ADMISSION_DEAR_COST", "5000")),
            "rate_limit_anonymous": os.environ.get("REGISTRY_RATE_LIMIT_ANONYMOUS", "6000/minute"),
            "rate_limit_key": os.environ.get("REGISTRY_RATE_LIMIT_KEY", "12000/minute"),
            "metrics_keyed_operations": int(os.environ.get("REGISTRY_METRICS_KEYED_OPERATIONS", "200")),
            "ws_connections_per_address": int(os.environ.get("REGISTRY_WS_CONNECTIONS_PER_ADDRESS", "50")),
            "ws_subscriptions_per_connection": int(os.environ.get("REGISTRY_WS_SUBSCRIPTIONS_PER_CONNECTION", "20")),
            "ws_max_message_bytes": int(os.environ.get("REGISTRY_WS_MAX_MESSAGE_BYTES", "200000")),
            "ws_init_timeout": float(os.environ.get("REGISTRY_WS_INIT_TIMEOUT", "10")),
            "malloc_trim_seconds": float(os.environ.get("REGISTRY_MALLOC_TRIM_SECONDS", "10")),
            "malloc_arena_max": int(os.environ.get("REGISTRY_MALLOC_ARENA_MAX", "2")),
            "store_threads": int(os.environ.get("REGISTRY_STORE_THREADS", "6")),
            "cors_origins": tuple(
                o.strip() for o in os.environ.get("REGISTRY_CORS_ORIGINS", "").split(",") if o.strip()
            ),
            "forwarded_allow_ips": tuple(
                a.strip() for a in os.environ.get("REGISTRY_FORWARDED_ALLOW_IPS", "").split(",") if a.strip()
            ),
            "redis_url": os.environ.get("REGISTRY_REDIS_URL") or None,
            "shared_cache_seconds": int(os.environ.get("REGISTRY_SHARED_CACHE_SECONDS", "300")),
            "live_poll_seconds": float(os.environ.get("REGISTRY_LIVE_POLL_SECONDS", "0.25")),
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)  # type: ignore[arg-type]

    def to_env(self) -> dict[str, str]:
        """The environment from which from_env() gives these settings back (for worker processes)."""
        return {
            "REGISTRY_STORE": self.store_url,
            "REGISTRY_STATS": "1" if self.stats else "0",
            "REGISTRY_LEAN_READS": "1" if self.lean_reads else "0",
            "REGISTRY_LEAN_STRICT": "1" if self.lean_strict else "0",
            "REGISTRY_RESPONSE_CACHE": "1" if self.response_cache else "0",
            "REGISTRY_HTTP_CACHE_MAX_AGE": str(self.http_cache_max_age),
            "REGISTRY_CORS_ORIGINS": ",".join(self.cors_origins),
            "REGISTRY_OTEL": "1" if self.otel else "0",
            "REGISTRY_LOG_FORMAT": self.log_format,
            "REGISTRY_TRUSTED_DOCUMENTS": self.trusted_documents or "",
            "REGISTRY_MAX_QUERY_COST": str(self.max_query_cost),
            "REGISTRY_TIME_BUDGET": str(self.time_budget),
            "REGISTRY_ADMISSION_DEAR_SLOTS": str(self.admission_dear_slots),
            "REGISTRY_ADMISSION_QUEUE": str(self.admission_queue),
            "REGISTRY_ADMISSION_DEAR_COST": str(self.admission_dear_cost),
            "REGISTRY_RATE_LIMIT_ANONYMOUS": self.rate_limit_anonymous,
            "REGISTRY_RATE_LIMIT_KEY": self.rate_limit_key,
            "REGISTRY_METRICS_KEYED_OPERATIONS": str(self.metrics_keyed_operations),
            "REGISTRY_WS_CONNECTIONS_PER_ADDRESS": str(self.ws_connections_per_address),
            "REGISTRY_WS_SUBSCRIPTIONS_PER_CONNECTION": str(self.ws_subscriptions_per_connection),
            "REGISTRY_WS_MAX_MESSAGE_BYTES": str(self.ws_max_message_bytes),
            "REGISTRY_WS_INIT_TIMEOUT": str(self.ws_init_timeout),
            "REGISTRY_MALLOC_TRIM_SECONDS": str(self.malloc_trim_seconds),
            "REGISTRY_MALLOC_ARENA_MAX": str(self.malloc_arena_max),
            "REGISTRY_STORE_THREADS": str(self.store_threads),
            "REGISTRY_FORWARDED_ALLOW_IPS": ",".join(self.forwarded_allow_ips),
            "REGISTRY_REDIS_URL": self.redis_url or "",
            "REGISTRY_SHARED_CACHE_SECONDS": str(self.shared_cache_seconds),
            "REGISTRY_LIVE_POLL_SECONDS": str(self.live_poll_seconds),
        }
