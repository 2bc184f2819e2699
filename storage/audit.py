"""Append-only audit log: who saw or did something sensitive, and when."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, Session, mapped_column

from storage.db import Base, UTCDateTime


class AuditEntry(Base):
    __tablename__ = "audit_entry"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    actor_person_id: Mapped[int | None] = mapped_column(Integer)
    actor: Mapped[str] = mapped_column(String(100))  # name (or user id) at the time
    action: Mapped[str] = mapped_column(String(50), index=True)
    subject: Mapped[str] = mapped_column(String(100), index=True)  # e.g. JB202611230001, HY12
    detail: Mapped[str] = mapped_column(Text, default="")


def record(
    session: Session,
    at: datetime,
    actor: str,
    action: str,
    subject: str,
    detail: str = "",
    actor_person_id: int | None = None,
) -> AuditEntry:
    entry = AuditEntry(
        at=at,
        actor=actor,
        action=action,
        subject=subject,
        detail=detail,
        actor_person_id=actor_person_id,
    )
    session.add(entry)
    return entry
