"""What the follow-up commands share: numbers, deadlines, units, people, files and history."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date, datetime, time, timedelta

from docx import Document as WordDocument
from docx.opc.exceptions import PackageNotFoundError

from handlers.core import Context, Incoming, Role, UserError, split_args
from handlers.followup import text as T
from handlers.units import candidates
from handlers.workdays import WorkCalendar, warn_missing_years
from storage import followup as st
from storage.documents import save_document
from storage.roster import Person, Unit, holders_by_unit, member_units, people_with_role

UNIT_ROLES = (Role.LIAISON, Role.LEADER)
MAX_TEXT = 20000
MAX_FILE = 10 * 1024 * 1024
_DAYS = re.compile(r"^(\d{1,3})\s*个?\s*工作日$")
_DATE = re.compile(r"^(?:(\d{4})\s*[-/.年]\s*)?(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?$")
_NUMBER = re.compile(r"^([A-Za-zＡ-Ｚａ-ｚ]{2})\s*(\d{1,9})$")


def number_and_rest(args: str, usage: str) -> tuple[str, str]:
    """`DB7 其余文字` → ("DB7", "其余文字"), number upper-cased; full-width letters accepted."""
    words = split_args(args, maxsplit=1)
    if not words:
        raise UserError(T.need_number(usage))
    token = words[0].translate(str.maketrans("ＤＢＺＧＱＪＣｄｂｚｇｑｊｃ", "DBZGQJCdbzgqjc"))
    match = _NUMBER.match(token)
    number = f"{match.group(1)}{match.group(2)}".upper() if match else token.upper()[:20]
    return number, (words[1].strip() if len(words) > 1 else "")


def calendar(ctx: Context) -> WorkCalendar:
    return WorkCalendar(ctx.session)


def parse_due(ctx: Context, text: str) -> date:
    """A deadline: `2026-12-31`, `12月31日`, or `20个工作日` (counted from today)."""
    text = text.strip()
    today = ctx.local().date()
    if match := _DAYS.match(text):
        days = int(match.group(1))
        if days < 1:
            raise UserError(T.bad_due(text))
        cal = calendar(ctx)
        due = cal.add_workdays(today, days)
        warn_missing_years(ctx, cal)
        return due
    match = _DATE.match(text)
    if not match:
        raise UserError(T.bad_due(text))
    year, month, day = match.groups()
    try:
        due = date(int(year) if year else today.year, int(month), int(day))
    except ValueError:
        raise UserError(T.bad_due(text)) from None
    if due < today:
        raise UserError(T.due_past(due, today))
    return due


def end_of(ctx: Context, day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=ctx.tz)


def at_local(ctx: Context, day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=ctx.tz)


def find_units(ctx: Context, names: str) -> list[Unit]:
    """Units named in `区人社局、区总工会`; an unknown or ambiguous name is refused."""
    units = member_units(ctx.session)
    found: dict[int, Unit] = {}
    for name in split_args(names):
        matches = candidates(units, name)
        if len(matches) != 1:
            raise UserError(T.bad_unit(name, [u.name for u in matches]))
        found.setdefault(matches[0].id, matches[0])
    return list(found.values())


def unit_names(ctx: Context, unit_ids: list[int]) -> list[str]:
    return [u.name for u in member_units(ctx.session) if u.id in set(unit_ids)]


def people(ctx: Context, unit_ids: list[int], roles=UNIT_ROLES) -> dict[int, list[Person]]:
    """unit id -> its people in `roles` (each once)."""
    held = holders_by_unit(ctx.session, roles, unit_ids)
    return {u: list({p.id: p for r in roles for p in held[u][r]}.values()) for u in unit_ids}


def office(ctx: Context) -> list[Person]:
    return people_with_role(ctx.session, Role.OFFICE)


def my_units(ctx: Context) -> set[int]:
    return {u.id for r in UNIT_ROLES for u in ctx.sender.units(r)}


def actor_id(ctx: Context) -> int | None:
    return ctx.sender.person.id if ctx.sender.person else None


def check_text(text: str, what: str) -> str:
    text = text.strip()
    if not text:
        raise UserError(T.empty(what))
    if len(text) > MAX_TEXT:
        raise UserError(T.too_long(what, len(text)))
    return text


def take_file(ctx: Context, msg: Incoming, kind: str, subject: str) -> tuple[int, str]:
    """Keep a received .docx (opened to prove it is one); returns (document id, its text)."""
    name = msg.file_name or "附件"
    if not name.lower().endswith(".docx") or not msg.file_bytes:
        raise UserError(T.ONLY_DOCX)
    if len(msg.file_bytes) > MAX_FILE:
        raise UserError(T.FILE_TOO_BIG)
    try:
        doc = WordDocument(io.BytesIO(msg.file_bytes))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError):
        raise UserError(T.not_docx(name)) from None
    lines = [p.text for p in doc.paragraphs]
    lines += ["\t".join(c.text for c in r.cells) for t in doc.tables for r in t.rows]
    saved = save_document(
        ctx.session,
        ctx.files_root,
        kind=kind,
        subject=subject,
        filename=name,
        content=msg.file_bytes,
        now=ctx.now,
        created_by=actor_id(ctx),
    )
    return saved.id, "\n".join(lines).strip()


def log(
    ctx: Context,
    item: st.FollowupItem,
    action: str,
    note: str = "",
    *,
    unit_id: int | None = None,
    document_id: int | None = None,
    key: str | None = None,
) -> None:
    person = ctx.sender.person
    ctx.session.add(
        st.FollowupEvent(
            item_id=item.id,
            at=ctx.now,
            actor=ctx.sender.name if person else "系统",
            actor_person_id=person.id if person else None,
            unit_id=unit_id,
            action=action,
            status=item.status,
            note=note,
            document_id=document_id,
            key=key,
        )
    )
    ctx.session.flush()


def overdue_days(ctx: Context, item: st.FollowupItem, on: date | None = None) -> int:
    """Working days past the deadline on `on` (today), or at closing for a closed item."""
    if on is None:
        on = ctx.local(item.closed_at).date() if item.closed_at else ctx.local().date()
    if on <= item.due:
        return 0
    return max(calendar(ctx).workdays_between(item.due, on), 1)


def member_units_all(ctx: Context) -> list[Unit]:
    return member_units(ctx.session)


def iso(value: str) -> date:
    return date.fromisoformat(value)
