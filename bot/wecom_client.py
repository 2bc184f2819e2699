"""Outbound WeCom: wechatpy's client pointed at `WECOM_API_BASE`, tokens in the database, and the
outbox sender that turns queued rows into API calls.

wechatpy 1.8.18 fetches tokens from a hard-coded host, without a timeout, and keeps their expiry
in process memory, so several workers refetch and invalidate each other's token (protocols.md
§3.3–3.5). Here the token lives in `cached_token` with its expiry, shared by every process, and
every call has a timeout. Sending happens only in the outbox drainer, never in a request.
"""

from __future__ import annotations

import logging
import re
from datetime import timedelta
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
from storage.documents import Document
from storage.outbox import OutboxMessage
from storage.tokens import CachedToken

log = logging.getLogger(__name__)
TEXT_LIMIT = 2048  # bytes of UTF-8 per text message (WW-90236)
TIMEOUT = 10.0  # seconds for every API call
REFRESH_EARLY = 300  # seconds: a token is refetched this long before WeCom says it expires
MAX_MEDIA = 20 * 1024 * 1024  # WeCom's limit for a file message
# errcodes that no retry can fix: invalid user id, all recipients invalid, bad parameters
PERMANENT_ERRCODES = {40003, 81013, 40058, 44004, 40008, 40007}


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

    def __init__(self, settings: WeComSettings, storage: SessionStorage, timeout=TIMEOUT) -> None:
        super().__init__(settings.corp_id, settings.secret, session=storage, timeout=timeout)
        self.API_BASE_URL = settings.api_base
        self.agent_id = settings.agent_id

    @property
    def access_token(self) -> str:
        """The shared token from the database; fetched only when none is valid."""
        token = self.session.get(self.access_token_key)
        if token:
            return token
        self.fetch_access_token()
        return self.session.get(self.access_token_key)

    def fetch_access_token(self) -> dict:
        res = self._http.get(
            self.API_BASE_URL + "gettoken",
            params={"corpid": self.corp_id, "corpsecret": self.secret},
            timeout=self.timeout,
        )
        res.raise_for_status()
        result = res.json()
        if result.get("errcode", 0) != 0:
            raise WeChatClientException(result["errcode"], result.get("errmsg"), client=self)
        ttl = max(int(result.get("expires_in", 7200)) - REFRESH_EARLY, 60)
        self.session.set(self.access_token_key, result["access_token"], ttl)
        return result

    def download_media(self, media_id: str) -> tuple[str, bytes]:
        """(file name, bytes) of a received file (media/get, WW-90254); at most 20 MB."""
        res = self._http.get(
            self.API_BASE_URL + "media/get",
            params={"access_token": self.access_token, "media_id": media_id},
            timeout=self.timeout,
            stream=True,
        )
        with res:
            res.raise_for_status()
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
        self.client = client or WeComClient(services.settings.wecom, DbTokenStorage(services))

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
            raise _classify(err) from err
        except (requests.RequestException, OSError) as err:
            raise TransientSendError(f"network: {err}") from err

    def _message(self, user: str, body: dict[str, Any]) -> dict:
        return self.client.post(
            "message/send", data={"touser": user, "agentid": self.client.agent_id, **body}
        )

    def _text(self, row: OutboxMessage, document: Document | None) -> None:
        parts = split_text(str(row.payload.get("text", "")))
        for part in parts:
            body: dict[str, Any] = {"msgtype": "text", "text": {"content": part}}
            if len(parts) > 1:  # a retry after a partial failure does not repeat earlier parts
                body["enable_duplicate_check"] = 1
            self._message(row.address, body)

    def _file(self, row: OutboxMessage, document: Document | None) -> None:
        if document is None:
            raise PermanentSendError(f"document {row.payload.get('document_id')} not found")
        path = Path(self.services.settings.files_path) / document.path
        if not path.is_file():
            raise PermanentSendError(f"document file missing: {document.path}")
        with path.open("rb") as fh:
            uploaded = self.client.post(
                "media/upload", params={"type": "file"}, files={"media": (document.filename, fh)}
            )
        body = {"msgtype": "file", "file": {"media_id": uploaded["media_id"]}}
        if row.payload.get("safe"):  # 保密消息: no sharing outside, watermarked (WW-90236)
            body["safe"] = 1
        self._message(row.address, body)

    def _card(self, row: OutboxMessage, document: Document | None) -> None:
        card = {k: v for k, v in row.payload.items() if k not in LOCAL_CARD_KEYS}
        body = {"msgtype": "template_card", "template_card": card, "enable_duplicate_check": 1}
        self._message(row.address, body)

    def _card_update(self, row: OutboxMessage, document: Document | None) -> None:
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


# payload keys that are ours, not WeCom's: the address seal flag and the console's text fallback
LOCAL_CARD_KEYS = frozenset({"sealed_address", "fallback_text"})


def _classify(err: WeChatClientException) -> Exception:
    if err.errcode in PERMANENT_ERRCODES:
        return PermanentSendError(f"errcode {err.errcode}: {err.errmsg}")
    return TransientSendError(f"errcode {err.errcode}: {err.errmsg}")
