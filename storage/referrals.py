"""Hazard reports (举报) and their referral to member units (转办): cases, sealed reporters, history.

The reporter's identity lives in its own table, sealed with the deployment's key, so that nothing
that reads a case (a referral slip, the office's list, an export) can reach it by accident. The
history table is append-only: the ORM refuses to update or delete its rows.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, Text, event, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from storage.db import Base, UTCDateTime

# Case states, in the 12345 hotline's vocabulary (wording in handlers/referrals/text.py).
NEW = "new"  # 待受理
ACCEPTED = "accepted"  # 已受理
REJECTED = "rejected"  # 不予受理
REFERRED = "referred"  # 已转办, awaiting 签收
SIGNED = "signed"  # 已签收, 办理中
RETURNED = "returned"  # 已退回 to the office
ANSWERED = "answered"  # 已反馈, awaiting the office's 办结
CLOSED = "closed"  # 已办结
OPEN_STATES = (NEW, ACCEPTED, REFERRED, SIGNED, RETURNED, ANSWERED)
AT_UNIT = (REFERRED, SIGNED)


class ReferralCase(Base):
    """One report: the facts as told, where it stands, who handles it and by when."""

    __tablename__ = "referral_case"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)  # JB202611230001
    query_hash: Mapped[str] = mapped_column(String(64))  # HMAC of the reporter's query code
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    status: Mapped[str] = mapped_column(String(10), default=NEW, index=True)
    employer: Mapped[str] = mapped_column(String(200))
    employer_key: Mapped[str] = mapped_column(String(200), index=True)  # normalised, for clusters
    place: Mapped[str] = mapped_column(String(200))
    street: Mapped[str] = mapped_column(String(50), default="", index=True)  # 镇街 recognised
    hazard: Mapped[str] = mapped_column(String(40))  # one or more, «粉尘、噪声»
    description: Mapped[str] = mapped_column(Text)
    has_contact: Mapped[bool] = mapped_column(default=False)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    referred_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sign_due: Mapped[date | None] = mapped_column(Date)  # last working day to 签收
    answer_due: Mapped[date | None] = mapped_column(Date)  # last working day to 反馈
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    result: Mapped[str] = mapped_column(Text, default="")  # the unit's 反馈 (internal)
    conclusion: Mapped[str] = mapped_column(Text, default="")  # 办结结论 / 不予受理理由 (public)
    extension_days: Mapped[int | None] = mapped_column(Integer)  # a pending 申请延期
    extension_reason: Mapped[str] = mapped_column(Text, default="")


class ReferralReporter(Base):
    """Who reported, sealed: `channel\\tuser id` and the optional contact, apart from the case."""

    __tablename__ = "referral_reporter"
    case_id: Mapped[int] = mapped_column(ForeignKey("referral_case.id"), primary_key=True)
    sealed_account: Mapped[str] = mapped_column(Text)
    sealed_contact: Mapped[str | None] = mapped_column(Text)


class ReferralEvent(Base):
    """One change of a case (who, what, when); never changed or deleted once written."""

    __tablename__ = "referral_event"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("referral_case.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor: Mapped[str] = mapped_column(String(100))
    actor_person_id: Mapped[int | None] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(20))  # 登记 / 受理 / 转办 / 签收 / …
    status: Mapped[str] = mapped_column(String(10))  # the state after the change
    note: Mapped[str] = mapped_column(Text, default="")
    key: Mapped[str | None] = mapped_column(String(120), unique=True)  # system events, once


class ReferralWarning(Base):
    """An early-warning alert sent to the office about a cluster of reports."""

    __tablename__ = "referral_warning"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))  # employer / street
    match_key: Mapped[str] = mapped_column(String(200), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    case_numbers: Mapped[str] = mapped_column(Text)


class AppendOnlyError(RuntimeError):
    """Raised when code tries to rewrite a case's history."""


@event.listens_for(ReferralEvent, "before_update")
@event.listens_for(ReferralEvent, "before_delete")
def _refuse_rewrite(_mapper, _conn, target: ReferralEvent) -> None:
    raise AppendOnlyError(f"case history is append-only (event {target.id})")


def case_by_number(session: Session, number: str) -> ReferralCase | None:
    return session.scalar(select(ReferralCase).where(ReferralCase.number == number.upper()))


def history(session: Session, case_id: int) -> list[ReferralEvent]:
    stmt = select(ReferralEvent).where(ReferralEvent.case_id == case_id)
    return list(session.scalars(stmt.order_by(ReferralEvent.at, ReferralEvent.id)))


def event_keys(session: Session, case_ids: list[int]) -> set[str]:
    """The keys of the system events (such as an overdue notice) already written for the cases."""
    if not case_ids:
        return set()
    stmt = select(ReferralEvent.key).where(
        ReferralEvent.case_id.in_(case_ids), ReferralEvent.key.is_not(None)
    )
    return set(session.scalars(stmt))


def last_number(session: Session, prefix: str) -> str | None:
    """The highest case number starting with `prefix` (e.g. JB20261123), for the daily serial."""
    stmt = select(ReferralCase.number).where(ReferralCase.number.like(f"{prefix}%"))
    return session.scalar(stmt.order_by(ReferralCase.number.desc()).limit(1))


def open_cases(session: Session, states: tuple[str, ...] = OPEN_STATES) -> list[ReferralCase]:
    stmt = select(ReferralCase).where(ReferralCase.status.in_(states))
    return list(session.scalars(stmt.order_by(ReferralCase.id)))


def cases_since(session: Session, since: datetime) -> list[ReferralCase]:
    stmt = select(ReferralCase).where(ReferralCase.created_at >= since)
    return list(session.scalars(stmt.order_by(ReferralCase.created_at, ReferralCase.id)))


def cases_of_year(session: Session, start: datetime, end: datetime) -> list[ReferralCase]:
    stmt = select(ReferralCase).where(
        ReferralCase.created_at >= start, ReferralCase.created_at < end
    )
    return list(session.scalars(stmt.order_by(ReferralCase.number)))


def last_warning(session: Session, kind: str, match_key: str) -> ReferralWarning | None:
    stmt = select(ReferralWarning).where(
        ReferralWarning.kind == kind, ReferralWarning.match_key == match_key
    )
    return session.scalar(stmt.order_by(ReferralWarning.created_at.desc()).limit(1))
