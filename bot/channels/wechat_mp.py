"""The WeChat Official Account (公众号) server callback at `/wechat/callback`, for the public
(developers.weixin.qq.com/doc/subscription/guide/dev/push/encryption.md; protocols.md §5).

It only translates: a follower's message becomes a `handlers.core.Incoming` and the Reply a
passive XML answer. All three modes are served: plaintext (signed by `signature` over token,
timestamp and nonce), compatible and safe (`encrypt_type=aes`: the `Encrypt` element is verified
with `msg_signature` and decrypted, and the answer encrypted). A bad signature, a stale timestamp,
a DOCTYPE, a body that does not decrypt or parse is refused with a 4xx before the database is
touched. A verified message is committed to the inbox (503 if it cannot be), deduplicated on
`MsgId` (events: FromUserName + CreateTime), and answered within the budget (WeChat gives up after
5 s); a late answer is an empty `success` and the handling sends the answer through the
customer-service API (bot/wechat_mp_client.py). A follow is answered with the introduction.

Followers are not on the roster, so they are 公众: 举报, 查询, 帮助 and the introduction are open to
them, and every roster command answers as it does for anyone from the public.
"""

from __future__ import annotations

import binascii
import logging
import secrets
import struct
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import datetime
from xml.parsers.expat import ExpatError

from flask import Blueprint, Response, request
from wechatpy import parse_message
from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidAppIdException, InvalidSignatureException
from wechatpy.replies import create_reply
from wechatpy.utils import check_signature

from bot import dispatch
from bot.channels.common import Handling, budget_left, observed, platform_order
from bot.channels.wecom import cdata_safe, has_markup_declaration
from bot.dispatch import Services
from bot.replies import TEXT_LIMIT
from bot.wechat_mp_client import CHANNEL, WeChatMPSender, follower_wrote
from handlers.core import Incoming, Reply

__all__ = ["blueprint", "to_incoming"]

log = logging.getLogger(__name__)
BUDGET_OPTION = "LIAISON_WECHAT_REPLY_BUDGET"
MAX_SKEW = 300
SUCCESS = "success"  # "I will answer later" (an empty body would do too)
_UNDECRYPTABLE = (ValueError, struct.error, binascii.Error, IndexError, TypeError, KeyError)
_UNPARSABLE = (ExpatError, ET.ParseError, KeyError, TypeError, AttributeError, ValueError)


class Refused(Exception):
    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status

    def response(self) -> Response:
        log.warning("wechat callback refused (%s): %s", self.status, self)
        return Response("", status=self.status)


def to_incoming(msg, received_at: datetime | None = None) -> Incoming:
    data = msg._data
    source = str(data.get("FromUserName") or "")
    if not source:
        raise ValueError("FromUserName missing")
    kind = str(data.get("MsgType", "")).lower()
    base = Incoming(channel=CHANNEL, user_id=source, received_at=received_at)
    if kind == "event":
        event = str(data.get("Event", "")).lower()
        dedupe = f"evt:{source}:{data.get('CreateTime')}:{event}"
        if event == "subscribe":  # a new follower gets the introduction, as on entering an app
            event = "enter_agent"
        key = str(data.get("EventKey") or "")
        return replace(base, kind="event", event=event, event_key=key, dedupe_key=dedupe)
    msg_id = str(data.get("MsgId") or "")
    dedupe = f"msg:{msg_id}" if msg_id else f"msg:{source}:{data.get('CreateTime')}:{kind}"
    if kind == "text":
        return replace(base, text=str(data.get("Content") or ""), dedupe_key=dedupe)
    return replace(base, kind=kind, dedupe_key=dedupe)  # image, voice, location…: a hint


class WeChatCallback:
    def __init__(self, services: Services) -> None:
        cfg = services.settings.wechat
        self.services = services
        self.token = cfg.token
        self.crypto = WeChatCrypto(cfg.token, cfg.aes_key, cfg.app_id) if cfg.aes_key else None
        self.handling = Handling(services, CHANNEL)
        self.sender = WeChatMPSender(services)
        self.handling.senders = lambda: {CHANNEL: self.sender}
        self.budget = float(services.settings.extra.get(BUDGET_OPTION) or 3.0)

    def verify_url(self) -> Response:
        try:
            self._check_signature()
        except Refused as err:
            return err.response()
        return Response(request.args.get("echostr", ""), mimetype="text/plain")

    def receive(self) -> Response:
        return observed(CHANNEL, self._receive)

    def _receive(self, started: float, request_id: str) -> tuple[str, Response]:
        try:
            timestamp, nonce = self._check_signature()
            encrypted = request.args.get("encrypt_type", "raw").lower() == "aes"
            xml = self._open(request.get_data(cache=False), encrypted, timestamp, nonce)
            msg = parse_message(xml)
            incoming = to_incoming(msg, self.services.clock())
        except Refused as err:
            return "refused", err.response()
        except _UNPARSABLE as err:
            return "refused", Refused(400, f"malformed message: {type(err).__name__}").response()
        try:
            accepted = self.handling.accept(incoming, **platform_order(msg))
        except dispatch.Unavailable as err:
            log.warning("wechat callback not accepted, database unavailable: %s", err)
            return "unavailable", Response("", status=503)
        if accepted.duplicate is not None:
            return "duplicate", self._answer(msg, accepted.duplicate.reply or Reply(), encrypted)
        try:
            follower_wrote(self.services, incoming.user_id)
        except Exception as err:  # the window is a courtesy; the message is stored already
            log.warning("follower window not recorded: %s", type(err).__name__)
        reply = self.handling.within_budget(accepted, budget_left(started, self.budget), request_id)
        if reply is None:
            return "late", Response(SUCCESS, mimetype="text/plain")
        return "passive", self._answer(msg, reply, encrypted)

    # -- checks ----------------------------------------------------------------------------------
    def _check_signature(self) -> tuple[str, str]:
        args = request.args
        signature, timestamp, nonce = (args.get(k, "") for k in ("signature", "timestamp", "nonce"))
        if not signature:
            raise Refused(403, "signature missing")
        if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 12) or not nonce:
            raise Refused(400, "timestamp or nonce missing or malformed")
        skew = abs(self.services.clock().timestamp() - int(timestamp))
        if skew > MAX_SKEW:
            raise Refused(403, f"timestamp {skew:.0f} s away from now")
        try:
            check_signature(self.token, signature, timestamp, nonce)
        except InvalidSignatureException:
            raise Refused(403, "bad signature") from None
        return timestamp, nonce

    def _open(self, body: bytes, encrypted: bool, timestamp: str, nonce: str) -> str:
        if has_markup_declaration(body):
            raise Refused(400, "markup declaration in body")
        if not encrypted:
            try:
                return body.decode()
            except UnicodeDecodeError:
                raise Refused(400, "body is not UTF-8") from None
        if self.crypto is None:
            raise Refused(400, "encrypted message but WECHAT_AES_KEY is not set")
        try:
            encrypt = ET.fromstring(body).findtext("Encrypt")
        except ET.ParseError:
            raise Refused(400, "body is not XML") from None
        if not encrypt:
            raise Refused(400, "Encrypt missing")
        signature = request.args.get("msg_signature", "")
        try:
            inner = self.crypto.decrypt_message({"Encrypt": encrypt}, signature, timestamp, nonce)
        except (InvalidSignatureException, InvalidAppIdException) as err:
            raise Refused(403, type(err).__name__) from None
        except _UNDECRYPTABLE as err:
            raise Refused(400, f"undecryptable: {type(err).__name__}") from None
        if has_markup_declaration(inner.encode()):
            raise Refused(400, "markup declaration in decrypted message")
        return inner

    # -- answers ---------------------------------------------------------------------------------
    def _answer(self, msg, reply: Reply, encrypted: bool) -> Response:
        if not reply.text or len(reply.text.encode()) > TEXT_LIMIT:
            return Response(SUCCESS, mimetype="text/plain")
        xml = create_reply(cdata_safe(reply.text), msg).render()
        if encrypted:
            timestamp = str(int(self.services.clock().timestamp()))
            xml = self.crypto.encrypt_message(xml, str(secrets.randbelow(10**9)), timestamp)
        return Response(xml, mimetype="application/xml")


def blueprint(services: Services) -> Blueprint:
    """The `/wechat/callback` routes; registered by `bot.app.create_app` when WECHAT_* is set."""
    callback = WeChatCallback(services)
    bp = Blueprint("wechat_mp", __name__)
    bp.add_url_rule("/wechat/callback", "verify", callback.verify_url, methods=["GET"])
    bp.add_url_rule("/wechat/callback", "receive", callback.receive, methods=["POST"])
    bp.callback = callback
    return bp
