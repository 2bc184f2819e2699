"""The inbox: every accepted platform delivery, committed before the platform is answered.

One row per distinct message (the unique `key_hash` is the duplicate guard). The content — who
wrote it and what — is sealed (Fernet) in `sealed`, and wiped once the message has been handled,
so the table never keeps a reporter's account or words in clear. Rows are handled one sender at a
time in platform order (`sender_hash`, `platform_time`, `platform_seq`); a row still `pending`
after a crash is picked up again by the inbox sweeper. The stored reply (sealed) lets a
re-delivery be answered the same way.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime

from sqlalchemy import BigInteger, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.db import Base, UTCDateTime

PENDING, DONE, FAILED = "pending", "done", "failed"


class InboundMessage(Base):
    __tablename__ = "inbound_message"
    __table_args__ = (
        UniqueConstraint("channel", "key_hash"),
        Index("ix_inbound_message_queue", "status", "sender_hash", "platform_time", "platform_seq"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    key_hash: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    reply_text: Mapped[str | None] = mapped_column(Text)  # sealed once the inbox holds it
    reply_button: Mapped[str | None] = mapped_column(String(64))
    sender_hash: Mapped[str] = mapped_column(String(64), default="")  # keyed hash of the sender
    platform_time: Mapped[datetime | None] = mapped_column(UTCDateTime())
    platform_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    status: Mapped[str] = mapped_column(String(10), default=DONE)
    sealed: Mapped[str | None] = mapped_column(Text)  # the Incoming, sealed; None once handled
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    answered: Mapped[str | None] = mapped_column(String(10))  # passive / outbox / none


def key_hash(channel: str, dedupe_key: str) -> str:
    return hashlib.sha256(f"{channel}\x00{dedupe_key}".encode()).hexdigest()


def sender_hash(key: bytes, channel: str, user_id: str) -> str:
    """A keyed hash: the queue key of one person, which cannot be turned back into an account."""
    return hmac.new(key, f"sender\x00{channel}\x00{user_id}".encode(), hashlib.sha256).hexdigest()
