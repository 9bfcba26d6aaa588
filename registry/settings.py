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
    response_cache: bool = True  # keep anonymous answers while the store's change counter stays the same
    otel: bool = False  # OpenTelemetry spans per request (the [otel] extra; registry/tracing.py)
    log_format: str = "json"  # `registry serve` logs JSON lines, each with its request id; or "text"
    trusted_documents: str | None = None  # a persisted-documents.json: callers without a key run only these

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        values: dict[str, object] = {
            "store_url": os.environ.get("REGISTRY_STORE") or DEFAULT_STORE,
            "stats": os.environ.get("REGISTRY_STATS", "") in ("1", "true", "yes"),
            "lean_reads": os.environ.get("REGISTRY_LEAN_READS", "1") not in ("0", "false", "no"),
            "response_cache": os.environ.get("REGISTRY_RESPONSE_CACHE", "1") not in ("0", "false", "no"),
            "otel": os.environ.get("REGISTRY_OTEL", "") in ("1", "true", "yes"),
            "log_format": os.environ.get("REGISTRY_LOG_FORMAT") or "json",
            "trusted_documents": os.environ.get("REGISTRY_TRUSTED_DOCUMENTS") or None,
            "cors_origins": tuple(
                o.strip() for o in os.environ.get("REGISTRY_CORS_ORIGINS", "").split(",") if o.strip()
            ),
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)  # type: ignore[arg-type]

    def to_env(self) -> dict[str, str]:
        """The environment from which from_env() gives these settings back (for worker processes)."""
        return {
            "REGISTRY_STORE": self.store_url,
            "REGISTRY_STATS": "1" if self.stats else "0",
            "REGISTRY_LEAN_READS": "1" if self.lean_reads else "0",
            "REGISTRY_RESPONSE_CACHE": "1" if self.response_cache else "0",
            "REGISTRY_CORS_ORIGINS": ",".join(self.cors_origins),
            "REGISTRY_OTEL": "1" if self.otel else "0",
            "REGISTRY_LOG_FORMAT": self.log_format,
            "REGISTRY_TRUSTED_DOCUMENTS": self.trusted_documents or "",
        }
