"""The roster: member units, their liaison officers and leaders, imported from a spreadsheet.

An import is all-or-nothing: a bad row is reported with its number and reason and nothing of the
file is stored. Importing again updates people in place and keeps the history of appointments.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers.core import ROSTER_ROLES
from storage.roster import Appointment, Person, Unit

HEADER = ["单位", "姓名", "职务", "角色", "企业微信账号", "钉钉账号", "手机"]
ROLE_NAMES = [r.value for r in ROSTER_ROLES]
_MOBILE = re.compile(r"^1\d{10}$")


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


@dataclass(frozen=True)
class ImportResult:
    units_created: int
    people_created: int
    people_updated: int
    appointments_started: int
    appointments_ended: int


def read_rows(path: Path) -> list[list[str]]:
    """Cells of a .xlsx or .csv file as strings, header included."""
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        from openpyxl import load_workbook

        book = load_workbook(path, read_only=True, data_only=True)
        try:
            return [
                ["" if v is None else str(v).strip() for v in row]
                for row in book.worksheets[0].iter_rows(values_only=True)
            ]
        finally:
            book.close()  # read-only workbooks keep the file open until closed
    if suffix == ".csv":
        raw = path.read_bytes()
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = raw.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise RosterError("文件编码无法识别，请另存为 UTF-8 编码的 CSV")
        return [[c.strip() for c in row] for row in csv.reader(io.StringIO(text))]
    raise RosterError(f"不支持的文件类型「{suffix}」，请使用 .xlsx 或 .csv")


def parse_rows(rows: list[list[str]]) -> list[RosterRow]:
    if not rows or [c.strip() for c in rows[0][: len(HEADER)]] != HEADER:
        raise RosterError(f"第1行应为表头：{','.join(HEADER)}")
    parsed: list[RosterRow] = []
    seen_accounts: dict[str, tuple[int, str]] = {}
    for number, cells in enumerate(rows[1:], start=2):
        cells = [*cells, *[""] * len(HEADER)][: len(HEADER)]
        if not any(cells):
            continue
        row = RosterRow(number, *cells)
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
    return parsed


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


def _match_person(session: Session, row: RosterRow) -> Person | None:
    for column, value in ((Person.wecom_userid, row.wecom), (Person.dingtalk_userid, row.dingtalk)):
        if value:
            person = session.scalar(select(Person).where(column == value))
            if person:
                return person
    return None


def apply_rows(
    session: Session, rows: list[RosterRow], now: datetime, *, demo: bool = False
) -> ImportResult:
    """Store the rows: the file is authoritative for each unit it names."""
    units: dict[str, Unit] = {}
    counts = dict(units_created=0, people_created=0, people_updated=0, started=0, ended=0)
    wanted: set[tuple[int, int, str]] = set()
    for row in rows:
        unit = units.get(row.unit) or session.scalar(select(Unit).where(Unit.name == row.unit))
        if unit is None:
            unit = Unit(name=row.unit, kind=_unit_kind(row.unit), demo=demo)
            session.add(unit)
            counts["units_created"] += 1
        units[row.unit] = unit
        person = _match_person(session, row)
        if person is None:
            person = Person(name=row.name, demo=demo)
            session.add(person)
            counts["people_created"] += 1
        elif (person.name, person.title, person.mobile) != (
            row.name,
            row.title,
            row.mobile or None,
        ):
            counts["people_updated"] += 1
        person.name, person.title = row.name, row.title
        person.wecom_userid = row.wecom or person.wecom_userid
        person.dingtalk_userid = row.dingtalk or person.dingtalk_userid
        person.mobile = row.mobile or None
        session.flush()
        wanted.add((person.id, unit.id, row.role))
    current = session.scalars(
        select(Appointment).where(
            Appointment.unit_id.in_([u.id for u in units.values()]),
            Appointment.ended_at.is_(None),
        )
    )
    have = set()
    for appt in current:
        key = (appt.person_id, appt.unit_id, appt.role)
        if key in wanted:
            have.add(key)
        else:
            appt.ended_at = now
            counts["ended"] += 1
    for person_id, unit_id, role in sorted(wanted - have):
        session.add(Appointment(person_id=person_id, unit_id=unit_id, role=role, started_at=now))
        counts["started"] += 1
    session.flush()
    return ImportResult(
        counts["units_created"],
        counts["people_created"],
        counts["people_updated"],
        counts["started"],
        counts["ended"],
    )


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
        book.save(path)
    elif path.suffix.lower() == ".csv":
        with path.open("w", newline="", encoding="utf-8-sig") as fh:
            csv.writer(fh).writerows(rows)
    else:
        raise RosterError(f"不支持的文件类型「{path.suffix}」，请使用 .xlsx 或 .csv")
