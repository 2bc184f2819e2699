"""The roster: member units, their liaison officers and leaders, imported from a spreadsheet
(the chat commands that change it between imports are in roster_changes.py).

An import is all-or-nothing: a bad row is reported with its number and reason and nothing of the
file is stored. Importing again updates people in place and keeps the history of appointments.
An import that would end appointments names each one and stores nothing unless told `replace`:
a file meant to change one liaison officer must not silently end a leader left out of it.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, joinedload

from handlers.core import (
    ROSTER_ROLES,
    Role,
)
from storage.roster import (
    Appointment,
    Person,
    Unit,
)

HEADER = ["单位", "姓名", "职务", "角色", "企业微信账号", "钉钉账号", "手机"]
NEW_UNIT_COLUMN = "新单位"  # optional 8th column: 是 = the unit is new, however close its name
NEAR = 75  # rapidfuzz ratio from which a new unit's name is taken for a typo of a known one
ROLE_NAMES = [r.value for r in ROSTER_ROLES]
_MOBILE = re.compile(r"^1\d{10}$")
_SPACES = re.compile(r"[\s\u3000-]+")


class RosterError(ValueError):
    """The file cannot be imported; the message says which row and why."""


@dataclass(frozen=True)
class RosterRow:
    number: int
    unit: str
    name: str
    title: str
    role: str
    wecom: str
    dingtalk: str
    mobile: str
    new_unit: bool = False


@dataclass(frozen=True)
class ImportResult:
    units_created: int
    people_created: int
    people_updated: int
    appointments_started: int
    appointments_ended: int
    ended: tuple[str, ...] = ()  # 「区人社局 分管领导 李强」 for each appointment ended


def read_table(path: Path) -> tuple[list[list[str]], str]:
    """Like `read_rows`, with a note saying which sheet was read when the workbook has several."""
    if path.suffix.lower() != ".xlsx":
        return read_rows(path), ""
    return _xlsx_table(path)


def read_rows(path: Path) -> list[list[str]]:
    """Cells of a .xlsx or .csv file as strings, header included."""
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        return _xlsx_rows(path)
    if suffix == ".csv":
        return [
            [c.strip() for c in row]
            for row in csv.reader(io.StringIO(decode_csv(path.read_bytes())))
        ]
    raise RosterError(f"不支持的文件类型「{suffix}」，请使用 .xlsx 或 .csv")


def _xlsx_rows(path: Path) -> list[list[str]]:
    return _xlsx_table(path)[0]


def _xlsx_table(path: Path) -> tuple[list[list[str]], str]:
    """The first sheet whose first row holds 单位 and 姓名 (else the first sheet), and a note
    naming it when the workbook has several sheets."""
    from zipfile import BadZipFile

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (BadZipFile, InvalidFileException, KeyError, OSError):
        raise RosterError(
            "无法打开这个 .xlsx 文件：文件已损坏或不是 Excel 工作簿，请用 Excel 另存后重试"
        ) from None
    try:
        sheets = [
            (sheet.title, [["" if v is None else str(v).strip() for v in row]
                           for row in sheet.iter_rows(values_only=True)])
            for sheet in book.worksheets
        ]  # fmt: skip
    finally:
        book.close()  # read-only workbooks keep the file open until closed
    if not sheets:
        return [], ""
    title, rows = next(
        ((t, r) for t, r in sheets if r and {"单位", "姓名"} <= set(r[0])), sheets[0]
    )
    if len(sheets) == 1:
        return rows, ""
    names = "".join(f"「{t}」" for t, _ in sheets)
    return rows, f"工作簿有{len(sheets)}个工作表（{names}），读取的是「{title}」。"


def decode_csv(raw: bytes) -> str:
    """A CSV file's text: UTF-8 (with or without BOM) or GB18030, as Excel saves it in China."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise RosterError("文件编码无法识别，请另存为 UTF-8 编码的 CSV")


def header_problem(header: list[str]) -> str:
    """What is wrong with the first row, naming the missing or misplaced column."""
    cells = [c.strip() for c in header]
    missing = [name for name in HEADER if name not in cells]
    if missing:
        return f"第1行表头缺少「{'」「'.join(missing)}」列"
    for n, name in enumerate(HEADER):
        if n >= len(cells) or cells[n] != name:
            found = cells[n] if n < len(cells) and cells[n] else "空白"
            return f"第1行第{n + 1}列应为「{name}」，实为「{found}」（「{name}」在第{cells.index(name) + 1}列）"
    return ""


def parse_rows(rows: list[list[str]]) -> list[RosterRow]:
    problem = header_problem(rows[0]) if rows else "文件是空的"
    if problem:
        raise RosterError(f"{problem}。第1行应为表头：{','.join(HEADER)}")
    marked = [c.strip() for c in rows[0]][len(HEADER) : len(HEADER) + 1] == [NEW_UNIT_COLUMN]
    parsed: list[RosterRow] = []
    seen_accounts: dict[str, tuple[int, str]] = {}
    for number, cells in enumerate(rows[1:], start=2):
        new_unit = marked and len(cells) > len(HEADER) and cells[len(HEADER)].strip() == "是"
        cells = [*cells, *[""] * len(HEADER)][: len(HEADER)]
        if not any(cells):
            continue
        row = RosterRow(number, *cells, new_unit=new_unit)
        row = replace(row, mobile=_SPACES.sub("", row.mobile))  # 139 0000 0001, 139-0000-0001
        _check_row(row)
        for account in (row.wecom, row.dingtalk):
            if not account:
                continue
            first = seen_accounts.setdefault(account, (number, row.name))
            if first[1] != row.name:
                raise RosterError(
                    f"第{number}行：账号「{account}」已在第{first[0]}行属于{first[1]}，不能重复使用"
                )
        parsed.append(row)
    if not parsed:
        raise RosterError("文件中没有名单数据")
    _check_deputies(parsed)
    return parsed


def _check_deputies(rows: list[RosterRow]) -> None:
    """A unit names at most one deputy (B角), and not one of its liaison officers."""
    first: dict[str, RosterRow] = {}
    officers = {(r.unit, r.wecom or r.dingtalk) for r in rows if r.role == Role.LIAISON}
    for row in (r for r in rows if r.role == Role.DEPUTY):
        if row.unit in first:
            raise RosterError(
                f"第{row.number}行：{row.unit}已在第{first[row.unit].number}行设了B角"
                f"{first[row.unit].name}，每个单位只设一名B角"
            )
        first[row.unit] = row
        if (row.unit, row.wecom or row.dingtalk) in officers:
            raise RosterError(f"第{row.number}行：{row.name}已是{row.unit}的联络员，不能兼任B角")


def _check_row(row: RosterRow) -> None:
    where = f"第{row.number}行"
    if not row.unit:
        raise RosterError(f"{where}：缺少单位")
    if not row.name:
        raise RosterError(f"{where}：缺少姓名")
    if row.role not in ROLE_NAMES:
        raise RosterError(f"{where}：角色「{row.role}」无效，应为 {'、'.join(ROLE_NAMES)} 之一")
    if not row.wecom and not row.dingtalk:
        raise RosterError(f"{where}：企业微信账号和钉钉账号至少填写一个")
    if row.mobile and not _MOBILE.match(row.mobile):
        raise RosterError(f"{where}：手机号「{row.mobile}」格式不正确，应为11位数字")


def apply_rows(
    session: Session,
    rows: list[RosterRow],
    now: datetime,
    *,
    demo: bool = False,
    replace: bool = False,
) -> ImportResult:
    """Store the rows: the file is authoritative for each unit it names.

    Appointments of those units that the file leaves out are ended only with `replace`; without
    it, RosterError names each of them (person, role, unit) and nothing is stored.

    A person on several rows (two roles, two units) is one person; a blank mobile or title on one
    of those rows does not erase what another row gives. Units and people are looked up in two
    queries, whatever the size of the file.
    """
    names = {row.unit for row in rows}
    units = {u.name: u for u in session.scalars(select(Unit).where(Unit.name.in_(names)))}
    known = _people_by_account(session, rows)
    before = {p.id: (p.name, p.title, p.mobile) for p in known.values()}
    counts = dict(units_created=0, people_created=0, started=0, ended=0)
    seen: set[int] = set()  # id() of people already given a row of this file
    wanted: set[tuple[int, int, str]] = set()
    _check_abbreviations(session, rows, set(units))
    _check_near_names(session, rows, set(units))
    for row in rows:
        unit = units.get(row.unit)
        if unit is None:
            unit = units[row.unit] = Unit(name=row.unit, kind=_unit_kind(row.unit), demo=demo)
            session.add(unit)
            counts["units_created"] += 1
        person = _person_for(row, known)
        if person is None:
            person = Person(name=row.name, demo=demo)
            session.add(person)
            counts["people_created"] += 1
        again = id(person) in seen
        seen.add(id(person))
        person.name = row.name
        person.title = row.title or (person.title if again else "")
        person.mobile = row.mobile or (person.mobile if again else None)
        person.wecom_userid = row.wecom or person.wecom_userid
        person.dingtalk_userid = row.dingtalk or person.dingtalk_userid
        for account in (person.wecom_userid, person.dingtalk_userid):
            if account:
                known[account] = person
        session.flush()
        wanted.add((person.id, unit.id, row.role))
    updated = sum(1 for pid, old in before.items() if old != _fields(session.get(Person, pid)))
    current = session.scalars(
        select(Appointment)
        .where(
            Appointment.unit_id.in_([u.id for u in units.values()]),
            Appointment.ended_at.is_(None),
        )
        .options(joinedload(Appointment.unit), joinedload(Appointment.person))
    )
    have = set()
    ending: list[Appointment] = []
    for appt in current:
        key = (appt.person_id, appt.unit_id, appt.role)
        if key in wanted:
            have.add(key)
        else:
            ending.append(appt)
    ended = tuple(f"{a.unit.name} {a.role} {a.person.name}" for a in ending)
    if ending and not replace:
        raise RosterError(
            f"这个文件会使以下{len(ending)}项任职卸任：{'；'.join(ended)}。"
            "如确需卸任，请加 --replace 重新导入；否则请把这些人补回文件"
        )
    for appt in ending:
        appt.ended_at = now
        counts["ended"] += 1
    for person_id, unit_id, role in sorted(wanted - have):
        session.add(Appointment(person_id=person_id, unit_id=unit_id, role=role, started_at=now))
        counts["started"] += 1
    session.flush()
    return ImportResult(
        counts["units_created"],
        counts["people_created"],
        updated,
        counts["started"],
        counts["ended"],
        ended,
    )


def _check_abbreviations(session: Session, rows: list[RosterRow], known: set[str]) -> None:
    """A new unit whose name is part of another's («人社局», «淮河路») is a typo, not a unit."""
    names = set(session.scalars(select(Unit.name))) | {row.unit for row in rows}
    for row in rows:
        if row.unit in known:
            continue
        longer = sorted(n for n in names if row.unit in n and n != row.unit)
        if longer:
            raise RosterError(
                f"第{row.number}行：单位「{row.unit}」不在名单中，是不是「{longer[0]}」？请填写单位全称"
            )


def _check_near_names(session: Session, rows: list[RosterRow], known: set[str]) -> None:
    """A new unit named like a known one («区人设局» for 区人社局) is a typo unless the file's
    新单位 column says 是."""
    from rapidfuzz import fuzz, process

    existing = list(session.scalars(select(Unit.name)))
    for row in rows:
        if row.unit in known or row.new_unit or not existing:
            continue
        match = process.extractOne(row.unit, existing, scorer=fuzz.ratio, score_cutoff=NEAR)
        if match:
            raise RosterError(
                f"第{row.number}行：单位「{row.unit}」不在名单中，与已有的「{match[0]}」很接近，"
                f"是不是「{match[0]}」？如确是新单位，请在第{len(HEADER) + 1}列加"
                f"「{NEW_UNIT_COLUMN}」表头并在该行填「是」"
            )


def _fields(person: Person) -> tuple[str, str, str | None]:
    return person.name, person.title, person.mobile


def _people_by_account(session: Session, rows: list[RosterRow]) -> dict[str, Person]:
    """Roster people already holding an account the file names, by that account."""
    wecom = {r.wecom for r in rows if r.wecom}
    dingtalk = {r.dingtalk for r in rows if r.dingtalk}
    stmt = select(Person).where(
        or_(Person.wecom_userid.in_(wecom), Person.dingtalk_userid.in_(dingtalk))
    )
    found: dict[str, Person] = {}
    for person in session.scalars(stmt):
        for account in (person.wecom_userid, person.dingtalk_userid):
            if account:
                found[account] = person
    return found


def _person_for(row: RosterRow, known: dict[str, Person]) -> Person | None:
    """The person the row's accounts name; a row naming two different people is refused."""
    by_wecom = known.get(row.wecom) if row.wecom else None
    by_dingtalk = known.get(row.dingtalk) if row.dingtalk else None
    if by_wecom is not None and by_dingtalk is not None and by_wecom is not by_dingtalk:
        raise RosterError(
            f"第{row.number}行：企业微信账号「{row.wecom}」属于{by_wecom.name}，"
            f"钉钉账号「{row.dingtalk}」却属于{by_dingtalk.name}，请核对"
        )
    return by_wecom or by_dingtalk


def _unit_kind(name: str) -> str:
    if name.endswith(("街道办事处", "镇人民政府", "镇")):
        return "镇街"
    if name.endswith("管委会"):
        return "管委会"
    return "部门"


def export_rows(session: Session) -> list[list[str]]:
    stmt = (
        select(Appointment)
        .where(Appointment.ended_at.is_(None))
        .join(Unit)
        .order_by(Unit.id, Appointment.role, Appointment.person_id)
    )
    rows = [HEADER]
    for appt in session.scalars(stmt):
        p = appt.person
        rows.append(
            [
                appt.unit.name,
                p.name,
                p.title,
                appt.role,
                p.wecom_userid or "",
                p.dingtalk_userid or "",
                p.mobile or "",
            ]
        )
    return rows


def write_rows(path: Path, rows: list[list[str]]) -> None:
    if path.suffix.lower() == ".xlsx":
        from openpyxl import Workbook

        book = Workbook()
        sheet = book.active
        sheet.title = "名单"
        for row in rows:
            sheet.append(row)
        from handlers.xlsx_style import finish_workbook

        finish_workbook(book)
        book.save(path)
    elif path.suffix.lower() == ".csv":
        with path.open("w", newline="", encoding="utf-8-sig") as fh:
            csv.writer(fh).writerows(rows)
    else:
        raise RosterError(f"不支持的文件类型「{path.suffix}」，请使用 .xlsx 或 .csv")
