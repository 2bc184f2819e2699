"""Durable outgoing messages: written in the same transaction as the change that causes them.

A row is claimed with a lease before sending and marked sent only after the platform says so, so
a crash between storing and pushing loses nothing, and a unique `dedupe_key` makes a reminder
exactly-once even when two schedulers compute it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column

from storage.db import Base, UTCDateTime

PENDING, SENT, FAILED = "pending", "sent", "failed"
# outcomes of one attempt; an attempt still open when its row is claimed again was interrupted
RETRY, INTERRUPTED = "retry", "interrupted"


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


class OutboxAttempt(Base):
    """One try at sending an outbox row: when, and how it ended (redacted reason only)."""

    __tablename__ = "outbox_attempt"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    outbox_id: Mapped[int] = mapped_column(
        ForeignKey("outbox_message.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    result: Mapped[str | None] = mapped_column(String(12))  # sent/retry/failed/interrupted
    error: Mapped[str | None] = mapped_column(Text)


def is_sealed(payload: Mapping) -> bool:
    """Whether a row can name someone it must not (a reporter) or carries a private text: such a
    row is sealed at rest and scrubbed once sent or failed for good."""
    return bool(
        payload.get("sealed_address")
        or payload.get("sealed_text")
        or payload.get("private")
        or payload.get("scrubbed")
    )


QUEUED = "outbox_queued"  # session.info flag: this transaction queued a message


def insert_message(session: Session, values: dict) -> bool:
    """Insert one row; with a dedupe_key already present, do nothing. True when inserted."""
    dialect = session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    stmt = module.insert(OutboxMessage).values(**values)
    if values.get("dedupe_key"):
        stmt = stmt.on_conflict_do_nothing(index_elements=["dedupe_key"])
    # RETURNING, not rowcount: psycopg reports rowcount -1 here, which read as "inserted"
    inserted = session.execute(stmt.returning(OutboxMessage.id)).first() is not None
    if inserted:
        session.info[QUEUED] = True  # bot.outbox drains at once after this commits
    return inserted


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


INTERRUPTED_ERROR = "发送中断（进程退出或租约过期），结果未知"


def close_interrupted(session: Session, row_id: int, now: datetime) -> int:
    """Mark the row's attempts still open (their sender died mid-send) as interrupted."""
    stmt = (
        update(OutboxAttempt)
        .where(OutboxAttempt.outbox_id == row_id, OutboxAttempt.result.is_(None))
        .values(result=INTERRUPTED, finished_at=now, error=INTERRUPTED_ERROR)
    )
    return session.execute(stmt).rowcount


def start_attempt(session: Session, row: OutboxMessage, now: datetime) -> OutboxAttempt:
    """Count and record an attempt on a claimed row; an earlier one left open was interrupted."""
    close_interrupted(session, row.id, now)
    row.attempts += 1  # bounds the retries; reset by 重发, while `number` runs on in the history
    earlier = session.scalar(
        select(func.count()).select_from(OutboxAttempt).where(OutboxAttempt.outbox_id == row.id)
    )
    attempt = OutboxAttempt(outbox_id=row.id, number=int(earlier or 0) + 1, started_at=now)
    session.add(attempt)
    session.flush()
    return attempt


def finish_attempt(
    session: Session, attempt_id: int, now: datetime, result: str, error: str | None = None
) -> None:
    attempt = session.get(OutboxAttempt, attempt_id)
    if attempt is not None:
        attempt.finished_at, attempt.result, attempt.error = now, result, error


def attempts_of(session: Session, row_id: int) -> list[OutboxAttempt]:
    stmt = select(OutboxAttempt).where(OutboxAttempt.outbox_id == row_id)
    return list(session.scalars(stmt.order_by(OutboxAttempt.id)))


def failed_rows(session: Session, limit: int) -> tuple[list[OutboxMessage], int]:
    """The most recent failed rows (newest first) and how many failed rows there are in all."""
    total = session.scalar(
        select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status == FAILED)
    )
    stmt = (
        select(OutboxMessage)
        .where(OutboxMessage.status == FAILED)
        .order_by(OutboxMessage.id.desc())
        .limit(limit)
    )
    return list(session.scalars(stmt)), int(total or 0)


def requeue(session: Session, row_id: int, now: datetime) -> bool:
    """Put a failed row back to pending, due now, with its attempt count reset."""
    stmt = (
        update(OutboxMessage)
        .where(OutboxMessage.id == row_id, OutboxMessage.status == FAILED)
        .values(status=PENDING, attempts=0, next_attempt_at=now, lease_until=None)
    )
    return session.execute(stmt).rowcount == 1
