"""Outbound DingTalk: the app's access token in the database, and the outbox sender.

Three ways out (protocols.md §4a, §4d):
- an answer to someone chatting with the robot goes back through the chat's `sessionWebhook`
  while it is valid (kept sealed in `chat_session`), otherwise through the robot OpenAPI
  (`/v1.0/robot/oToMessages/batchSend`, a 1:1 message from the robot);
- a push to a person on the roster (reminders, referrals, meeting invitations, bulletin files) is
  a work notification (`topapi/message/corpconversation/asyncsend_v2`).

DingTalk's limits are kept here because over-limit calls answer success and are silently dropped:
at most 500 work notifications per person per app per day, the same content to the same person
once a day (a second, different message with the same words gets a short suffix so it is not
swallowed; a retry of the same row is sent unchanged, so DingTalk drops it if the first arrived),
and the robot at most 20 messages a minute. Every error is redacted (no token, no secret).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import requests
from sqlalchemy import delete, func, select

from bot.config import DingTalkSettings
from bot.dispatch import Services
from bot.outbox import PermanentSendError, TransientSendError
from bot.redact import install_log_redaction, redact
from bot.replies import split_text
from bot.wecom_client import DbTokenStorage
from storage.channels import ChatSession, SendLog
from storage.documents import Document
from storage.inbound import sender_hash
from storage.outbox import OutboxMessage
from storage.sealing import SealError, seal, unseal

log = logging.getLogger(__name__)
CHANNEL = "dingtalk"
TIMEOUT = 10.0
TIMEOUT_OPTION = "LIAISON_DINGTALK_TIMEOUT"
TEXT_LIMIT = 4000  # bytes per text message; DingTalk's own limit is larger (5000 characters)
REFRESH_EARLY = 300
WORK_PER_DAY = 500  # work notifications per person per app per day
ROBOT_PER_MINUTE = 20
SESSION_MARGIN = timedelta(minutes=1)  # a webhook this close to expiry is not used
MEDIA_REUSE = timedelta(days=2)
TOKEN_ERRCODES = {40001, 40014, 42001, 88}
PERMANENT_ERRCODES = {33012, 40035, 60011, 60121, 43003}  # bad user id, bad parameters


class DingTalkError(Exception):
    """DingTalk answered with an error; `code` is its errcode (or the HTTP status)."""

    def __init__(self, code: object, message: str) -> None:
        super().__init__(f"errcode {code}: {message}")
        self.code = code


class DingTalkClient:
    """HTTP calls to DingTalk with a shared token, timeouts and redacted errors."""

    def __init__(self, settings: DingTalkSettings, services: Services, timeout: float = TIMEOUT):
        self.settings = settings
        self.timeout = timeout
        self.tokens = DbTokenStorage(services)
        self.http = requests.Session()
        install_log_redaction(settings.app_secret)

    @property
    def token_key(self) -> str:
        return f"dingtalk:{self.settings.app_key}:access_token"

    def redact(self, text: object) -> str:
        return redact(text, self.settings.app_secret)

    def access_token(self, refresh: bool = False) -> str:
        token = None if refresh else self.tokens.get(self.token_key)
        if token:
            return token
        answer = self._get(
            self.settings.oapi_base + "gettoken",
            {"appkey": self.settings.app_key, "appsecret": self.settings.app_secret},
        )
        ttl = max(int(answer.get("expires_in", 7200)) - REFRESH_EARLY, 60)
        self.tokens.set(self.token_key, answer["access_token"], ttl)
        return answer["access_token"]

    def _get(self, url: str, params: dict) -> dict:
        try:
            res = self.http.get(url, params=params, timeout=self.timeout)
        except requests.RequestException as err:
            raise TransientSendError(f"gettoken: {type(err).__name__}") from None
        return self._result(res, "gettoken")

    def _result(self, res: requests.Response, what: str) -> dict:
        try:
            answer = res.json()
        except ValueError:
            raise DingTalkError(res.status_code, f"{what}: HTTP {res.status_code}") from None
        if res.status_code >= 400:
            code = answer.get("code") or res.status_code
            raise DingTalkError(code, f"{what}: {self.redact(answer.get('message', ''))}")
        if answer.get("errcode", 0) != 0:
            message = self.redact(answer.get("errmsg", ""))
            raise DingTalkError(answer["errcode"], f"{what}: {message}")
        return answer

    def oapi(
        self, path: str, body: dict | None = None, files: dict | None = None, **params
    ) -> dict:
        """An oapi.dingtalk.com call with the token in the query; a rejected token is
        refetched once."""
        for refresh in (False, True):
            query = {**params, "access_token": self.access_token(refresh)}
            try:
                res = self.http.post(
                    self.settings.oapi_base + path,
                    params=query,
                    json=body if files is None else None,
                    files=files,
                    timeout=self.timeout,
                )
            except requests.RequestException as err:
                raise TransientSendError(f"{path}: {type(err).__name__}") from None
            try:
                return self._result(res, path)
            except DingTalkError as err:
                if err.code not in TOKEN_ERRCODES or refresh:
                    raise
        raise AssertionError("unreachable")

    def openapi(self, path: str, body: dict) -> dict:
        """An api.dingtalk.com call with the token in `x-acs-dingtalk-access-token`."""
        for refresh in (False, True):
            headers = {"x-acs-dingtalk-access-token": self.access_token(refresh)}
            try:
                res = self.http.post(
                    self.settings.openapi_base + path,
                    json=body,
                    headers=headers,
                    timeout=self.timeout,
                )
            except requests.RequestException as err:
                raise TransientSendError(f"{path}: {type(err).__name__}") from None
            try:
                return self._result(res, path)
            except DingTalkError:
                if res.status_code != 401 or refresh:
                    raise
        raise AssertionError("unreachable")

    def session_post(self, webhook: str, body: dict) -> dict:
        """POST to a chat's sessionWebhook (no token: the URL itself is the credential)."""
        try:
            res = self.http.post(webhook, json=body, timeout=self.timeout)
        except requests.RequestException as err:
            raise TransientSendError(f"sessionWebhook: {type(err).__name__}") from None
        return self._result(res, "sessionWebhook")

    def close(self) -> None:
        self.http.close()


# -- chat sessions ----------------------------------------------------------------------------
def remember_session(services: Services, user_id: str, webhook: str, expires_ms: int) -> None:
    """Keep a single chat's sessionWebhook (sealed) so answers go back into the chat."""
    if not webhook or not expires_ms:
        return
    expires = datetime.fromtimestamp(expires_ms / 1000, services.clock().tzinfo)
    key = sender_hash(services.seal_key, CHANNEL, user_id)
    with services.sessions() as session, session.begin():
        row = session.get(ChatSession, key)
        if row is None:
            session.add(ChatSession(sender_hash=key, sealed_webhook="", expires_at=expires))
            row = session.get(ChatSession, key)
        row.sealed_webhook = seal(services.seal_key, webhook)
        row.expires_at = expires


def valid_session(services: Services, user_id: str) -> str | None:
    key = sender_hash(services.seal_key, CHANNEL, user_id)
    with services.sessions() as session:
        row = session.get(ChatSession, key)
        if row is None or row.expires_at <= services.clock() + SESSION_MARGIN:
            return None
        try:
            return unseal(services.seal_key, row.sealed_webhook)
        except SealError:
            return None


# -- the outbox sender --------------------------------------------------------------------------
def invitation_card(payload: dict, text: str) -> tuple[str, list[dict]]:
    """A meeting card's buttons as DingTalk links that send the answer as text into the robot's
    chat (`dtmd://dingtalkclient/sendMessage`); the text itself always says how to answer."""
    buttons = []
    for button in payload.get("button_list") or []:
        number = str(button.get("key", "")).split(":")[1:2] or [""]
        words = f"{button.get('text', '')} {number[0]}"
        url = "dtmd://dingtalkclient/sendMessage?content=" + quote(words)
        buttons.append({"title": str(button.get("text", "")), "action_url": url})
    return text, buttons


class DingTalkSender:
    """Sends outbox rows of the `dingtalk` channel; a failure raises for the drainer to retry."""

    channel = CHANNEL
    per_minute = 20

    def __init__(self, services: Services, client: DingTalkClient | None = None) -> None:
        if services.settings.dingtalk is None:
            raise ValueError("DingTalkSender needs DINGTALK_* settings")
        self.services = services
        self.settings = services.settings.dingtalk
        timeout = float(services.settings.extra.get(TIMEOUT_OPTION) or TIMEOUT)
        self.client = client or DingTalkClient(self.settings, services, timeout)

    @property
    def secrets(self) -> tuple[str, ...]:
        return (self.settings.app_secret,)

    def send(self, row: OutboxMessage, document: Document | None) -> None:
        try:
            if row.kind == "text":
                self._text(row)
            elif row.kind == "file":
                self._file(row, document)
            elif row.kind == "template_card":
                self._card(row)
            elif row.kind == "card_update":
                return  # DingTalk cards here are links that answer by text: nothing to update
            else:
                raise PermanentSendError(f"unknown outbox kind {row.kind}")
        except DingTalkError as err:
            text = self.client.redact(err)
            if err.code in PERMANENT_ERRCODES:
                raise PermanentSendError(text) from None
            raise TransientSendError(text) from None

    # -- routes ---------------------------------------------------------------------------------
    def _text(self, row: OutboxMessage) -> None:
        parts = split_text(str(row.payload.get("text", "")), TEXT_LIMIT)
        is_answer = row.person_id is None  # an answer or a reporter's case news, not a push
        for part in parts:
            if is_answer:
                self._answer(row, {"msgtype": "text", "text": {"content": part}}, part)
            else:
                self._work(row, {"msgtype": "text", "text": {"content": part}}, part)

    def _answer(self, row: OutboxMessage, body: dict, content: str) -> None:
        webhook = valid_session(self.services, row.address)
        if webhook:
            with self._logged(row, "session", content):
                self.client.session_post(webhook, body)
            return
        self._robot_quota()
        with self._logged(row, "robot", content):
            self.client.openapi(
                "v1.0/robot/oToMessages/batchSend",
                {
                    "robotCode": self.settings.robot_code,
                    "userIds": [row.address],
                    "msgKey": "sampleText",
                    "msgParam": _json({"content": content}),
                },
            )

    def _work(self, row: OutboxMessage, msg: dict, content: str) -> None:
        """asyncsend_v2 within the per-person limits; the same words twice a day get a suffix."""
        msg = self._distinct(row, msg, content)
        with self._logged(row, "work", content):
            self.client.oapi(
                "topapi/message/corpconversation/asyncsend_v2",
                {"agent_id": self.settings.agent_id, "userid_list": row.address, "msg": msg},
            )

    def _file(self, row: OutboxMessage, document: Document | None) -> None:
        if document is None:
            raise PermanentSendError(f"document {row.payload.get('document_id')} not found")
        media_id = self._media_id(row, document)
        self._work(row, {"msgtype": "file", "file": {"media_id": media_id}}, f"file:{media_id}")

    def _media_id(self, row: OutboxMessage, document: Document) -> str:
        now = self.services.clock()
        resume = row.payload.get("resume") or {}
        if (
            resume.get("uploaded_at")
            and now - datetime.fromisoformat(resume["uploaded_at"]) < MEDIA_REUSE
        ):
            return str(resume["media_id"])
        path = Path(self.services.settings.files_path) / document.path
        if not path.is_file():
            raise PermanentSendError(f"document file missing: {document.path}")
        answer = self.client.oapi(
            "media/upload", files={"media": (document.filename, path.read_bytes())}, type="file"
        )
        media_id = str(answer["media_id"])
        row.payload = {
            **row.payload,
            "resume": {"media_id": media_id, "uploaded_at": now.isoformat()},
        }
        return media_id

    def _card(self, row: OutboxMessage) -> None:
        text = str(row.payload.get("fallback_text") or row.payload.get("text") or "")
        title = str((row.payload.get("main_title") or {}).get("title") or "会议通知")
        markdown, buttons = invitation_card(row.payload, text)
        msg = {
            "msgtype": "action_card",
            "action_card": {
                "title": title,
                "markdown": markdown.replace("\n", "  \n"),
                "btn_orientation": "1",
                "btn_json_list": buttons,
            },
        }
        self._work(row, msg, markdown)

    # -- limits ---------------------------------------------------------------------------------
    def _distinct(self, row: OutboxMessage, msg: dict, content: str) -> dict:
        who, day = self._who_day(row)
        digest = _digest(content)
        with self.services.sessions() as session:
            today = session.scalars(
                select(SendLog).where(
                    SendLog.channel == CHANNEL,
                    SendLog.sender_hash == who,
                    SendLog.day == day,
                    SendLog.route == "work",
                )
            ).all()
        if len({r.outbox_id for r in today if r.outbox_id != row.id}) >= WORK_PER_DAY:
            raise PermanentSendError(f"今日发给此人的工作通知已达 {WORK_PER_DAY} 条上限")
        others = {r.outbox_id for r in today if r.content_hash == digest and r.outbox_id != row.id}
        if not others or msg.get("msgtype") != "text":
            return msg
        suffix = f"\n（今日第 {len(others) + 1} 次）"
        return {"msgtype": "text", "text": {"content": msg["text"]["content"] + suffix}}

    def _robot_quota(self) -> None:
        since = self.services.clock() - timedelta(minutes=1)
        with self.services.sessions() as session:
            count = session.scalar(
                select(func.count())
                .select_from(SendLog)
                .where(
                    SendLog.channel == CHANNEL, SendLog.route == "robot", SendLog.sent_at > since
                )
            )
        if count >= ROBOT_PER_MINUTE:
            raise TransientSendError(f"robot limit: {ROBOT_PER_MINUTE} messages a minute")

    def _who_day(self, row: OutboxMessage) -> tuple[str, str]:
        now = self.services.clock().astimezone(self.services.settings.timezone)
        return sender_hash(self.services.seal_key, CHANNEL, row.address), now.date().isoformat()

    @contextmanager
    def _logged(self, row: OutboxMessage, route: str, content: str) -> Iterator[None]:
        """Count a call toward the limits before it is made (a call cut off may have been
        delivered, and DingTalk drops the excess silently), and take it back when DingTalk
        answers that it refused it: a refused message reached nobody."""
        who, day = self._who_day(row)
        entry = SendLog(
            channel=CHANNEL,
            sender_hash=who,
            day=day,
            route=route,
            content_hash=_digest(content),
            outbox_id=row.id,
            sent_at=self.services.clock(),
        )
        with self.services.sessions() as session, session.begin():
            session.add(entry)
        try:
            yield
        except DingTalkError as err:
            maybe_sent = isinstance(err.code, int) and 500 <= err.code < 600  # an HTTP 5xx
            if not maybe_sent:
                with self.services.sessions() as session, session.begin():
                    session.execute(delete(SendLog).where(SendLog.id == entry.id))
            raise

    def close(self) -> None:
        self.client.close()


def _digest(content: str) -> str:
    return hashlib.sha256(content.encode()).hexdigest()


def _json(value: Any) -> str:
    import json

    return json.dumps(value, ensure_ascii=False)
