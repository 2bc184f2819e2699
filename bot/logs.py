"""Logging for every `liaison` command: one structlog pipeline behind stdlib logging.

Our own lines, gunicorn's, urllib3's (with `-v`) and wechatpy's all go through structlog's
`ProcessorFormatter`, so they share one format (key=value, or JSON with `LIAISON_LOG_FORMAT=json`),
carry the `request_id` of the callback they belong to, and pass through `bot.redact.redact` as the
very last step: a URL with `corpsecret=`/`access_token=` or an exception holding SQL parameters is
masked no matter which library wrote it (issue 8, items 3 and 9).

Callback code calls `bind_request()` when a delivery arrives (or uses `request_context()`),
`log_callback()` once it knows the outcome, and `clear_request()` when done.
"""

from __future__ import annotations

import logging
import os
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Any

import structlog
from structlog.contextvars import bind_contextvars, clear_contextvars, merge_contextvars
from structlog.stdlib import ProcessorFormatter

from bot.redact import redact

FORMAT_ENV = "LIAISON_LOG_FORMAT"
_PLAIN = (int, float, bool, type(None))
# SQLAlchemy's INFO lines are statements with their parameters, i.e. people's words: never logged,
# even with -v. Alembic's progress lines only with -v.
QUIET = {"sqlalchemy": logging.WARNING}
_FIRST = ("timestamp", "level", "logger", "request_id", "event")

callback_log = structlog.stdlib.get_logger("liaison.callback")


def redact_fields(_logger: Any, _method: str, event: dict[str, Any]) -> dict[str, Any]:
    """The last processor before rendering: every value (event, fields, exception) redacted."""
    return {k: v if isinstance(v, _PLAIN) else redact(v) for k, v in event.items()}


class KeyValueRenderer:
    """`key=value` pairs (values with spaces quoted); a traceback follows on its own lines."""

    def __call__(self, _logger: Any, _method: str, event: dict[str, Any]) -> str:
        exc = event.pop("exception", None)
        keys = [k for k in _FIRST if k in event] + sorted(k for k in event if k not in _FIRST)
        line = " ".join(f"{k}={_quote(event[k])}" for k in keys)
        return f"{line}\n{exc}" if exc else line


def _quote(value: Any) -> str:
    text = "" if value is None else str(value)
    if text and not any(c in text for c in ' ="\n\t'):
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever `sys.stderr` is at emit time (click's test runner, pytest swap it)."""

    def __init__(self) -> None:
        super().__init__()

    @property
    def stream(self) -> IO[str]:  # type: ignore[override]
        return sys.stderr

    @stream.setter
    def stream(self, _value: IO[str]) -> None:
        pass


def _shared() -> list:
    """What every line gets, whether it came from structlog or from a library's stdlib logger."""
    return [
        merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso"),
    ]


def make_formatter(fmt: str | None = None) -> ProcessorFormatter:
    """The formatter of every handler we own (also set on gunicorn's, see bot/server.py)."""
    fmt = (fmt or os.environ.get(FORMAT_ENV) or "kv").lower()
    renderer = structlog.processors.JSONRenderer(ensure_ascii=False)
    return ProcessorFormatter(
        foreign_pre_chain=_shared(),
        processors=[
            ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            redact_fields,
            renderer if fmt == "json" else KeyValueRenderer(),
        ],
    )


def _configure_structlog() -> None:
    """structlog loggers hand their events to stdlib logging, so one set of handlers decides."""
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *_shared(),
            structlog.stdlib.PositionalArgumentsFormatter(),
            structlog.processors.StackInfoRenderer(),
            ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )


def configure_logging(
    verbose: bool = False, fmt: str | None = None, stream: IO[str] | None = None
) -> logging.Handler:
    """Route all logging through our formatter on stderr (or `stream`); replaces a previous call."""
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "_liaison", False)]:
        root.removeHandler(old)
    handler = logging.StreamHandler(stream) if stream is not None else _StderrHandler()
    handler.setFormatter(make_formatter(fmt))
    handler._liaison = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    for name, level in QUIET.items():
        logging.getLogger(name).setLevel(level)
    logging.getLogger("alembic").setLevel(logging.DEBUG if verbose else logging.WARNING)
    logging.captureWarnings(True)
    _configure_structlog()
    return handler


def reset_logging() -> None:
    """Undo `configure_logging` (tests that run the click group in-process)."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, "_liaison", False)]:
        root.removeHandler(handler)
    root.setLevel(logging.WARNING)
    logging.captureWarnings(False)
    clear_request()


def new_request_id() -> str:
    return uuid.uuid4().hex[:12]


def bind_request(request_id: str | None = None, **fields: Any) -> str:
    """Start a callback's log context (clearing a previous one this thread kept); its id."""
    request_id = request_id or new_request_id()
    clear_contextvars()
    bind_contextvars(request_id=request_id, **fields)
    return request_id


def clear_request() -> None:
    """End the callback's log context, so a pooled thread's next lines carry no stale id."""
    clear_contextvars()


@contextmanager
def request_context(request_id: str | None = None, **fields: Any) -> Iterator[str]:
    """`with request_context() as rid:` — bind_request/clear_request around a block."""
    try:
        yield bind_request(request_id, **fields)
    finally:
        clear_request()


def log_callback(channel: str, result: str, **fields: Any) -> None:
    """One line per platform callback: `event=callback channel=… result=…` plus `fields`.

    Only log-safe fields belong here (ids, durations, counts) — never an account or message text;
    the redaction is a safety net for secrets, not for personal data. Does not count metrics.
    """
    level = logging.WARNING if result in ("refused", "unavailable", "error") else logging.INFO
    callback_log.log(level, "callback", channel=channel, result=result, **fields)


_configure_structlog()  # so a structlog logger used before `configure_logging` still routes to stdlib
