"""Log lines as JSON objects, one per line, for the long-running processes.

``gongjian serve`` and ``gongjian project`` log this way unless
``GONGJIAN_LOG_FORMAT=text``. Each line has ``time`` (UTC, RFC 3339), ``level``,
``logger``, ``message`` and ``process`` (its id), the fields a line was logged with (``extra``), the
exception's traceback if any, and, while a request is served, its ``request_id``,
``user`` and ``role`` (of the principal, by id) and ``tenant``.
"""

from __future__ import annotations

import json
import logging
import os
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

FORMAT_SETTING = "GONGJIAN_LOG_FORMAT"
FORMATS = ("json", "text")
TEXT = "%(asctime)s %(levelname)s %(name)s %(message)s"
# Attributes every LogRecord has: anything else on a record came from ``extra``.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}
_CONTEXT = ("request_id", "user", "role", "tenant")
# One encoder for every line (json.dumps with options builds a new one each call).
_encode = json.JSONEncoder(ensure_ascii=False, default=str).encode


@dataclass
class RequestContext:
    """Who and what the request being served is about, filled in as it is learned
    (``api.request_log`` sets it)."""

    request_id: str
    user: str | None = None
    role: str | None = None
    tenant: str | None = None


# Threads a request starts (FastAPI's thread pool, asyncio.to_thread) copy the context,
# so they see the same RequestContext object, and what they note in it is seen here.
serving: ContextVar[RequestContext | None] = ContextVar("gongjian_request", default=None)


class RequestContextFilter(logging.Filter):
    """Stamp each record with the request it was logged in (if any)."""

    def filter(self, record: logging.LogRecord) -> bool:
        context = serving.get()
        if context is not None:
            for name in _CONTEXT:
                if not hasattr(record, name):
                    setattr(record, name, getattr(context, name))
        return True


class JsonFormatter(logging.Formatter):
    """A record as one line of JSON (Chinese text kept readable, not escaped)."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "process": record.process,  # which of `serve --workers N` logged it
        }
        for name, value in vars(record).items():
            if name not in _STANDARD and not name.startswith("_"):
                line[name] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            line["exception"] = record.exc_text
        if record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        return _encode(line)


def configured_format() -> str:
    """The log format of long-running processes (``GONGJIAN_LOG_FORMAT``, default json)."""
    chosen = os.environ.get(FORMAT_SETTING, "json").strip().lower() or "json"
    if chosen not in FORMATS:
        raise ValueError(f"{FORMAT_SETTING} must be one of {', '.join(FORMATS)}, not {chosen!r}")
    return chosen


def dict_config(log_format: str | None = None, level: str = "INFO") -> dict[str, Any]:
    """A ``logging.config.dictConfig`` document: every logger (uvicorn's too) writes to
    standard error in the format chosen. Uvicorn's access log is left out: the request
    line (``api.request_log``) replaces it, without the raw path and query."""
    chosen = log_format or configured_format()
    formatter: dict[str, Any] = (
        {"()": f"{__name__}.JsonFormatter"} if chosen == "json" else {"format": TEXT}
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"chosen": formatter},
        "filters": {"request": {"()": f"{__name__}.RequestContextFilter"}},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stderr",
                "formatter": "chosen",
                "filters": ["request"],
            }
        },
        "root": {"handlers": ["stderr"], "level": level},
        "loggers": {
            # Uvicorn's own loggers pass their lines up to the root's handler.
            "uvicorn": {"handlers": [], "propagate": True},
            "uvicorn.error": {"handlers": [], "propagate": True},
            "uvicorn.access": {"handlers": [], "propagate": False},
            # httpx logs every URL it requests at INFO: webhook targets can hold secrets.
            "httpx": {"level": "WARNING"},
        },
    }
