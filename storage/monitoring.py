"""监测预警 (seed 附件1 四(三)): imported health-check results, early-warning signals and 舆情
rounds (调查摸底 asked of the member units after an outside event).

A health-check file is stored once: its rows' content hash is unique, so the same data sent again
(even re-saved as .csv) is recognised. Signals are unique per (rule, subject, period): a signal
goes out once however often the warning runs. Numbers: YJ (signals) and YQ (舆情 rounds), taken
under `storage.db.serialize`.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    select,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from storage.db import Base, UTCDateTime, serialize
from storage.followup import next_seq

OPEN, CLOSED = "open", "closed"  # signal states (wording in handlers/monitoring/text.py)


class HealthImport(Base):
    """One imported file of health-check results."""

    __tablename__ = "health_import"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)
    filename: Mapped[str] = mapped_column(String(255))
    rows: Mapped[int] = mapped_column(Integer)
    first_period: Mapped[str] = mapped_column(String(7))
    last_period: Mapped[str] = mapped_column(String(7))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime())
    imported_by: Mapped[int | None] = mapped_column(ForeignKey("person.id"))


class HealthRecord(Base):
    """One row: an institution's results for one employer and hazard in one month."""

    __tablename__ = "health_record"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("health_import.id"), index=True)
    institution: Mapped[str] = mapped_column(String(200))
    employer: Mapped[str] = mapped_column(String(200))
    employer_key: Mapped[str] = mapped_column(String(200), index=True)
    street: Mapped[str] = mapped_column(String(50), index=True)
    industry: Mapped[str] = mapped_column(String(100), default="")
    hazard: Mapped[str] = mapped_column(String(50))
    examined: Mapped[int] = mapped_column(Integer)
    abnormal: Mapped[int] = mapped_column(Integer)
    suspected: Mapped[int] = mapped_column(Integer)
    contraindicated: Mapped[int] = mapped_column(Integer)
    period: Mapped[str] = mapped_column(String(7), index=True)  # YYYY-MM
    exam_date: Mapped[date | None] = mapped_column(Date)


class Signal(Base):
    """An early-warning signal (YJ…): what fired, on which figures, and how the office closed it."""

    __tablename__ = "warning_signal"
    __table_args__ = (UniqueConstraint("rule", "match_key", "period"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, unique=True)
    rule: Mapped[str] = mapped_column(String(20))  # rate / suspected / cluster / severe / complaint
    match_key: Mapped[str] = mapped_column(String(250))
    period: Mapped[str] = mapped_column(String(7))
    subject: Mapped[str] = mapped_column(String(300))
    reason: Mapped[str] = mapped_column(Text)
    figures: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(10), default=OPEN, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_by: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    outcome: Mapped[str] = mapped_column(Text, default="")  # 处置说明 / DB7 / JC2

    @property
    def number(self) -> str:
        return f"YJ{self.seq}"


class OpinionRound(Base):
    """An outside 舆情 event and the 调查摸底 asked of the units concerned (YQ…)."""

    __tablename__ = "opinion_round"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, unique=True)
    place: Mapped[str] = mapped_column(String(200))
    industry: Mapped[str] = mapped_column(String(100))
    event: Mapped[str] = mapped_column(Text)
    due: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[int | None] = mapped_column(ForeignKey("person.id"))

    @property
    def number(self) -> str:
        return f"YQ{self.seq}"


class OpinionReply(Base):
    """One asked unit's 调查摸底 (None until it answers); the latest answer counts."""

    __tablename__ = "opinion_reply"
    __table_args__ = (UniqueConstraint("round_id", "unit_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("opinion_round.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    reason: Mapped[str] = mapped_column(String(200), default="")  # the duty that put it on the list
    text: Mapped[str] = mapped_column(Text, default="")
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    answered_by: Mapped[int | None] = mapped_column(ForeignKey("person.id"))


def new_signal(session: Session, **fields) -> Signal:
    serialize(session, "monitoring:YJ")
    row = Signal(seq=next_seq(session, Signal.seq), **fields)
    session.add(row)
    session.flush()
    return row


def new_round(session: Session, **fields) -> OpinionRound:
    serialize(session, "monitoring:YQ")
    row = OpinionRound(seq=next_seq(session, OpinionRound.seq), **fields)
    session.add(row)
    session.flush()
    return row


def _by_seq(session: Session, model, prefix: str, number: str):
    digits = number[2:]
    if number[:2].upper() != prefix or not digits.isdigit() or len(digits) > 9:
        return None
    return session.scalar(select(model).where(model.seq == int(digits)))


def signal_by_number(session: Session, number: str) -> Signal | None:
    return _by_seq(session, Signal, "YJ", number)


def round_by_number(session: Session, number: str) -> OpinionRound | None:
    return _by_seq(session, OpinionRound, "YQ", number)


def signal_keys(session: Session) -> set[tuple[str, str, str]]:
    rows = session.execute(select(Signal.rule, Signal.match_key, Signal.period))
    return {(rule, key, period) for rule, key, period in rows}


def open_signals(session: Session) -> list[Signal]:
    stmt = select(Signal).where(Signal.status == OPEN).order_by(Signal.seq)
    return list(session.scalars(stmt))


def import_by_hash(session: Session, content_hash: str) -> HealthImport | None:
    return session.scalar(select(HealthImport).where(HealthImport.content_hash == content_hash))


def stored_keys(session: Session, first: str, last: str) -> dict[tuple, HealthImport]:
    """What identifies each stored row of months `first`..`last` (an institution's results for
    one employer and hazard on one date), with the import that brought it."""
    R = HealthRecord
    stmt = (
        select(R.institution, R.employer_key, R.hazard, R.period, R.exam_date, HealthImport)
        .join(HealthImport, HealthImport.id == R.import_id)
        .where(R.period >= first, R.period <= last)
    )
    return {tuple(row[:5]): row[5] for row in session.execute(stmt)}


def records(session: Session, first: str, last: str) -> list[HealthRecord]:
    stmt = select(HealthRecord).where(HealthRecord.period >= first, HealthRecord.period <= last)
    return list(session.scalars(stmt.order_by(HealthRecord.id)))


def opinion_replies(session: Session, round_id: int) -> list[OpinionReply]:
    stmt = select(OpinionReply).where(OpinionReply.round_id == round_id)
    return list(session.scalars(stmt.order_by(OpinionReply.unit_id)))


def open_rounds(session: Session, today: date) -> list[OpinionRound]:
    return list(session.scalars(select(OpinionRound).where(OpinionRound.due >= today)))
