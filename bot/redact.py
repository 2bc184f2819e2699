"""Scrubbing secrets out of text before it is logged or stored (an error's message, a URL).

`requests` errors carry the full URL, and WeCom's URLs carry `corpsecret` and `access_token`
(protocols.md §3); DingTalk's carry `access_token` and signatures. Everything that turns an
exception or a URL into text for a log line or a `last_error` column goes through `redact`.
"""

from __future__ import annotations

import re

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
MASK = "***"


def redact(text: object, *secrets: str | None) -> str:
    """`text` as a string with every `name=value` secret parameter and each given secret masked."""
    out = _PARAM.sub(lambda m: f"{m.group(1)}{m.group(2)}{MASK}", str(text))
    for secret in secrets:
        if secret and len(secret) >= 4:
            out = out.replace(secret, MASK)
    return out
