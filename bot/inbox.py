"""The inbox table's statements and the sealing of what it holds.

A message is in the inbox, `pending` with its content sealed, before the platform hears 200; it is
handled in order by whoever holds the sender's lock (the request's worker, another request of the
same person, or the sweeper), and closed with its content wiped and its answer sealed. Statements
are built once at import, so SQLAlchemy's compiled cache serves them.
"""

from __future__ import annotations

import base64
import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Connection, bindparam, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from handlers.core import Incoming, Reply
from storage import inbound
from storage.inbound import InboundMessage, key_hash, sender_hash
from storage.sealing import SealError, seal, unseal

ACCEPT_LOCK_TIMEOUT = "SET LOCAL lock_timeout = '3s'"  # SQLite: storage.db.BUSY_TIMEOUT_MS
PRIVATE_NOTE = "（该回复含保密信息，未予保存。如未收到，请重新发送指令。）"
_T = InboundMessage.__table__
INSERT = {  # a re-delivery inserts nothing and returns no id
    name: dialect.insert(_T)
    .on_conflict_do_nothing(index_elements=["channel", "key_hash"])
    .returning(_T.c.id)
    for name, dialect in (("sqlite", sqlite), ("postgresql", postgresql))
}
FIRST = select(_T.c.id, _T.c.status, _T.c.answered, _T.c.reply_text, _T.c.reply_button).where(
    _T.c.channel == bindparam("channel"), _T.c.key_hash == bindparam("key")
)
NEXT = (  # the sender's earliest unhandled message
    select(_T.c.id, _T.c.sealed, _T.c.attempts)
    .where(_T.c.status == inbound.PENDING, _T.c.sender_hash == bindparam("queue"))
    .order_by(_T.c.platform_time, _T.c.platform_seq, _T.c.id)
    .limit(1)
)
WAITING = (  # does the sender have a message not yet handled?
    select(_T.c.id)
    .where(_T.c.status == inbound.PENDING, _T.c.sender_hash == bindparam("queue"))
    .limit(1)
)
ANSWERED_BY = update(_T).where(_T.c.id == bindparam("row_id")).values(answered=bindparam("how"))
CLOSE = (
    update(_T)
    .where(_T.c.id == bindparam("row_id"), _T.c.status == inbound.PENDING)
    .values(
        status=bindparam("b_status"),
        sealed=None,
        processed_at=bindparam("b_at"),
        reply_text=bindparam("b_reply"),
        reply_button=bindparam("b_button"),
        answered=bindparam("b_answered"),
        attempts=_T.c.attempts + 1,
    )
)


class Unavailable(Exception):
    """The database cannot take the message now: the platform must deliver it again."""


@dataclass
class Envelope:
    """One received message with what the inbox keys it by."""

    msg: Incoming
    queue: str  # keyed hash of the sender: the per-person queue
    key: str  # hash of the platform's dedupe key
    platform_time: datetime
    platform_seq: int = 0
    media_id: str = ""

    @classmethod
    def of(
        cls,
        seal_key: bytes,
        msg: Incoming,
        now: datetime,
        *,
        media_id: str = "",
        platform_time: datetime | None = None,
        platform_seq: int = 0,
    ) -> Envelope:
        dedupe = msg.dedupe_key or f"local:{uuid.uuid4().hex}"  # the console has no platform id
        return cls(
            msg=msg,
            queue=sender_hash(seal_key, msg.channel, msg.user_id),
            key=key_hash(msg.channel, dedupe),
            platform_time=platform_time or msg.received_at or now,
            platform_seq=platform_seq,
            media_id=media_id,
        )

    def row(self, now: datetime, **values) -> dict:
        return {
            "channel": self.msg.channel,
            "key_hash": self.key,
            "received_at": now,
            "sender_hash": self.queue,
            "platform_time": self.platform_time,
            "platform_seq": self.platform_seq,
            "attempts": 0,
            **values,
        }


@dataclass
class Previous:
    """A message the inbox already holds: what became of it."""

    row_id: int
    status: str
    answered: str | None
    reply: Reply = field(default_factory=Reply)


# -- sealing --------------------------------------------------------------------------------------
_FIELDS = ("channel", "user_id", "text", "kind", "event", "event_key", "task_id")
_MORE = ("response_code", "file_name", "dedupe_key")


def seal_incoming(key: bytes, msg: Incoming, media_id: str) -> str:
    data = {k: getattr(msg, k) for k in _FIELDS + _MORE if getattr(msg, k)}
    if msg.received_at is not None:
        data["received_at"] = msg.received_at.isoformat()
    if media_id:
        data["media_id"] = media_id
    if msg.file_bytes is not None:  # the console hands files over directly
        data["file_bytes"] = base64.b64encode(msg.file_bytes).decode()
    return seal(key, json.dumps(data, ensure_ascii=False))


def open_incoming(key: bytes, token: str) -> tuple[Incoming, str]:
    data = json.loads(unseal(key, token))
    media_id = data.pop("media_id", "")
    if "received_at" in data:
        data["received_at"] = datetime.fromisoformat(data["received_at"])
    if "file_bytes" in data:
        data["file_bytes"] = base64.b64decode(data["file_bytes"])
    return Incoming(**data), media_id


def seal_reply(key: bytes, reply: Reply) -> str:
    text = PRIVATE_NOTE if reply.private else reply.text
    return seal(key, text) if text else ""


def open_reply(key: bytes, sealed: str | None, button: str | None) -> Reply:
    text = ""
    if sealed:
        try:
            text = unseal(key, sealed)
        except SealError:
            text = ""
    return Reply(text=text, button_label=button or "")


# -- statements -----------------------------------------------------------------------------------
def previous(conn: Connection | Session, seal_key: bytes, env: Envelope) -> Previous | None:
    row = conn.execute(FIRST, {"channel": env.msg.channel, "key": env.key}).first()
    if row is None:
        return None
    reply = open_reply(seal_key, row.reply_text, row.reply_button)
    return Previous(row.id, row.status, row.answered, reply)


def accept(engine, seal_key: bytes, env: Envelope, now: datetime) -> Previous | int:
    """Commit the message as pending; its row id, or what became of an earlier delivery."""
    values = env.row(
        now, status=inbound.PENDING, sealed=seal_incoming(seal_key, env.msg, env.media_id)
    )
    try:
        with engine.begin() as conn:
            if engine.dialect.name == "postgresql":  # answer 503 before WeCom's 5 s run out
                conn.exec_driver_sql(ACCEPT_LOCK_TIMEOUT)
            row_id = conn.execute(INSERT[engine.dialect.name], values).scalar()
            if row_id is not None:
                return row_id
            return previous(conn, seal_key, env)
    except DBAPIError as err:
        raise Unavailable(type(err).__name__) from None


def store_answered(
    session: Session | Connection,
    seal_key: bytes,
    env: Envelope,
    now: datetime,
    reply: Reply,
    answered: str,
) -> int | None:
    """Store a message handled before it was stored (dispatch.answer_fresh): done, its content
    never kept, its answer sealed. None when the inbox holds it already (nothing is written)."""
    values = env.row(
        now,
        status=inbound.DONE,
        sealed=None,
        processed_at=now,
        reply_text=seal_reply(seal_key, reply),
        reply_button=reply.button_label or None,
        answered=answered,
        attempts=1,
    )
    bind = session if isinstance(session, Connection) else session.get_bind()
    return session.execute(INSERT[bind.dialect.name], values).scalar()


def close(
    session: Session,
    row_id: int,
    *,
    status: str,
    at: datetime,
    sealed_reply: str,
    button: str | None,
    answered: str,
) -> bool:
    """Mark a pending row handled; False if it was not pending any more."""
    result = session.execute(
        CLOSE,
        {
            "row_id": row_id,
            "b_status": status,
            "b_at": at,
            "b_reply": sealed_reply,
            "b_button": button,
            "b_answered": answered,
        },
    )
    return result.rowcount == 1
