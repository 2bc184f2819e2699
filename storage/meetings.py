"""Meetings of the joint conference: notices, each invited unit's answer, minutes and co-signs.

An answer (参加 / 请假 / 代参) is kept per invited *unit*, not per person: the seed counts units at
a meeting, and the latest answer from any of the unit's contacts counts. The co-sign set of the
minutes is copied from the units that attended, so "经与会单位会签" is a query, not a guess.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from storage.db import Base, UTCDateTime
from storage.roster import Unit

KINDS = ("全体会议", "专题会议", "联络员会议", "办公室会议")
ATTEND, LEAVE, DELEGATE = "参加", "请假", "代参"
PENDING_SIGN, AGREED, OBJECTED = "待会签", "同意", "意见"


class Meeting(Base):
    """One meeting; `version` goes up when it is moved, so old cards and reminders are stale."""

    __tablename__ = "meeting"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))  # one of KINDS
    title: Mapped[str] = mapped_column(String(100))
    topics: Mapped[str] = mapped_column(Text, default="")
    place: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    notified_at: Mapped[datetime] = mapped_column(UTCDateTime())  # last notice (new or moved)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancel_reason: Mapped[str] = mapped_column(Text, default="")
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # 同意公开
    released_by: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    invites: Mapped[list[MeetingInvite]] = relationship(
        back_populates="meeting", order_by="MeetingInvite.unit_id", lazy="selectin"
    )
    guests: Mapped[list[MeetingGuest]] = relationship(order_by="MeetingGuest.id", lazy="selectin")

    @property
    def number(self) -> str:
        """The short number people type: HY + the global sequence."""
        return f"HY{self.id}"


class MeetingInvite(Base):
    """An invited unit and its latest answer (None = 未回复)."""

    __tablename__ = "meeting_invite"
    __table_args__ = (UniqueConstraint("meeting_id", "unit_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    answer: Mapped[str | None] = mapped_column(String(10))
    reason: Mapped[str] = mapped_column(Text, default="")
    delegate_name: Mapped[str] = mapped_column(String(50), default="")
    delegate_title: Mapped[str] = mapped_column(String(100), default="")
    answered_by: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    meeting: Mapped[Meeting] = relationship(back_populates="invites")
    unit: Mapped[Unit] = relationship(lazy="selectin")

    @property
    def attends(self) -> bool:
        return self.answer in (ATTEND, DELEGATE)


class MeetingGuest(Base):
    """An invited unit that is not a member unit (邀请参加会议的其他有关单位), and the account of
    its contact if known: they get the notice and the issued minutes, else are listed in 抄送."""

    __tablename__ = "meeting_guest"
    __table_args__ = (UniqueConstraint("meeting_id", "name"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    account: Mapped[str] = mapped_column(String(64), default="")
    invited_by: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    invited_at: Mapped[datetime] = mapped_column(UTCDateTime())


def guests(session: Session, meeting_id: int) -> list[MeetingGuest]:
    stmt = select(MeetingGuest).where(MeetingGuest.meeting_id == meeting_id)
    return list(session.scalars(stmt.order_by(MeetingGuest.id)))


class MeetingMinutes(Base):
    """The minutes of a meeting; frozen once `signed_off_at` is set."""

    __tablename__ = "meeting_minutes"
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    text: Mapped[str] = mapped_column(Text)
    source_document_id: Mapped[int | None] = mapped_column(ForeignKey("document.id"))
    submitted_by: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    signed_off_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    signed_off_by: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    signoff_note: Mapped[str] = mapped_column(Text, default="")
    document_id: Mapped[int | None] = mapped_column(ForeignKey("document.id"))
    reported_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # 抄报区政府


class MinutesSignature(Base):
    """One attending unit's co-sign (会签) of the current minutes version."""

    __tablename__ = "minutes_signature"
    __table_args__ = (UniqueConstraint("meeting_id", "unit_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    status: Mapped[str] = mapped_column(String(10), default=PENDING_SIGN)
    opinion: Mapped[str] = mapped_column(Text, default="")
    signed_by: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    unit: Mapped[Unit] = relationship(lazy="selectin")


def meetings_between(session: Session, start: datetime, end: datetime) -> list[Meeting]:
    """Meetings not cancelled that start in [start, end), earliest first."""
    stmt = (
        select(Meeting)
        .where(Meeting.cancelled_at.is_(None), Meeting.starts_at >= start, Meeting.starts_at < end)
        .order_by(Meeting.starts_at, Meeting.id)
    )
    return list(session.scalars(stmt))


def signatures(session: Session, meeting_id: int) -> list[MinutesSignature]:
    stmt = (
        select(MinutesSignature)
        .where(MinutesSignature.meeting_id == meeting_id)
        .order_by(MinutesSignature.unit_id)
    )
    return list(session.scalars(stmt))


def minutes_awaiting_signoff(session: Session) -> list[MeetingMinutes]:
    stmt = select(MeetingMinutes).where(MeetingMinutes.signed_off_at.is_(None))
    return list(session.scalars(stmt.order_by(MeetingMinutes.meeting_id)))
