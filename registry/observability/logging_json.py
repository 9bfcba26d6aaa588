"""Logs as JSON lines, each with the request id of the request that wrote it.

The GraphQL endpoint makes a request id (`new_request_id()`, also sent as X-Request-Id); it is kept
in a context variable, so every line logged while the request runs carries it, whichever module
logs. `registry serve` logs this way unless `--log-format text`.
"""

from __future__ import annotations

import contextvars
import json
import logging
import uuid
from datetime import UTC, datetime
from typing import Any

REQUEST_ID: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)
ACCESS = logging.getLogger("registry.access")  # one line per GraphQL request, at INFO (--access-log)


def new_request_id() -> str:
    request_id = uuid.uuid4().hex[:16]
    REQUEST_ID.set(request_id)
    return request_id


class JsonLines(logging.Formatter):
    """One JSON object per record: time, level, logger, message, request_id, the record's `fields`."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or REQUEST_ID.get(),
            "pid": record.process,  # which worker, with `registry serve --workers N`
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            line.update(fields)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def request_done(operation: str, outcome: str, status: int, path: str, seconds: float, codes: list[str]) -> None:
    if not ACCESS.isEnabledFor(logging.INFO):
        return
    fields: dict[str, object] = {"operation": operation, "outcome": outcome, "status": status, "path": path}
    fields["ms"] = round(seconds * 1000, 3)
    if codes:
        fields["error_codes"] = codes
    ACCESS.info("graphql %s %s", operation, outcome, extra={"fields": fields})


def log_config(json_lines: bool, access_log: bool) -> dict[str, Any]:
    """A logging.config dict for uvicorn and the registry: JSON lines or plain text on stderr."""
    formatter: dict[str, Any] = (
        {"()": JsonLines} if json_lines else {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"main": formatter},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "main", "stream": "ext://sys.stderr"}},
        "loggers": {
            "uvicorn": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
            "uvicorn.access": {
                "handlers": ["stderr"],
                "level": "INFO" if access_log else "WARNING",
                "propagate": False,
            },
            "registry": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
            "registry.access": {"level": "INFO" if access_log else "WARNING"},
        },
    }
