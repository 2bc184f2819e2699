"""Append-only audit log, chained by hash: who saw or changed what, when, through which channel.

Each entry holds the hash of the one before it (`prev_hash`) and its own hash over a canonical
serialisation of its fields and `prev_hash`, so editing or deleting any entry behind the
application's back breaks the chain at that entry; `verify` recomputes it and names the first
broken one. Appends are serialised (`storage.db.serialize(session, "audit")`), so two
transactions never chain onto the same tail. The application has no path to change an entry: the
mapper refuses updates and deletes, and on PostgreSQL (and SQLite) a trigger refuses them too
(migration 0014).

Two journals, each its own chain: `audit_entry`, the deliberate acts the domains `record`
(查看举报人, 签发, 督办立项 …), and `change_entry`, where `before_flush` appends one entry per
changed row of every business table (roster, reports, cases, meetings, follow-up, monitoring,
documents), so a change made by any command or job is in the log without each domain asking.
Its actor is `session.info["audit_actor"]` when the caller set it (the desk), otherwise
the person the row itself names (`filed_by`, `created_by`, `actor_person_id` …), otherwise 系统.
Only column names and states are written, never values: a reporter's sealed contact never
reaches the log.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Integer, String, Text, event, inspect, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from storage.db import Base, UTCDateTime, serialize

GENESIS = "0" * 64
# tables whose rows are plumbing, not records: messages in flight, dialogues, caches, tokens
NOT_AUDITED = frozenset(
    {
        "audit_entry",
        "change_entry",
        "inbound_message",
        "outbox_message",
        "outbox_attempt",
        "conversation_state",
        "cached_token",
        "chat_session",
        "send_log",
        "mp_follower",
        "mp_kept_news",
        "query_attempt",
        "deployment_setting",
        "desk_token",
    }
)
STATE_COLUMNS = ("status", "state")  # short words worth showing: 已转办 → 已办结
BULK = 20  # more rows of one table in one flush: one summary entry instead


class AuditRewriteError(RuntimeError):
    """The application tried to change or delete an audit entry."""


class _Journal:
    """The columns both journals share: an entry and its place in its chain."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    actor_person_id: Mapped[int | None] = mapped_column(Integer)
    actor: Mapped[str] = mapped_column(String(100))  # name (or user id) at the time
    action: Mapped[str] = mapped_column(String(50), index=True)
    subject: Mapped[str] = mapped_column(String(100), index=True)  # e.g. JB202611230001, HY12
    detail: Mapped[str] = mapped_column(Text, default="")
    channel: Mapped[str] = mapped_column(String(20), default="")  # wecom / 后台 / 命令行 / 系统
    prev_hash: Mapped[str] = mapped_column(String(64), default="")
    hash: Mapped[str] = mapped_column(String(64), default="")


class AuditEntry(_Journal, Base):
    """A deliberate act the domains record: 查看举报人, 签发, 督办立项, 登录后台 …"""

    __tablename__ = "audit_entry"


class ChangeEntry(_Journal, Base):
    """One row of a business table added, changed or removed (the flush hook below)."""

    __tablename__ = "change_entry"


JOURNALS = ((AuditEntry, "审计日志"), (ChangeEntry, "数据变更记录"))


@event.listens_for(AuditEntry, "before_update")
@event.listens_for(AuditEntry, "before_delete")
@event.listens_for(ChangeEntry, "before_update")
@event.listens_for(ChangeEntry, "before_delete")
def _refuse_rewrite(_mapper, _conn, target: _Journal) -> None:
    raise AuditRewriteError(f"{target.__tablename__} {target.id} is append-only")


def canonical(entry: _Journal | dict, prev_hash: str) -> bytes:
    """The bytes an entry's hash covers: every field but id and hash, in a fixed form."""
    get = entry.get if isinstance(entry, dict) else lambda name: getattr(entry, name)
    at = get("at")
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    fields = {
        "at": at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "actor_person_id": get("actor_person_id"),
        "actor": get("actor") or "",
        "action": get("action") or "",
        "subject": get("subject") or "",
        "detail": get("detail") or "",
        "channel": get("channel") or "",
        "prev_hash": prev_hash,
    }
    return json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def entry_hash(entry: _Journal | dict, prev_hash: str) -> str:
    return hashlib.sha256(canonical(entry, prev_hash)).hexdigest()


def record(
    session: Session,
    at: datetime,
    actor: str,
    action: str,
    subject: str,
    detail: str = "",
    actor_person_id: int | None = None,
    channel: str = "",
) -> AuditEntry:
    """Append one entry; it is chained when the session flushes."""
    entry = AuditEntry(
        at=at,
        actor=actor,
        action=action,
        subject=subject,
        detail=detail,
        actor_person_id=actor_person_id,
        channel=channel or session.info.get("audit_actor", {}).get("channel", ""),
    )
    session.add(entry)
    return entry


def set_actor(session: Session, name: str, person_id: int | None, channel: str) -> None:
    """Name who is acting in this session (the desk), for the entries the flush hook writes."""
    session.info["audit_actor"] = {"name": name, "person_id": person_id, "channel": channel}


# -- the chain ------------------------------------------------------------------------------------
def _tail(session: Session, model) -> str:
    last = session.execute(
        select(model.hash).order_by(model.id.desc()).limit(1)
    ).scalar_one_or_none()
    return last or GENESIS


def _chain(session: Session, model, entries: list[_Journal]) -> None:
    serialize(session, "audit")
    prev = _tail(session, model)
    for entry in entries:
        if entry.at is None:
            entry.at = datetime.now(UTC)
        entry.channel = entry.channel or ""
        entry.detail = entry.detail or ""
        entry.prev_hash = prev
        entry.hash = prev = entry_hash(entry, prev)


@dataclass(frozen=True)
class Break:
    journal: str
    entry_id: int
    reason: str


def verify(session: Session, batch: int = 2000) -> tuple[int, Break | None]:
    """Recompute both chains; (entries checked, the first broken entry or None)."""
    total = 0
    for model, label in JOURNALS:
        checked, broken = _verify_one(session, model, label, batch)
        total += checked
        if broken is not None:
            return total, broken
    return total, None


def _verify_one(session: Session, model, label: str, batch: int) -> tuple[int, Break | None]:
    prev, checked, last_id = GENESIS, 0, 0
    while True:
        rows = session.scalars(
            select(model).where(model.id > last_id).order_by(model.id).limit(batch)
        ).all()
        if not rows:
            return checked, None
        for entry in rows:
            if entry.prev_hash != prev:
                reason = "前一条的哈希对不上（其前有条目被删除、插入或改动）"
                return checked, Break(label, entry.id, reason)
            if entry_hash(entry, prev) != entry.hash:
                return checked, Break(label, entry.id, "内容与哈希不符（本条被改动）")
            prev, checked, last_id = entry.hash, checked + 1, entry.id
        session.expunge_all()


# -- every change to a business table -------------------------------------------------------------
def _label(obj) -> str:
    for name in ("number", "period", "name"):
        value = getattr(obj, name, None)
        if isinstance(value, str) and value:
            return value[:60]
    return ""


def _row_actor(session: Session, obj) -> tuple[str, int | None, str]:
    acting = session.info.get("audit_actor")
    if acting:
        return acting["name"], acting["person_id"], acting["channel"]
    state = inspect(obj)
    for attr in state.mapper.column_attrs:
        key = attr.key
        if key.endswith("_by") or key == "actor_person_id":
            value = getattr(obj, key, None)
            if isinstance(value, int):
                from storage.roster import Person  # roster imports nothing of ours

                with session.no_autoflush:
                    person = session.get(Person, value)
                return (person.name if person else f"人员#{value}"), value, "聊天"
    return "系统", None, "系统"


def _changed(obj) -> str:
    state = inspect(obj)
    names, states = [], []
    for attr in state.mapper.column_attrs:
        hist = state.attrs[attr.key].history
        if not hist.has_changes():
            continue
        names.append(attr.key)
        if attr.key in STATE_COLUMNS and hist.added:
            before = hist.deleted[0] if hist.deleted else "—"
            states.append(f"{attr.key}: {before}→{hist.added[0]}")
    return "；".join(states + ([f"字段: {','.join(names)}"] if names else []))


OPS = {"new": "新增", "dirty": "修改", "deleted": "删除"}


def _row_entries(session: Session) -> list[ChangeEntry]:
    groups: dict[tuple[str, str], list] = defaultdict(list)
    for op in OPS:
        for obj in getattr(session, op):
            table = getattr(obj, "__tablename__", "")
            if not table or table in NOT_AUDITED:
                continue
            if op == "dirty" and not session.is_modified(obj, include_collections=False):
                continue
            groups[(table, op)].append(obj)
    now = session.info.get("audit_now") or datetime.now(UTC)
    entries = []
    for (table, op), objs in sorted(groups.items()):
        if len(objs) > BULK:
            name, pid, channel = _row_actor(session, objs[0])
            detail = f"{len(objs)} 行"
            entries.append(_entry(now, name, pid, channel, f"{OPS[op]} {table}", table, detail))
            continue
        for obj in objs:
            name, pid, channel = _row_actor(session, obj)
            ident = inspect(obj).identity
            subject = _label(obj) or (f"{table}#{ident[0]}" if ident else table)
            detail = _changed(obj) if op == "dirty" else ""
            entries.append(_entry(now, name, pid, channel, f"{OPS[op]} {table}", subject, detail))
    return entries


def _entry(now, name, pid, channel, action, subject, detail) -> ChangeEntry:
    return ChangeEntry(
        at=now,
        actor=name[:100],
        actor_person_id=pid,
        channel=channel,
        action=action[:50],
        subject=subject[:100],
        detail=detail,
    )


@event.listens_for(Session, "before_flush")
def _append_to_chain(session: Session, _context, _instances) -> None:
    if session.info.get("audit_off"):
        return
    explicit = [o for o in session.new if isinstance(o, AuditEntry)]
    changes = _row_entries(session)
    for entry in changes:
        session.add(entry)
    if not explicit and not changes:
        return
    with session.no_autoflush:
        if explicit:
            order = sorted(explicit, key=lambda e: e._sa_instance_state.insert_order or 0)
            _chain(session, AuditEntry, order)
        if changes:
            _chain(session, ChangeEntry, changes)
