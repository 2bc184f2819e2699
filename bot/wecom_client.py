"""Outbound WeCom: wechatpy's client pointed at `WECOM_API_BASE`, tokens in the database, and the
outbox sender that turns queued rows into API calls.

wechatpy 1.8.18 fetches tokens from a hard-coded host, without a timeout, and keeps their expiry
in process memory, so several workers refetch and invalidate each other's token (protocols.md
§3.3–3.5). Here the token lives in `cached_token` with its expiry, shared by every process, and
every call has a timeout. Sending happens only in the outbox drainer, never in a request.

Exactly once: every message/send carries `enable_duplicate_check` for the longest interval WeCom
allows (WW-90236), so a retry after an unknown outcome (a timeout after WeCom accepted the message,
a drainer killed mid-send) is dropped by WeCom instead of shown twice. wechatpy's `auto_retry`
(which refetches and recurses on 40001/40014/42001 without limit or back-off) is off: a rejected
token is dropped and refetched once, the call retried once, and a second rejection is a transient
failure that the outbox backs off. No exception text here carries a URL, token or the secret.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import requests
from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from wechatpy.enterprise import WeChatClient
from wechatpy.exceptions import WeChatClientException
from wechatpy.session import SessionStorage

from bot.config import WeComSettings
from bot.dispatch import Services
from bot.outbox import PermanentSendError, TransientSendError
from bot.redact import install_log_redaction, redact
from storage.documents import Document
from storage.outbox import OutboxMessage
from storage.tokens import CachedToken

log = logging.getLogger(__name__)
TEXT_LIMIT = 2048  # bytes of UTF-8 per text message (WW-90236)
TIMEOUT = 10.0  # seconds for every API call
TIMEOUT_OPTION = "LIAISON_WECOM_TIMEOUT"  # seconds; overrides TIMEOUT (tests use a short one)
REFRESH_EARLY = 300  # seconds: a token is refetched this long before WeCom says it expires
MAX_MEDIA = 20 * 1024 * 1024  # WeCom's limit for a file message
# WeCom's maximum (4 h, WW-90236): longer than a row's whole retry schedule (bot.outbox), so no
# retry of one row can be shown twice. The price: the same message to the same person within 4 h
# is shown once, which for identical words is what the reader would want anyway.
DUPLICATE_CHECK_INTERVAL = 14400
MEDIA_REUSE = timedelta(days=2)  # an uploaded file's media_id lives 3 days (WW-90253)
# errcodes that no retry can fix: invalid user id, all recipients invalid, bad parameters
PERMANENT_ERRCODES = {40003, 81013, 40058, 44004, 40008, 40007}
# the token was not accepted: invalid credential, invalid access_token, access_token expired
TOKEN_ERRCODES = {40001, 40014, 42001}


class WeComNetworkError(requests.RequestException):
    """A request that did not complete; its text is redacted (no URL query, no secret)."""


class TokenFetchError(WeChatClientException):
    """gettoken itself failed (wrong secret, WeCom down): refetching at once cannot help."""


class TokenRejectedError(WeChatClientException):
    """A freshly fetched token was rejected too: left to the outbox's back-off, not retried here."""


class DbTokenStorage(SessionStorage):
    """wechatpy session storage on the `cached_token` table; honours the TTL on read."""

    def __init__(self, services: Services) -> None:
        self.services = services

    def get(self, key: str, default: Any = None) -> Any:
        with self.services.sessions() as session:
            row = session.get(CachedToken, key)
            if row is None or row.expires_at <= self.services.clock():
                return default
            return row.value

    def set(self, key: str, value: Any, ttl: int | None = None) -> None:
        expires = self.services.clock() + timedelta(seconds=ttl if ttl else 7200)
        values = {"key": key, "value": str(value), "expires_at": expires}
        with self.services.sessions() as session, session.begin():
            dialect = session.get_bind().dialect.name
            module = postgresql if dialect == "postgresql" else sqlite
            stmt = module.insert(CachedToken).values(**values)
            stmt = stmt.on_conflict_do_update(
                index_elements=["key"], set_={"value": values["value"], "expires_at": expires}
            )
            session.execute(stmt)

    def delete(self, key: str) -> None:
        with self.services.sessions() as session, session.begin():
            session.execute(delete(CachedToken).where(CachedToken.key == key))


class WeComClient(WeChatClient):
    """wechatpy's enterprise client against `settings.api_base`, with DB tokens and timeouts."""

    def __init__(
        self, settings: WeComSettings, storage: SessionStorage, timeout: float = TIMEOUT
    ) -> None:
        self.agent_id = settings.agent_id
        super().__init__(
            settings.corp_id, settings.secret, session=storage, timeout=timeout, auto_retry=False
        )
        self.API_BASE_URL = settings.api_base
        install_log_redaction(settings.secret)  # urllib3's debug log prints every URL

    @property
    def access_token_key(self) -> str:
        """Names the app, not its secret (wechatpy's default key holds `secret[:10]`)."""
        return f"wecom:{self.corp_id}:{self.agent_id}:access_token"

    @property
    def access_token(self) -> str:
        """The shared token from the database; fetched only when none is valid."""
        token = self.session.get(self.access_token_key)
        if token:
            return token
        self.fetch_access_token()
        return self.session.get(self.access_token_key)

    def fetch_access_token(self) -> dict:
        """gettoken (WW-91039) with a timeout; a failure raises without the URL (it holds the
        secret)."""
        params = {"corpid": self.corp_id, "corpsecret": self.secret}
        try:
            res = self._http.get(
                self.API_BASE_URL + "gettoken", params=params, timeout=self.timeout
            )
        except requests.RequestException as err:
            raise WeComNetworkError(f"gettoken: {self.redact(err)}") from None
        if res.status_code >= 400:
            raise TokenFetchError(None, f"gettoken: HTTP {res.status_code}", client=self)
        try:
            result = res.json()
        except ValueError:
            raise TokenFetchError(None, "gettoken: answer is not JSON", client=self) from None
        if result.get("errcode", 0) != 0:
            errmsg = self.redact(result.get("errmsg", ""))
            raise TokenFetchError(result["errcode"], f"gettoken: {errmsg}", client=self)
        ttl = max(int(result.get("expires_in", 7200)) - REFRESH_EARLY, 60)
        self.session.set(self.access_token_key, result["access_token"], ttl)
        return result

    def _request(self, method: str, url_or_endpoint: str, **kwargs: Any) -> Any:
        """One API call; a rejected token is dropped, refetched and the call retried, once."""
        try:
            return self._call(method, url_or_endpoint, kwargs)
        except TokenFetchError:
            raise
        except WeChatClientException as err:
            if err.errcode not in TOKEN_ERRCODES:
                raise
            log.info("WeCom rejected the access token (errcode %s); refetching once", err.errcode)
        self.session.delete(self.access_token_key)
        self.fetch_access_token()
        try:
            return self._call(method, url_or_endpoint, kwargs)
        except TokenFetchError:
            raise
        except WeChatClientException as err:
            if err.errcode not in TOKEN_ERRCODES:
                raise
            msg = f"token rejected again after a refetch: {self.redact(err.errmsg)}"
            raise TokenRejectedError(err.errcode, msg, client=self) from None

    def _call(self, method: str, url_or_endpoint: str, kwargs: dict[str, Any]) -> Any:
        """wechatpy's request on fresh copies of the arguments (it writes the token into
        `params`, so a retry would reuse the rejected one), with clean exceptions."""
        fresh = dict(kwargs)
        fresh["params"] = {
            k: v for k, v in dict(kwargs.get("params") or {}).items() if k != "access_token"
        }
        try:
            return super()._request(method, url_or_endpoint, **fresh)
        except requests.RequestException as err:
            raise WeComNetworkError(self.redact(err)) from None
        except TokenFetchError:
            raise
        except WeChatClientException as err:
            if err.errcode is None and err.response is not None:  # raise_for_status: keep the code
                msg = f"HTTP {err.response.status_code}"
                raise WeChatClientException(None, msg, client=self) from None
            raise type(err)(err.errcode, self.redact(err.errmsg), client=self) from None

    def redact(self, text: object) -> str:
        return redact(text, self.secret)

    def download_media(self, media_id: str) -> tuple[str, bytes]:
        """(file name, bytes) of a received file (media/get, WW-90254); at most 20 MB."""
        try:
            return self._download(media_id)
        except requests.RequestException as err:
            raise WeComNetworkError(f"media/get: {self.redact(err)}") from None

    def _download(self, media_id: str) -> tuple[str, bytes]:
        res = self._http.get(
            self.API_BASE_URL + "media/get",
            params={"access_token": self.access_token, "media_id": media_id},
            timeout=self.timeout,
            stream=True,
        )
        with res:
            if res.status_code >= 400:
                raise WeChatClientException(None, f"media/get: HTTP {res.status_code}", client=self)
            if res.headers.get("Content-Type", "").startswith(("application/json", "text/")):
                self._handle_result(res)  # an errcode answer raises WeChatClientException
                raise WeChatClientException(-1, "media/get returned no file", client=self)
            content = res.raw.read(MAX_MEDIA + 1, decode_content=True)
        if len(content) > MAX_MEDIA:
            raise WeChatClientException(-1, "file larger than 20 MB", client=self)
        return _filename(res.headers.get("Content-Disposition", ""), media_id), content

    def close(self) -> None:
        self._http.close()


def _filename(disposition: str, fallback: str) -> str:
    match = re.search(r"filename\*=UTF-8''([^;]+)", disposition, re.I)
    if match:
        return unquote(match.group(1))
    match = re.search(r'filename="?([^";]+)"?', disposition, re.I)
    if match:
        raw = match.group(1)
        try:  # WeCom sends UTF-8 bytes in the header, which HTTP libraries read as latin-1
            return raw.encode("latin-1").decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            return raw
    return fallback


def split_text(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Cut text into parts of at most `limit` UTF-8 bytes, at line breaks where possible."""
    parts: list[str] = []
    current = ""
    for line in text.splitlines(keepends=True):
        while len(line.encode()) > limit:  # one very long line: cut by characters
            cut = len(line.encode()[:limit].decode("utf-8", "ignore"))
            if current:
                parts.append(current)
                current = ""
            parts.append(line[:cut])
            line = line[cut:]
        if len((current + line).encode()) > limit:
            parts.append(current)
            current = ""
        current += line
    if current or not parts:
        parts.append(current)
    return [p.rstrip("\n") for p in parts if p.strip()] or [text]


class WeComSender:
    """Sends outbox rows of the `wecom` channel; a failure raises for the drainer to retry."""

    channel = "wecom"
    per_minute = 25  # under WeCom's 30 per member per minute; the excess would be dropped

    def __init__(self, services: Services, client: WeComClient | None = None) -> None:
        if services.settings.wecom is None:
            raise ValueError("WeComSender needs WECOM_* settings")
        self.services = services
        timeout = float(services.settings.extra.get(TIMEOUT_OPTION) or TIMEOUT)
        self.client = client or WeComClient(
            services.settings.wecom, DbTokenStorage(services), timeout=timeout
        )

    @property
    def secrets(self) -> tuple[str, ...]:
        """What the drainer masks in every error it logs or stores."""
        return (self.client.secret,)

    def send(self, row: OutboxMessage, document: Document | None) -> None:
        senders = {
            "text": self._text,
            "file": self._file,
            "template_card": self._card,
            "card_update": self._card_update,
        }
        if row.kind not in senders:
            raise PermanentSendError(f"unknown outbox kind {row.kind}")
        try:
            senders[row.kind](row, document)
        except (PermanentSendError, TransientSendError):
            raise
        except WeChatClientException as err:
            raise _classify(err, self.client.secret) from None
        except (requests.RequestException, OSError) as err:
            raise TransientSendError(f"network: {redact(err, self.client.secret)}") from None

    def _message(self, user: str, body: dict[str, Any]) -> dict:
        """message/send (WW-90236) with WeCom's duplicate check, so a retry cannot show twice."""
        data = {
            "touser": user,
            "agentid": self.client.agent_id,
            **body,
            "enable_duplicate_check": 1,
            "duplicate_check_interval": DUPLICATE_CHECK_INTERVAL,
        }
        return self.client.post("message/send", data=data)

    def _text(self, row: OutboxMessage, document: Document | None) -> None:
        # a retry after a partial failure repeats every part; WeCom drops the ones already shown
        for part in split_text(str(row.payload.get("text", ""))):
            self._message(row.address, {"msgtype": "text", "text": {"content": part}})

    def _file(self, row: OutboxMessage, document: Document | None) -> None:
        if document is None:
            raise PermanentSendError(f"document {row.payload.get('document_id')} not found")
        body = {"msgtype": "file", "file": {"media_id": self._media_id(row, document)}}
        if row.payload.get("safe"):  # 保密消息: no sharing outside, watermarked (WW-90236)
            body["safe"] = 1
        self._message(row.address, body)

    def _media_id(self, row: OutboxMessage, document: Document) -> str:
        """The file's media_id, uploaded once per row: a retry reuses it, so the resent message
        is the same request and WeCom's duplicate check drops it if the first one arrived."""
        now = self.services.clock()
        resume = row.payload.get("resume") or {}
        uploaded_at = resume.get("uploaded_at")
        if uploaded_at and now - datetime.fromisoformat(uploaded_at) < MEDIA_REUSE:
            return str(resume["media_id"])
        path = Path(self.services.settings.files_path) / document.path
        if not path.is_file():
            raise PermanentSendError(f"document file missing: {document.path}")
        content = path.read_bytes()  # bytes, not a file handle: a token retry resends them whole
        uploaded = self.client.post(
            "media/upload", params={"type": "file"}, files={"media": (document.filename, content)}
        )
        media_id = str(uploaded["media_id"])
        row.payload = {
            **row.payload,
            "resume": {"media_id": media_id, "uploaded_at": now.isoformat()},
        }
        return media_id

    def _card(self, row: OutboxMessage, document: Document | None) -> None:
        card = {k: v for k, v in row.payload.items() if k not in LOCAL_PAYLOAD_KEYS}
        self._message(row.address, {"msgtype": "template_card", "template_card": card})

    def _card_update(self, row: OutboxMessage, document: Document | None) -> None:
        """update_template_card (WW-94945) takes no duplicate check: its response_code is
        single-use, which makes it idempotent already."""
        payload = row.payload
        body: dict[str, Any] = {
            "userids": [row.address],
            "agentid": self.client.agent_id,
            "response_code": payload["response_code"],
        }
        if payload.get("template_card"):
            body["template_card"] = payload["template_card"]
        else:
            body["button"] = {"replace_name": payload.get("replace_name", "")}
        self.client.post("message/update_template_card", data=body)

    def close(self) -> None:
        self.client.close()


# payload keys that are ours, not WeCom's: seal flags, the console's text fallback, resume state
LOCAL_PAYLOAD_KEYS = frozenset(
    {"sealed_address", "sealed_text", "private", "fallback_text", "resume"}
)


def _classify(err: WeChatClientException, secret: str) -> Exception:
    text = f"errcode {err.errcode}: {redact(err.errmsg, secret)}"
    if err.errcode in PERMANENT_ERRCODES:
        return PermanentSendError(text)
    return TransientSendError(text)
