"""The office's follow-up work (督办): decided items and 整改 items, comment rounds (征求意见) with
the annex-3 form, and joint inspections (联合检查).

Seed 附件2 一(一): 督办联席会议决定事项的落实情况; 五(四): 征求意见由区卫健委代章; 附件1 四(四): 联合执法检查.
An item's history is append-only, like a referral's: the ORM refuses to change or delete it.
Numbers are per-prefix sequences (DB1, ZG1, ZQ1, JC1) taken under `storage.db.serialize`.
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
    event,
    func,
    select,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from storage.db import Base, UTCDateTime, serialize
from storage.roster import Unit

# item states (wording in handlers/followup/text.py)
OPEN = "open"  # 办理中 (also after 退回)
APPLIED = "applied"  # 已申请办结, awaiting the office
CLOSED = "closed"  # 已办结 / 已整改
DECIDED, RECTIFY = "DB", "ZG"  # 议定事项, 整改事项

# comment-reply states
PENDING, ANSWERED, NO_OPINION, SILENT = "pending", "answered", "none", "silent"


class FollowupItem(Base):
    """One thing to be done by a lead unit by a date: a decided item (DB) or a 整改 item (ZG)."""

    __tablename__ = "followup_item"
    __table_args__ = (UniqueConstraint("prefix", "seq"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    prefix: Mapped[str] = mapped_column(String(4))  # DB / ZG
    seq: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(50), default="")  # HY3 第2条 / JC2
    lead_unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    co_unit_ids: Mapped[list] = mapped_column(JSON, default=list)
    due: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default=OPEN, index=True)
    inspection_id: Mapped[int | None] = mapped_column(ForeignKey("inspection.id"), index=True)
    employer: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    lead_unit: Mapped[Unit] = relationship(lazy="selectin")

    @property
    def number(self) -> str:
        return f"{self.prefix}{self.seq}"


class FollowupEvent(Base):
    """One change of an item (who, what, when, a file); never changed or deleted once written."""

    __tablename__ = "followup_event"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("followup_item.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor: Mapped[str] = mapped_column(String(100))
    actor_person_id: Mapped[int | None] = mapped_column(Integer)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    action: Mapped[str] = mapped_column(String(20))  # 立项 / 进展 / 办结申请 / 办结 / 退回 / 超期
    status: Mapped[str] = mapped_column(String(10))  # the state after the change
    note: Mapped[str] = mapped_column(Text, default="")
    document_id: Mapped[int | None] = mapped_column(ForeignKey("document.id"))
    key: Mapped[str | None] = mapped_column(String(120), unique=True)  # system events, once


class HistoryRewriteError(RuntimeError):
    """Raised when code tries to rewrite an item's history."""


@event.listens_for(FollowupEvent, "before_update")
@event.listens_for(FollowupEvent, "before_delete")
def _refuse_rewrite(_mapper, _conn, target: FollowupEvent) -> None:
    raise HistoryRewriteError(f"item history is append-only (event {target.id})")


class CommentRound(Base):
    """A draft circulated to member units for comments (征求意见), due by the end of `due`."""

    __tablename__ = "comment_round"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, unique=True)
    title: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text, default="")
    document_id: Mapped[int | None] = mapped_column(ForeignKey("document.id"))
    due: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # silence recorded

    @property
    def number(self) -> str:
        return f"ZQ{self.seq}"


class CommentReply(Base):
    """One asked unit's answer with the annex-3 form's fields; replaceable until the deadline."""

    __tablename__ = "comment_reply"
    __table_args__ = (UniqueConstraint("round_id", "unit_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("comment_round.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    status: Mapped[str] = mapped_column(String(10), default=PENDING)
    opinion: Mapped[str] = mapped_column(Text, default="")
    document_id: Mapped[int | None] = mapped_column(ForeignKey("document.id"))
    form: Mapped[dict] = mapped_column(JSON, default=dict)  # 分管领导/联络员: 姓名 职务 电话 手机
    answered_by: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    unit: Mapped[Unit] = relationship(lazy="selectin")


class Inspection(Base):
    """A joint inspection (联合执法检查 / 联合督查): who takes part, where, when."""

    __tablename__ = "inspection"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, unique=True)
    subject: Mapped[str] = mapped_column(String(200))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    unit_ids: Mapped[list] = mapped_column(JSON, default=list)
    streets: Mapped[list] = mapped_column(JSON, default=list)
    employers: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[int | None] = mapped_column(ForeignKey("person.id"))

    @property
    def number(self) -> str:
        return f"JC{self.seq}"


class InspectionFinding(Base):
    """What one participating unit found at one employer; `item_id` is its 整改 item, if any."""

    __tablename__ = "inspection_finding"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspection.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    employer: Mapped[str] = mapped_column(String(200))
    problems: Mapped[str] = mapped_column(Text)
    legal_basis: Mapped[str] = mapped_column(Text, default="")
    item_id: Mapped[int | None] = mapped_column(ForeignKey("followup_item.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    unit: Mapped[Unit] = relationship(lazy="selectin")


def next_seq(session: Session, column, *where) -> int:
    """The next number of a sequence; the caller holds `serialize` for it."""
    return (session.scalar(select(func.max(column)).where(*where)) or 0) + 1


def new_item(session: Session, prefix: str, **fields) -> FollowupItem:
    serialize(session, f"followup:{prefix}")
    seq = next_seq(session, FollowupItem.seq, FollowupItem.prefix == prefix)
    item = FollowupItem(prefix=prefix, seq=seq, **fields)
    session.add(item)
    session.flush()
    return item


def new_round(session: Session, **fields) -> CommentRound:
    serialize(session, "followup:ZQ")
    row = CommentRound(seq=next_seq(session, CommentRound.seq), **fields)
    session.add(row)
    session.flush()
    return row


def new_inspection(session: Session, **fields) -> Inspection:
    serialize(session, "followup:JC")
    row = Inspection(seq=next_seq(session, Inspection.seq), **fields)
    session.add(row)
    session.flush()
    return row


def item_by_number(session: Session, number: str) -> FollowupItem | None:
    prefix, digits = number[:2].upper(), number[2:]
    if prefix not in (DECIDED, RECTIFY) or not digits.isdigit() or len(digits) > 9:
        return None
    stmt = select(FollowupItem).where(
        FollowupItem.prefix == prefix, FollowupItem.seq == int(digits)
    )
    return session.scalar(stmt)


def round_by_number(session: Session, number: str) -> CommentRound | None:
    digits = number[2:]
    if number[:2].upper() != "ZQ" or not digits.isdigit() or len(digits) > 9:
        return None
    return session.scalar(select(CommentRound).where(CommentRound.seq == int(digits)))


def inspection_by_number(session: Session, number: str) -> Inspection | None:
    digits = number[2:]
    if number[:2].upper() != "JC" or not digits.isdigit() or len(digits) > 9:
        return None
    return session.scalar(select(Inspection).where(Inspection.seq == int(digits)))


def items(session: Session, *where) -> list[FollowupItem]:
    stmt = select(FollowupItem).where(*where).order_by(FollowupItem.prefix, FollowupItem.seq)
    return list(session.scalars(stmt))


def history(session: Session, item_id: int) -> list[FollowupEvent]:
    stmt = select(FollowupEvent).where(FollowupEvent.item_id == item_id)
    return list(session.scalars(stmt.order_by(FollowupEvent.at, FollowupEvent.id)))


def event_keys(session: Session, item_ids: list[int]) -> set[str]:
    if not item_ids:
        return set()
    stmt = select(FollowupEvent.key).where(
        FollowupEvent.item_id.in_(item_ids), FollowupEvent.key.is_not(None)
    )
    return set(session.scalars(stmt))


def replies(session: Session, round_id: int) -> list[CommentReply]:
    stmt = select(CommentReply).where(CommentReply.round_id == round_id)
    return list(session.scalars(stmt.order_by(CommentReply.unit_id)))


def open_rounds(session: Session) -> list[CommentRound]:
    stmt = select(CommentRound).where(CommentRound.closed_at.is_(None))
    return list(session.scalars(stmt.order_by(CommentRound.seq)))


def last_form(session: Session, unit_id: int) -> dict:
    """The form this unit filled in last (any round), to prefill the next one."""
    stmt = (
        select(CommentReply.form)
        .where(CommentReply.unit_id == unit_id, CommentReply.answered_at.is_not(None))
        .order_by(CommentReply.answered_at.desc())
        .limit(1)
    )
    return session.scalar(stmt) or {}


def findings(session: Session, inspection_id: int) -> list[InspectionFinding]:
    stmt = select(InspectionFinding).where(InspectionFinding.inspection_id == inspection_id)
    return list(session.scalars(stmt.order_by(InspectionFinding.id)))


def inspections(session: Session) -> list[Inspection]:
    return list(session.scalars(select(Inspection).order_by(Inspection.seq.desc())))
