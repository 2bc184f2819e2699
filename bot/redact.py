"""Scrubbing secrets out of text before it is logged or stored (an error's message, a URL).

`requests` errors carry the full URL, and WeCom's URLs carry `corpsecret` and `access_token`
(protocols.md §3); DingTalk's carry `access_token` and signatures. SQLAlchemy errors carry the
statement's parameters, which may be a reporter's words. Everything that turns an exception or a
URL into text for a log line or a `last_error` column goes through `redact`; urllib3's debug log
(which prints every URL with its query) goes through `RedactingFilter`.
"""

from __future__ import annotations

import logging
import re
import threading

SECRET_PARAMS = (
    "corpsecret",
    "secret",
    "appsecret",
    "access_token",
    "accesstoken",
    "token",
    "sign",
    "signature",
    "msg_signature",
    "encodingaeskey",
    "code",
    "response_code",
    "password",
)
_PARAM = re.compile(
    r"(?i)\b(" + "|".join(SECRET_PARAMS) + r")(\s*[=:]\s*|\"\s*:\s*\"|'\s*:\s*')([^&\s\"',;)}]+)"
)
# SQLAlchemy: "[parameters: (...)]" (may span lines); psycopg: "Key (col)=(value) already exists"
_SQL_PARAMS = re.compile(r"\[parameters: .*?\](?=\n|$|\s*\(Background)", re.S)
_SQL_KEY = re.compile(r"(Key \([^)]*\)=\()(.*?)(\)\s)", re.S)
# psycopg, a NOT NULL or CHECK violation: "DETAIL:  Failing row contains (1, wecom, <the words>)."
_SQL_ROW = re.compile(r"(Failing row contains \()[^\n]*\)")
MASK = "***"


def redact(text: object, *secrets: str | None) -> str:
    """`text` as a string with every `name=value` secret parameter, SQL parameters and each given
    secret (a configured app secret, a reporter's clear account or words) masked."""
    out = str(text)
    for secret in secrets:  # first, so a secret is masked whatever form it appears in
        if secret and len(secret) >= 4:
            out = out.replace(secret, MASK)
    out = _PARAM.sub(lambda m: f"{m.group(1)}{m.group(2)}{MASK}", out)
    out = _SQL_PARAMS.sub(f"[parameters: {MASK}]", out)
    out = _SQL_ROW.sub(lambda m: f"{m.group(1)}{MASK})", out)
    return _SQL_KEY.sub(lambda m: f"{m.group(1)}{MASK}{m.group(3)}", out)


class RedactingFilter(logging.Filter):
    """Rewrites a record's message through `redact`, so no handler ever sees the clear text."""

    def __init__(self) -> None:
        super().__init__()
        self.secrets: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = redact(message, *self.secrets)
        if clean != message:
            record.msg, record.args = clean, None
        return True


_FILTER = RedactingFilter()
_installed: set[str] = set()
_lock = threading.Lock()
# loggers that print request URLs: urllib3 logs every request line at DEBUG ("-v")
URL_LOGGERS = ("urllib3.connectionpool", "wechatpy.client.base")


def install_log_redaction(*secrets: str | None, loggers: tuple[str, ...] = URL_LOGGERS) -> None:
    """Attach the redacting filter to the loggers that print URLs, and mask these secrets too.

    Logger filters only see records logged on that very logger, so each URL-printing logger gets
    it; our own modules call `redact` themselves. Idempotent.
    """
    with _lock:
        _FILTER.secrets.update(s for s in secrets if s and len(s) >= 4)
        for name in loggers:
            if name not in _installed:
                logging.getLogger(name).addFilter(_FILTER)
                _installed.add(name)
