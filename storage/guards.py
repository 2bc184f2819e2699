"""Wrong 查询 attempts, so that query codes cannot be guessed by trying many of them.

A row holds no account: the sender is a keyed hash (HMAC under the seal key, with its own label so
it cannot be matched with the inbox's sender hash), and the case is the number as typed, so a
number that does not exist is counted exactly like one that does.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime

from sqlalchemy import Boolean, Index, Integer, String, delete, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from storage.db import Base, UTCDateTime


class QueryAttempt(Base):
    """One wrong (or, during a cool-down, unchecked) 查询."""

    __tablename__ = "query_attempt"
    __table_args__ = (
        Index("ix_query_attempt_sender", "sender_hash", "at"),
        Index("ix_query_attempt_number", "case_number", "at"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    sender_hash: Mapped[str] = mapped_column(String(64))
    case_number: Mapped[str] = mapped_column(String(20))
    blocked: Mapped[bool] = mapped_column(Boolean, default=False)  # sent during a cool-down


def attempt_sender(key: bytes, channel: str, user_id: str) -> str:
    return hmac.new(key, f"query\x00{channel}\x00{user_id}".encode(), hashlib.sha256).hexdigest()


def record_attempt(
    session: Session, now: datetime, sender: str, number: str, *, blocked: bool = False
) -> None:
    session.add(QueryAttempt(at=now, sender_hash=sender, case_number=number, blocked=blocked))
    session.flush()


def wrong_times(
    session: Session, since: datetime, *, sender: str | None = None, number: str | None = None
) -> list[datetime]:
    """When the wrong (checked) attempts since `since` were made, by a sender or on a number."""
    stmt = select(QueryAttempt.at).where(QueryAttempt.at >= since, QueryAttempt.blocked.is_(False))
    if sender is not None:
        stmt = stmt.where(QueryAttempt.sender_hash == sender)
    if number is not None:
        stmt = stmt.where(QueryAttempt.case_number == number)
    return sorted(session.scalars(stmt))


def attempts_on(session: Session, number: str, since: datetime) -> int:
    """Every attempt on a number since `since`, cool-down ones included: the size of a burst."""
    stmt = select(func.count()).where(QueryAttempt.case_number == number, QueryAttempt.at >= since)
    return int(session.scalar(stmt) or 0)


def forget_before(session: Session, moment: datetime) -> None:
    """Attempts older than any window that reads them are of no use; they are deleted."""
    session.execute(delete(QueryAttempt).where(QueryAttempt.at < moment))
