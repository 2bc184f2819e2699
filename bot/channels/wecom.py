"""The WeCom self-built app callback at `/wecom/callback` (WW-90238, WW-90239, WW-90240, WW-90241).

It only translates: a signed, encrypted POST becomes a `handlers.core.Incoming`, and the `Reply`
becomes an encrypted passive answer. Anything that does not verify (signature, corp id, a stale
timestamp, a DOCTYPE, a body that does not decrypt or parse) is refused with a 4xx before the
database is touched. A verified message is committed to the inbox before anything is answered
(a database that cannot take it gets a 503, so WeCom delivers it again). It is then handled in a
thread against a budget (~3 s, WeCom gives up after 5 s): in time, the answer is passive; late,
the request answers an empty 200 and the handling commits its answer to the outbox. Replies over
2048 bytes always go through the outbox, in parts.
"""

from __future__ import annotations

import binascii
import logging
import re
import secrets
import struct
import xml.etree.ElementTree as ET
from dataclasses import replace
from xml.parsers.expat import ExpatError

from flask import Blueprint, Response, request
from wechatpy.enterprise import create_reply, parse_message
from wechatpy.enterprise.crypto import WeChatCrypto
from wechatpy.enterprise.exceptions import InvalidCorpIdException
from wechatpy.exceptions import InvalidSignatureException

from bot import dispatch
from bot.channels.common import Handling, budget_left, observed, platform_order
from bot.dispatch import Services
from bot.wecom_client import TEXT_LIMIT, DbTokenStorage, WeComClient, WeComSender
from handlers.core import Incoming, Reply

__all__ = ["WeComSender", "blueprint", "to_incoming"]

log = logging.getLogger(__name__)
CHANNEL = "wecom"
BUDGET_OPTION = "LIAISON_WECOM_REPLY_BUDGET"  # seconds to wait for a passive reply
MAX_SKEW = 300  # seconds a callback's timestamp may differ from our clock
_CDATA = re.compile(rb"<!\[CDATA\[.*?\]\]>", re.S)
_UNDECRYPTABLE = (ValueError, struct.error, binascii.Error, IndexError, TypeError)
_UNPARSABLE = (ExpatError, ET.ParseError, KeyError, TypeError, AttributeError, ValueError)


class Rejected(Exception):
    """A callback we refuse; `status` is the HTTP answer (never 5xx: WeCom would retry)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status

    def response(self) -> Response:
        log.warning("wecom callback refused (%s): %s", self.status, self)
        return Response("", status=self.status)


def has_markup_declaration(xml: bytes) -> bool:
    """True for XML with a DOCTYPE, ENTITY or comment outside CDATA (XXE, billion laughs)."""
    return b"<!" in _CDATA.sub(b"", xml)


def cdata_safe(text: str) -> str:
    return text.replace("]]>", "]]]]><![CDATA[>")


def to_incoming(msg, received_at=None) -> tuple[Incoming, str]:
    """The Incoming for a parsed message, and the MediaId of a file to download ("" if none)."""
    data = msg._data
    kind = str(data.get("MsgType", "")).lower()
    if not msg.source:
        raise ValueError("FromUserName missing")  # nobody to answer, and no one to be
    base = Incoming(channel=CHANNEL, user_id=msg.source, received_at=received_at)
    if kind == "event":
        event = str(data.get("Event", "")).lower()
        key, task = str(data.get("EventKey") or ""), str(data.get("TaskId") or "")
        # events have no MsgId; a person may click two cards within one second
        dedupe = f"evt:{msg.source}:{data.get('CreateTime')}:{event}:{key}:{task}"
        return replace(
            base,
            kind="event",
            event=event,
            event_key=key,
            task_id=task,
            response_code=str(data.get("ResponseCode") or ""),
            dedupe_key=dedupe,
        ), ""
    msg_id = str(data.get("MsgId") or "")
    dedupe = f"msg:{msg_id}" if msg_id else f"msg:{msg.source}:{data.get('CreateTime')}:{kind}"
    if kind == "text":
        return replace(base, text=str(data.get("Content") or ""), dedupe_key=dedupe), ""
    if kind == "file":
        name = str(data.get("FileName") or "")
        return replace(base, kind="file", file_name=name, dedupe_key=dedupe), data["MediaId"]
    return replace(base, kind=kind, dedupe_key=dedupe), ""  # image, voice…: the router hints


class WeComCallback:
    def __init__(self, services: Services) -> None:
        cfg = services.settings.wecom
        self.services = services
        self.corp_id = cfg.corp_id
        self.crypto = WeChatCrypto(cfg.token, cfg.aes_key, cfg.corp_id)
        self.client = WeComClient(cfg, DbTokenStorage(services))
        services.media.setdefault(CHANNEL, self.client.download_media)
        self.handling = Handling(services, CHANNEL, button_only=True)  # update_button: label only
        self.budget = float(services.settings.extra.get(BUDGET_OPTION) or 3.0)

    # -- HTTP ------------------------------------------------------------------------------------
    def verify_url(self) -> Response:
        """GET: answer the decrypted echostr, proving we hold the token and key."""
        try:
            signature, timestamp, nonce = self._signed_params()
            echostr = request.args.get("echostr", "")
            if not echostr:
                raise Rejected(400, "echostr missing")
            echo = self._guard(self.crypto.check_signature, signature, timestamp, nonce, echostr)
        except Rejected as err:
            return err.response()
        return Response(echo, mimetype="text/plain")

    def receive(self) -> Response:
        """POST: verify, decrypt, parse, commit to the inbox, then answer within the budget."""
        return observed(CHANNEL, self._receive)

    def _receive(self, started: float, request_id: str) -> tuple[str, Response]:
        try:
            signature, timestamp, nonce = self._signed_params()
            inner = self._open(request.get_data(cache=False), signature, timestamp, nonce)
            msg = parse_message(inner)
            incoming, media_id = to_incoming(msg, self.services.clock())
        except Rejected as err:
            return "refused", err.response()
        except _UNPARSABLE as err:
            return "refused", Rejected(400, f"malformed message: {type(err).__name__}").response()
        budget = budget_left(started, self.budget)
        order = platform_order(msg)
        try:
            outcome = self.handling.answer(incoming, budget, request_id, media_id=media_id, **order)
        except dispatch.Unavailable as err:  # not stored: WeCom must deliver it again
            log.warning("wecom callback not accepted, database unavailable: %s", err)
            return "unavailable", Response("", status=503)
        if outcome.duplicate:
            return "duplicate", self._answer(msg, incoming, outcome.reply or Reply())
        if outcome.reply is None:
            return "late", Response("", status=200)
        return "passive", self._answer(msg, incoming, outcome.reply)

    # -- checks ----------------------------------------------------------------------------------
    def _signed_params(self) -> tuple[str, str, str]:
        args = request.args
        signature, timestamp, nonce = (
            args.get(k, "") for k in ("msg_signature", "timestamp", "nonce")
        )
        if not signature:
            raise Rejected(403, "msg_signature missing")
        if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 12) or not nonce:
            raise Rejected(400, "timestamp or nonce missing or malformed")
        skew = abs(self.services.clock().timestamp() - int(timestamp))
        if skew > MAX_SKEW:
            raise Rejected(403, f"timestamp {skew:.0f} s away from now")
        return signature, timestamp, nonce

    def _guard(self, func, *args) -> str:
        try:
            return func(*args)
        except (InvalidSignatureException, InvalidCorpIdException) as err:
            raise Rejected(403, type(err).__name__) from None
        except _UNDECRYPTABLE as err:
            raise Rejected(400, f"undecryptable: {type(err).__name__}") from None

    def _open(self, body: bytes, signature: str, timestamp: str, nonce: str) -> str:
        if has_markup_declaration(body):
            raise Rejected(400, "markup declaration in body")
        try:
            encrypt = ET.fromstring(body).findtext("Encrypt")
        except ET.ParseError:
            raise Rejected(400, "body is not XML") from None
        if not encrypt:
            raise Rejected(400, "Encrypt missing")
        inner = self._guard(
            self.crypto.decrypt_message, {"Encrypt": encrypt}, signature, timestamp, nonce
        )
        if has_markup_declaration(inner.encode()):
            raise Rejected(400, "markup declaration in decrypted message")
        return inner

    # -- handling, within the budget -------------------------------------------------------------
    # -- answers -------------------------------------------------------------------------------
    def _answer(self, msg, incoming: Incoming, reply: Reply) -> Response:
        if incoming.event == "template_card_event" and reply.button_label:
            return self._encrypted(self._update_button_xml(incoming, reply.button_label))
        if not reply.text or len(reply.text.encode()) > TEXT_LIMIT:
            return Response("", status=200)
        return self._encrypted(create_reply(cdata_safe(reply.text), msg).render())

    def _update_button_xml(self, incoming: Incoming, label: str) -> str:
        return (
            f"<xml><ToUserName><![CDATA[{cdata_safe(incoming.user_id)}]]></ToUserName>"
            f"<FromUserName><![CDATA[{self.corp_id}]]></FromUserName>"
            f"<CreateTime>{int(self.services.clock().timestamp())}</CreateTime>"
            "<MsgType><![CDATA[update_button]]></MsgType>"
            f"<Button><ReplaceName><![CDATA[{cdata_safe(label)}]]></ReplaceName></Button></xml>"
        )

    def _encrypted(self, xml: str) -> Response:
        timestamp = str(int(self.services.clock().timestamp()))
        body = self.crypto.encrypt_message(xml, str(secrets.randbelow(10**9)), timestamp)
        return Response(body, mimetype="application/xml")


def blueprint(services: Services) -> Blueprint:
    """The `/wecom/callback` routes; registered by `bot.app.create_app` when WECOM_* is set."""
    callback = WeComCallback(services)
    bp = Blueprint("wecom", __name__)
    bp.add_url_rule("/wecom/callback", "verify", callback.verify_url, methods=["GET"])
    bp.add_url_rule("/wecom/callback", "receive", callback.receive, methods=["POST"])
    bp.callback = callback  # tests and the app reach the pool and client through it
    return bp
