"""The DingTalk robot in HTTP mode at `/dingtalk/callback`
(open.dingtalk.com/document/orgapp/receive-message; protocols.md §4a).

It only translates: a signed JSON POST becomes a `handlers.core.Incoming`. The `timestamp` (ms)
and `sign` headers are checked first — `sign = Base64(HmacSHA256(appSecret, timestamp + "\\n" +
appSecret))`, a timestamp more than an hour off or a bad sign is refused with 403 — and a body
that does not parse, names another robot or has no sender is refused with 400, all before the
database is touched. A verified message is committed to the inbox (503 if the database cannot
take it), deduplicated on `msgId`, and answered 200 at once: DingTalk's HTTP mode has no documented
passive reply, so the answer is handled by a worker and leaves through the outbox, drained at once,
back into the chat through its `sessionWebhook` while that is valid (bot/dingtalk_client.py).

`DingTalkInbound` is shared with Stream mode (bot/channels/dingtalk_stream.py): the same
translation, the same inbox, the same handlers.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
from dataclasses import replace
from datetime import UTC, datetime

from flask import Blueprint, Response, request

from bot import dispatch
from bot.channels.common import Accepted, Handling, observed
from bot.dingtalk_client import DingTalkSender, remember_session
from bot.dispatch import Services
from handlers.core import Incoming

__all__ = ["DingTalkInbound", "blueprint", "robot_sign", "to_incoming"]

log = logging.getLogger(__name__)
CHANNEL = "dingtalk"
MAX_SKEW_MS = 3600 * 1000  # DingTalk: refuse a timestamp more than one hour off


class Refused(Exception):
    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status


def robot_sign(timestamp: str, secret: str) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def to_incoming(data: dict, received_at: datetime | None = None) -> Incoming:
    """The Incoming for a robot message (a dict as DingTalk posts it)."""
    user = str(data.get("senderStaffId") or "")
    msg_id = str(data.get("msgId") or "")
    if not user or not msg_id:
        raise ValueError("senderStaffId or msgId missing")
    kind = str(data.get("msgtype") or "text")
    base = Incoming(
        channel=CHANNEL, user_id=user, dedupe_key=f"msg:{msg_id}", received_at=received_at
    )
    if kind == "text":
        content = (data.get("text") or {}).get("content") or ""
        return replace(base, text=str(content).strip())  # group messages start with a space
    return replace(base, kind=kind)  # picture, richText, file…: the router hints


def platform_time(data: dict) -> datetime | None:
    try:
        created = datetime.fromtimestamp(int(data.get("createAt") or 0) / 1000, UTC)
    except (ValueError, OverflowError, OSError):
        return None
    return created if created.year > 2000 else None


class DingTalkInbound:
    """Translate, store and hand over a robot message (HTTP and Stream alike)."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.settings = services.settings.dingtalk
        self.handling = Handling(services, CHANNEL)
        self.sender = DingTalkSender(services)
        self.handling.senders = lambda: {CHANNEL: self.sender}

    def check_robot(self, data: dict) -> None:
        robot = data.get("robotCode")
        if robot and robot != self.settings.robot_code:
            raise Refused(403, "another robot's message")

    def take(self, data: dict, request_id: str) -> str:
        """Store the message and start handling it; the result for the log. Raises Refused,
        or dispatch.Unavailable when it is not stored."""
        self.check_robot(data)
        try:
            incoming = to_incoming(data, self.services.clock())
        except (ValueError, TypeError, AttributeError) as err:
            raise Refused(400, f"malformed message: {err}") from None
        accepted: Accepted = self.handling.accept(incoming, platform_time=platform_time(data))
        if accepted.duplicate is not None:
            return "duplicate"
        if str(data.get("conversationType")) == "1":  # a group's webhook would answer the group
            expires = int(data.get("sessionWebhookExpiredTime") or 0)
            try:
                remember_session(
                    self.services, incoming.user_id, str(data.get("sessionWebhook") or ""), expires
                )
            except Exception as err:  # the answer then goes through the robot OpenAPI
                log.warning("session webhook not kept: %s", type(err).__name__)
        self.handling.in_background(accepted, request_id)
        return "accepted"

    def close(self) -> None:
        self.handling.close()
        self.sender.close()


class DingTalkCallback:
    def __init__(self, services: Services) -> None:
        self.services = services
        self.secret = services.settings.dingtalk.app_secret
        self.inbound = DingTalkInbound(services)

    def receive(self) -> Response:
        return observed(CHANNEL, lambda _started, request_id: self._receive(request_id))

    def _receive(self, request_id: str) -> tuple[str, Response]:
        try:
            self._verify(request.headers.get("timestamp", ""), request.headers.get("sign", ""))
            try:
                data = json.loads(request.get_data(cache=False))
            except (ValueError, UnicodeDecodeError):
                raise Refused(400, "body is not JSON") from None
            if not isinstance(data, dict):
                raise Refused(400, "body is not a JSON object")
            result = self.inbound.take(data, request_id)
        except Refused as err:
            log.warning("dingtalk callback refused (%s): %s", err.status, err)
            return "refused", Response("", status=err.status)
        except dispatch.Unavailable as err:
            log.warning("dingtalk callback not accepted, database unavailable: %s", err)
            return "unavailable", Response("", status=503)
        return result, Response("{}", mimetype="application/json")

    def _verify(self, timestamp: str, sign: str) -> None:
        if not sign:
            raise Refused(403, "sign missing")
        if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 15):
            raise Refused(400, "timestamp missing or malformed")
        skew = abs(self.services.clock().timestamp() * 1000 - int(timestamp))
        if skew > MAX_SKEW_MS:
            raise Refused(403, f"timestamp {skew / 1000:.0f} s away from now")
        if not hmac.compare_digest(sign.encode(), robot_sign(timestamp, self.secret).encode()):
            raise Refused(403, "bad sign")


def blueprint(services: Services) -> Blueprint:
    """The `/dingtalk/callback` route; registered by `bot.app.create_app` when DINGTALK_* is set."""
    callback = DingTalkCallback(services)
    bp = Blueprint("dingtalk", __name__)
    bp.add_url_rule("/dingtalk/callback", "receive", callback.receive, methods=["POST"])
    bp.callback = callback
    return bp
