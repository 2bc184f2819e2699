"""What the DingTalk and WeChat Official Account channels remember between messages.

Nothing here holds an account in clear: people are keyed by `storage.inbound.sender_hash` (a keyed
hash), a DingTalk session webhook and a kept case message are sealed.

- `ChatSession`: a DingTalk single chat's `sessionWebhook` and its expiry, so an answer goes back
  into the chat while it is valid (protocols.md §4a).
- `SendLog`: DingTalk sends per recipient and day, for its limits (≤ 500 work notifications per
  person per app per day, the same content to the same person once a day, robots ≤ 20 a minute).
- `Follower`: an Official Account follower's last message, which opens the 48-hour
  customer-service window, and how many messages were sent since (at most 5, protocols.md §5).
- `KeptNews`: case news that could not be sent while the window was closed, shown at the next
  message.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.db import Base, UTCDateTime


class ChatSession(Base):
    __tablename__ = "chat_session"
    sender_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    sealed_webhook: Mapped[str] = mapped_column(Text)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())


class SendLog(Base):
    __tablename__ = "send_log"
    __table_args__ = (Index("ix_send_log_recipient_day", "channel", "sender_hash", "day"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    sender_hash: Mapped[str] = mapped_column(String(64))
    day: Mapped[str] = mapped_column(String(10))  # local date, YYYY-MM-DD
    route: Mapped[str] = mapped_column(String(12))  # work / robot / session
    content_hash: Mapped[str] = mapped_column(String(64))
    outbox_id: Mapped[int | None] = mapped_column(Integer)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class Follower(Base):
    __tablename__ = "mp_follower"
    sender_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    last_message_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_since: Mapped[int] = mapped_column(Integer, default=0)


class KeptNews(Base):
    __tablename__ = "mp_kept_news"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sender_hash: Mapped[str] = mapped_column(String(64), index=True)
    sealed_text: Mapped[str] = mapped_column(Text)
    kept_at: Mapped[datetime] = mapped_column(UTCDateTime())
