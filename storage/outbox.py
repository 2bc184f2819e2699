"""Durable outgoing messages: written in the same transaction as the change that causes them.

A row is claimed with a lease before sending and marked sent only after the platform says so, so
a crash between storing and pushing loses nothing, and a unique `dedupe_key` makes a reminder
exactly-once even when two schedulers compute it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import JSON, Integer, String, Text, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column

from storage.db import Base, UTCDateTime

PENDING, SENT, FAILED = "pending", "sent", "failed"


class OutboxMessage(Base):
    __tablename__ = "outbox_message"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(20), index=True)
    address: Mapped[str] = mapped_column(String(255))  # platform user id of the recipient
    person_id: Mapped[int | None] = mapped_column(Integer, index=True)
    kind: Mapped[str] = mapped_column(String(20))  # text / file / template_card / card_update
    payload: Mapped[dict] = mapped_column(JSON)
    dedupe_key: Mapped[str | None] = mapped_column(String(255), unique=True)
    status: Mapped[str] = mapped_column(String(10), default=PENDING, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)


def insert_message(session: Session, values: dict) -> bool:
    """Insert one row; with a dedupe_key already present, do nothing. True when inserted."""
    dialect = session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    stmt = module.insert(OutboxMessage).values(**values)
    if values.get("dedupe_key"):
        stmt = stmt.on_conflict_do_nothing(index_elements=["dedupe_key"])
    # RETURNING, not rowcount: psycopg reports rowcount -1 here, which read as "inserted"
    return session.execute(stmt.returning(OutboxMessage.id)).first() is not None


def due_ids(session: Session, channel: str, now: datetime, limit: int) -> list[int]:
    stmt = (
        select(OutboxMessage.id)
        .where(
            OutboxMessage.channel == channel,
            OutboxMessage.status == PENDING,
            OutboxMessage.next_attempt_at <= now,
        )
        .where((OutboxMessage.lease_until.is_(None)) | (OutboxMessage.lease_until < now))
        .order_by(OutboxMessage.id)
        .limit(limit)
    )
    return list(session.scalars(stmt))


def claim(session: Session, row_id: int, now: datetime, lease: timedelta) -> bool:
    """Atomically take one row for sending; False when another sender has it."""
    stmt = (
        update(OutboxMessage)
        .where(OutboxMessage.id == row_id, OutboxMessage.status == PENDING)
        .where((OutboxMessage.lease_until.is_(None)) | (OutboxMessage.lease_until < now))
        .values(lease_until=now + lease)
    )
    return session.execute(stmt).rowcount == 1
