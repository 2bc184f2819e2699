"""Reading a health-check results file (.xlsx / .csv, UTF-8 or GBK): all-or-nothing, the first
bad row named by its number and column. Pure: no database; the caller stores what this returns.
"""

from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from handlers.monitoring import text as T
from handlers.referrals.warning import employer_key
from handlers.roster import RosterError, read_rows

# canonical column -> the headings accepted for it
COLUMNS = {
    "institution": ("体检机构", "职业健康检查机构", "检查机构"),
    "employer": ("用人单位", "企业", "单位名称"),
    "street": ("街道/镇", "街道（镇）", "街道(镇)", "镇街", "街道", "乡镇街道"),
    "industry": ("行业",),
    "hazard": ("危害因素", "职业病危害因素"),
    "examined": ("受检人数", "体检人数", "实检人数"),
    "abnormal": ("异常（复查）人数", "异常(复查)人数", "异常人数", "复查人数"),
    "suspected": ("疑似职业病人数", "疑似职业病"),
    "contraindicated": ("职业禁忌证人数", "职业禁忌症人数", "禁忌证人数"),
    "exam_date": ("体检日期", "检查日期"),
    "period": ("月份", "体检月份"),
}
REQUIRED = ("institution", "employer", "street", "industry", "hazard", "examined", "abnormal",
            "suspected", "contraindicated")  # fmt: skip
COUNTS = ("examined", "abnormal", "suspected", "contraindicated")
TEMPLATE_HEADER = [COLUMNS[c][0] for c in REQUIRED] + ["体检日期", "月份"]
MAX_ROWS = 50_000
_MONTH = re.compile(r"^(\d{4})\s*(?:-|/|\.|年)\s*(\d{1,2})\s*月?$")
_DATE = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:\s+0?0:00(?::00)?)?$"
)
_STREET_TAILS = ("街道办事处", "办事处", "人民政府")


class HealthFileError(ValueError):
    """The file cannot be imported; the text names the row and the column."""


@dataclass(frozen=True)
class HealthRow:
    number: int
    institution: str
    employer: str
    employer_key: str
    street: str
    industry: str
    hazard: str
    examined: int
    abnormal: int
    suspected: int
    contraindicated: int
    period: str
    exam_date: date | None


@dataclass(frozen=True)
class HealthFile:
    rows: list[HealthRow]
    content_hash: str
    first_period: str
    last_period: str


def street_name(text: str) -> str:
    """淮河路街道办事处 → 淮河路街道; 马寨镇人民政府 → 马寨镇."""
    for tail in _STREET_TAILS:
        if text.endswith(tail) and len(text) > len(tail):
            text = text[: -len(tail)]
            return text if text.endswith(("街道", "镇", "乡")) else text + "街道"
    return text


def read_file(path: Path, first: str, last: str, today: date) -> HealthFile:
    """Rows of months `first`..`last` (YYYY-MM); none after `today`."""
    try:
        cells = read_rows(path)
    except RosterError as err:
        raise HealthFileError(str(err)) from None
    return parse(cells, first, last, today)


def _columns(header: list[str]) -> dict[str, int]:
    names = [h.strip().replace(" ", "") for h in header]
    found: dict[str, int] = {}
    for key, headings in COLUMNS.items():
        for n, name in enumerate(names):
            if name in headings:
                found.setdefault(key, n)
    missing = [COLUMNS[k][0] for k in REQUIRED if k not in found]
    if "exam_date" not in found and "period" not in found:
        missing.append("体检日期或月份")
    if missing:
        raise HealthFileError(T.missing_columns(missing))
    return found


def parse(cells: list[list[str]], first: str, last: str, today: date) -> HealthFile:
    if not cells:
        raise HealthFileError(T.EMPTY_FILE)
    cols = _columns(cells[0])
    heading = {k: cells[0][i].strip() for k, i in cols.items()}
    rows: list[HealthRow] = []
    for number, raw in enumerate(cells[1:], start=2):
        if not any(c.strip() for c in raw):
            continue
        if len(rows) >= MAX_ROWS:
            raise HealthFileError(T.too_many_rows(MAX_ROWS))
        values = {k: (raw[i].strip() if i < len(raw) else "") for k, i in cols.items()}
        rows.append(_row(number, values, heading, first, last, today))
    if not rows:
        raise HealthFileError(T.EMPTY_FILE)
    digest = hashlib.sha256()
    for row in sorted(_identity(r) for r in rows):
        digest.update(repr(row).encode())
    periods = sorted(r.period for r in rows)
    return HealthFile(rows, digest.hexdigest(), periods[0], periods[-1])


def row_key(row: HealthRow) -> tuple:
    """One result of one institution: the same key in two files is the same row sent twice."""
    return (row.institution, row.employer_key, row.hazard, row.period, row.exam_date)


def _identity(row: HealthRow) -> tuple:
    return (row.institution, row.employer_key, row.street, row.industry, row.hazard,
            row.examined, row.abnormal, row.suspected, row.contraindicated, row.period,
            str(row.exam_date))  # fmt: skip


def _row(number: int, v: dict[str, str], heading: dict, first: str, last: str, today: date):
    def bad(key: str, why: str) -> HealthFileError:
        return HealthFileError(T.bad_cell(number, heading.get(key, COLUMNS[key][0]), why))

    for key in ("institution", "employer", "street", "hazard"):
        if not v[key]:
            raise bad(key, T.EMPTY_CELL)
        if len(v[key]) > 200:
            raise bad(key, T.TOO_LONG_CELL)
    counts = {key: _count(v[key], lambda why, k=key: bad(k, why)) for key in COUNTS}
    for key in ("abnormal", "suspected", "contraindicated"):
        if counts[key] > counts["examined"]:
            raise bad(key, T.more_than_examined(counts[key], counts["examined"]))
    exam_date, period = _when(v, bad, today)
    if not first <= period <= last:
        raise bad("exam_date" if exam_date else "period", T.outside(period, first, last))
    return HealthRow(
        number=number,
        institution=v["institution"],
        employer=v["employer"],
        employer_key=employer_key(v["employer"]) or v["employer"],
        street=street_name(v["street"]),
        industry=v["industry"][:100],
        hazard=v["hazard"][:50],
        period=period,
        exam_date=exam_date,
        **counts,
    )


def _count(text: str, bad) -> int:
    if not text:
        raise bad(T.EMPTY_CELL)
    try:
        value = float(text.replace(",", ""))
    except ValueError:
        raise bad(T.not_number(text)) from None
    if value != int(value) or math.isinf(value):
        raise bad(T.not_number(text))
    if value < 0:
        raise bad(T.negative(text))
    return int(value)


def _when(v: dict[str, str], bad, today: date) -> tuple[date | None, str]:
    raw_date = v.get("exam_date", "")
    if raw_date:
        match = _DATE.match(raw_date)
        try:
            if not match:
                raise ValueError
            day = date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            raise bad("exam_date", T.bad_date(raw_date)) from None
        if day > today:
            raise bad("exam_date", T.future(raw_date))
        return day, f"{day.year:04d}-{day.month:02d}"
    raw = v.get("period", "")
    if not raw:
        raise bad("period" if "period" in v else "exam_date", T.EMPTY_CELL)
    match = _MONTH.match(raw) or _DATE.match(raw)  # Excel turns 2026-10 into 2026-10-01
    if not match or not 1 <= int(match[2]) <= 12:
        raise bad("period", T.bad_month(raw))
    period = f"{int(match[1]):04d}-{int(match[2]):02d}"
    if period > f"{today.year:04d}-{today.month:02d}":
        raise bad("period", T.future(raw))
    return None, period


def month_of(value: datetime | date) -> str:
    return f"{value.year:04d}-{value.month:02d}"
