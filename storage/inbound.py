"""Received platform deliveries, one row per distinct message: the duplicate guard.

The key is a hash of the platform's dedupe key, so the table never holds who wrote what (a
reporter's account stays out of it); the stored reply lets a re-delivery be answered the same way.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.db import Base, UTCDateTime


class InboundMessage(Base):
    __tablename__ = "inbound_message"
    __table_args__ = (UniqueConstraint("channel", "key_hash"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    key_hash: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    reply_text: Mapped[str | None] = mapped_column(Text)
    reply_button: Mapped[str | None] = mapped_column(String(64))


def key_hash(channel: str, dedupe_key: str) -> str:
    return hashlib.sha256(f"{channel}\x00{dedupe_key}".encode()).hexdigest()
