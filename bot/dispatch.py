"""One incoming message from any channel → one transaction → one reply.

The duplicate guard, the handler's changes and every push it queues are committed together, so a
re-delivered message changes nothing and a crash before commit leaves nothing half-done. Files a
reply carries are queued through the outbox to the sender.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot import router
from bot.config import ConfigError, Settings
from handlers.core import Context, Incoming, Reply, Sender
from storage.inbound import InboundMessage, key_hash
from storage.roster import current_appointments, find_person
from storage.sealing import SealError, load_seal_key

log = logging.getLogger(__name__)
PRIVATE_NOTE = "（该回复含保密信息，未予保存。如未收到，请重新发送指令。）"
RETRIES = 3
APOLOGY = "抱歉，系统处理这条消息时出错，已记录。请稍后重试，或联系联席会议办公室。"


@dataclass
class Services:
    """What the transports share: settings, the database and the clock."""

    settings: Settings
    sessions: sessionmaker[Session]
    clock: Callable[[], datetime]
    seal_key: bytes | None = field(default=None)

    def __post_init__(self) -> None:
        if self.seal_key is None:
            try:
                self.seal_key = load_seal_key(self.settings.seal_key, self.settings.instance_path)
            except SealError as err:
                raise ConfigError(str(err)) from None

    @property
    def push_channels(self) -> tuple[str, ...]:
        return ("wecom", "console") if self.settings.wecom else ("console",)

    def context(self, session: Session, sender: Sender | None = None) -> Context:
        now = self.clock()
        kwargs = {"sender": sender} if sender else {}
        return Context(
            session=session,
            now=now,
            tz=self.settings.timezone,
            org_name=self.settings.org_name,
            files_root=self.settings.files_path,
            options=self.settings.extra,
            push_channels=self.push_channels,
            seal_key=self.seal_key,
            **kwargs,
        )


def identify(session: Session, msg: Incoming) -> Sender:
    person = find_person(session, msg.user_id)
    if person is None:
        return Sender(channel=msg.channel, user_id=msg.user_id)
    return Sender(
        channel=msg.channel,
        user_id=msg.user_id,
        person=person,
        appointments=tuple(current_appointments(session, person.id)),
    )


def _previous_reply(services: Services, msg: Incoming) -> Reply:
    with services.sessions() as session:
        row = session.scalar(
            select(InboundMessage).where(
                InboundMessage.channel == msg.channel,
                InboundMessage.key_hash == key_hash(msg.channel, msg.dedupe_key),
            )
        )
    if row is None:
        return Reply()
    return Reply(text=row.reply_text or "", button_label=row.reply_button or "")


class _Conflict(Exception):
    """Another transaction got there first (a unique constraint); the message is worth a retry."""


def handle(services: Services, msg: Incoming) -> tuple[Reply, bool]:
    """Run the message through the router. Returns (reply, duplicate?).

    A unique-constraint conflict raised by a handler means a concurrent transaction (two liaison
    officers confirming the same unit's report at once, say) committed first: the whole message is
    run again on the now-current data, at most RETRIES times, instead of answering with an apology.
    """
    request_id = uuid.uuid4().hex[:12]
    for attempt in range(1, RETRIES + 1):
        try:
            return _handle_once(services, msg, request_id)
        except _Conflict:
            log.info("conflict on attempt %s (request %s); retrying", attempt, request_id)
    log.error("gave up after %s conflicts (request %s)", RETRIES, request_id)
    return Reply(text=f"{APOLOGY}（编号 {request_id}）"), False


def _handle_once(services: Services, msg: Incoming, request_id: str) -> tuple[Reply, bool]:
    session = services.sessions()
    try:
        inbound = None
        if msg.dedupe_key:
            inbound = InboundMessage(
                channel=msg.channel,
                key_hash=key_hash(msg.channel, msg.dedupe_key),
                received_at=services.clock(),
            )
            session.add(inbound)
            try:
                session.flush()  # the unique constraint decides between concurrent deliveries
            except IntegrityError:
                session.rollback()
                log.info("duplicate delivery on %s ignored", msg.channel)
                return _previous_reply(services, msg), True
        ctx = services.context(session, identify(session, msg))
        reply = router.route(msg, ctx)
        for doc_id in reply.documents:
            ctx.push_to(msg.channel, msg.user_id, {"document_id": doc_id}, kind="file")
        if inbound is not None:
            inbound.reply_text = PRIVATE_NOTE if reply.private else reply.text
            inbound.reply_button = reply.button_label or None
        session.commit()
        return reply, False
    except IntegrityError:
        session.rollback()
        raise _Conflict from None
    except Exception:
        session.rollback()
        log.exception("handler failed (request %s)", request_id)
        return Reply(text=f"{APOLOGY}（编号 {request_id}）"), False
    finally:
        session.close()
