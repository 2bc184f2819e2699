"""Outbound WeChat Official Account: the customer-service message API, within its window.

An account may write to a follower only after the follower acts: a message opens a 48-hour
window with at most 5 messages in it (developers.weixin.qq.com/doc/offiaccount/Customer_Service/
Customer_Service_Messages.html; protocols.md §5). Each follower's last message is recorded
(`mp_follower`, keyed by a keyed hash, never the OpenID); a message that cannot be sent now — a
reporter's case news (受理, 办结) arriving days later — is kept sealed (`mp_kept_news`) and moved
into the outbox when the follower next writes, so it is shown then.

wechatpy's client is pointed at `WECHAT_API_BASE`; its token fetch (hard-coded host, no timeout)
is replaced, and the token lives in the shared `cached_token` table (as in bot/wecom_client.py).
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import requests
from sqlalchemy import delete, select
from wechatpy import WeChatClient
from wechatpy.exceptions import WeChatClientException

from bot.config import WeChatSettings
from bot.dispatch import Services
from bot.outbox import PermanentSendError, TransientSendError
from bot.redact import install_log_redaction, redact
from bot.replies import TEXT_LIMIT, split_text
from bot.wecom_client import DbTokenStorage
from storage.channels import Follower, KeptNews
from storage.documents import Document
from storage.inbound import sender_hash
from storage.outbox import OutboxMessage
from storage.sealing import seal, unseal

log = logging.getLogger(__name__)
CHANNEL = "wechat_mp"
TIMEOUT = 10.0
WINDOW = timedelta(hours=48)
WINDOW_MESSAGES = 5  # after a follower's message: 5 customer-service messages within 48 h
REFRESH_EARLY = 300
TOKEN_ERRCODES = {40001, 40014, 42001}
PERMANENT_ERRCODES = {40003, 45015, 45047, 48001, 43004}  # bad openid, window closed, not followed


class MPClient(WeChatClient):
    """wechatpy's Official Account client against `settings.api_base`, with DB tokens."""

    def __init__(self, settings: WeChatSettings, services: Services, timeout: float = TIMEOUT):
        super().__init__(
            settings.app_id,
            settings.app_secret,
            session=DbTokenStorage(services),
            timeout=timeout,
            auto_retry=False,
        )
        self.API_BASE_URL = settings.api_base
        install_log_redaction(settings.app_secret)

    @property
    def access_token_key(self) -> str:
        return f"wechat:{self.appid}:access_token"

    @property
    def access_token(self) -> str:
        return self.session.get(self.access_token_key) or self.fetch_access_token()["access_token"]

    def fetch_access_token(self) -> dict:
        params = {"grant_type": "client_credential", "appid": self.appid, "secret": self.secret}
        try:
            res = self._http.get(self.API_BASE_URL + "token", params=params, timeout=self.timeout)
            result = res.json()
        except (requests.RequestException, ValueError) as err:
            raise TransientSendError(f"token: {type(err).__name__}") from None
        if result.get("errcode", 0) != 0 or "access_token" not in result:
            msg = redact(result.get("errmsg", ""), self.secret)
            raise WeChatClientException(result.get("errcode"), f"token: {msg}", client=self)
        ttl = max(int(result.get("expires_in", 7200)) - REFRESH_EARLY, 60)
        self.session.set(self.access_token_key, result["access_token"], ttl)
        return result

    def send_text(self, openid: str, text: str) -> Any:
        """message/custom/send; a rejected token is dropped and refetched once."""
        for retry in (False, True):
            try:
                return self.message.send_text(openid, text)
            except requests.RequestException as err:
                raise TransientSendError(f"message/custom/send: {type(err).__name__}") from None
            except WeChatClientException as err:
                if err.errcode not in TOKEN_ERRCODES or retry:
                    raise
                self.session.delete(self.access_token_key)
        return None

    def close(self) -> None:
        self._http.close()


# -- the customer-service window -------------------------------------------------------------
def follower_wrote(services: Services, openid: str) -> int:
    """A follower's message opens the window: record it, and move their kept news into the
    outbox so it is sent now. Returns how many kept messages were moved."""
    key = sender_hash(services.seal_key, CHANNEL, openid)
    now = services.clock()
    with services.sessions() as session, session.begin():
        follower = session.get(Follower, key)
        if follower is None:
            session.add(Follower(sender_hash=key, last_message_at=now, sent_since=0))
        else:
            follower.last_message_at, follower.sent_since = now, 0
        kept = session.scalars(
            select(KeptNews).where(KeptNews.sender_hash == key).order_by(KeptNews.id)
        ).all()
        ctx = services.context(session)
        for news in kept:
            text = unseal(services.seal_key, news.sealed_text)
            ctx.push_to(CHANNEL, openid, {"text": text}, sealed=True)
        if kept:
            session.execute(delete(KeptNews).where(KeptNews.id.in_([n.id for n in kept])))
    return len(kept)


class WeChatMPSender:
    """Sends `wechat_mp` outbox rows while the follower's window is open; keeps them otherwise."""

    channel = CHANNEL
    per_minute = 5

    def __init__(self, services: Services, client: MPClient | None = None) -> None:
        if services.settings.wechat is None:
            raise ValueError("WeChatMPSender needs WECHAT_* settings")
        self.services = services
        self.client = client or MPClient(services.settings.wechat, services)

    @property
    def secrets(self) -> tuple[str, ...]:
        return (self.services.settings.wechat.app_secret,)

    def send(self, row: OutboxMessage, document: Document | None) -> None:
        if row.kind != "text":
            raise PermanentSendError(f"公众号只发送文字（{row.kind}）")
        text = str(row.payload.get("text", ""))
        parts = split_text(text, TEXT_LIMIT)
        key = sender_hash(self.services.seal_key, CHANNEL, row.address)
        if not self._window_open(key, len(parts)):
            self._keep(key, text)
            return
        for part in parts:
            try:
                self.client.send_text(row.address, part)
            except WeChatClientException as err:
                message = f"errcode {err.errcode}: {redact(err.errmsg, *self.secrets)}"
                if err.errcode == 45015:  # the window closed after all: keep it for later
                    self._keep(key, text)
                    return
                if err.errcode in PERMANENT_ERRCODES:
                    raise PermanentSendError(message) from None
                raise TransientSendError(message) from None
        with self.services.sessions() as session, session.begin():
            follower = session.get(Follower, key)
            follower.sent_since += len(parts)

    def _window_open(self, key: str, parts: int) -> bool:
        with self.services.sessions() as session:
            follower = session.get(Follower, key)
            if follower is None:
                return False
            recent = follower.last_message_at > self.services.clock() - WINDOW
            return recent and follower.sent_since + parts <= WINDOW_MESSAGES

    def _keep(self, key: str, text: str) -> None:
        with self.services.sessions() as session, session.begin():
            sealed = seal(self.services.seal_key, text)
            session.add(
                KeptNews(sender_hash=key, sealed_text=sealed, kept_at=self.services.clock())
            )
        log.info("公众号客服消息窗口已关闭，消息已保留，待对方下次发消息时送达")

    def close(self) -> None:
        self.client.close()
