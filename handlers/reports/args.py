"""Reading the arguments the report commands share: an optional month and a unit name.

People write months many ways (2026-11, 2026年11月, 202611, 11月, 十一月, 上月) and put the month
and the unit in either order; a unit may be abbreviated (人社局 for 区人社局). A word that is neither
is refused, never silently ignored: ignoring it would show or file the wrong month.
"""

from __future__ import annotations

import re
from datetime import date

from handlers.core import Context, Role, UserError
from handlers.reports import text as T
from handlers.reports.calendar import Period
from handlers.units import candidates
from storage.reports import SECTIONS
from storage.roster import Unit, member_units, unit_by_name

_YEARLESS = re.compile(r"^(\d{1,2}|[一二三四五六七八九十]{1,3})月份?$")
_SIX_DIGITS = re.compile(r"^(\d{4})(\d{2})$")
_CN_MONTHS = {
    m: i
    for i, m in enumerate(
        ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二"], 1
    )
}
_RELATIVE = {"本月": 0, "这个月": 0, "当月": 0, "上月": -1, "上个月": -1}


def parse_month(word: str, today: date) -> Period | None:
    """The month a word names, None if it does not look like a month; a bad month is a UserError.

    A month without a year is the latest such month up to next month (in November, 12月 is this
    December and 6月 is this June; in January, 12月 is last December).
    """
    word = word.strip()
    this = Period.of(today)
    if word in _RELATIVE:
        return this.prev() if _RELATIVE[word] else this
    six = _SIX_DIGITS.match(word)
    if six:
        return Period.parse(f"{six[1]}-{six[2]}")
    if re.match(r"^\d{4}\D", word):
        return Period.parse(word)
    yearless = _YEARLESS.match(word)
    if yearless:
        raw = yearless[1]
        month = int(raw) if raw.isdigit() else _CN_MONTHS.get(raw, 0)
        if not 1 <= month <= 12:
            raise UserError(T.BAD_PERIOD.format(text=word[:20]))
        year = today.year if month <= today.month + 1 else today.year - 1
        return Period(year, month)
    return None


def split_period(args: list[str], today: date) -> tuple[Period | None, list[str]]:
    """The month named anywhere in the arguments, and the other arguments."""
    for i, word in enumerate(args):
        period = parse_month(word, today)
        if period is not None:
            return period, args[:i] + args[i + 1 :]
    return None, args


def refuse_extra(args: list[str], usage: str) -> None:
    """A word the command does not understand is an error, not something to skip."""
    if args:
        raise UserError(T.UNKNOWN_ARG.format(word=" ".join(args)[:30], usage=usage))


def match_unit(word: str, units: list[Unit]) -> Unit | None:
    """The unit a word names: its full name, or a part of exactly one unit's name."""
    found = candidates(units, word)
    if len(found) > 1:
        names = "、".join(u.name for u in found[:6])
        raise UserError(T.MANY_UNITS.format(name=word[:20], units=names))
    return found[0] if found else None


def pick_unit(units: list[Unit], args: list[str]) -> tuple[Unit, list[str]]:
    """The sender's unit named in the arguments, or the sender's only unit."""
    for i, word in enumerate(args):
        unit = match_unit(word, units)
        if unit is not None:
            return unit, args[:i] + args[i + 1 :]
    if len(units) == 1:
        return units[0], args
    names = "、".join(u.name for u in units)
    raise UserError(T.CHOOSE_UNIT.format(units=names, first=units[0].name))


def visible_unit(ctx: Context, args: list[str], usage: str) -> Unit:
    """The unit whose report the sender may read: any for the office, else only their own."""
    own = ctx.sender.units(Role.LIAISON) + ctx.sender.units(Role.LEADER)
    own = list({u.id: u for u in own}.values())
    named, rest = _named_unit(ctx, args)
    refuse_extra(rest, usage)
    if Role.OFFICE in ctx.sender.roles:
        if named is not None:
            return named
        if not own:
            raise UserError(T.OFFICE_NEEDS_UNIT)
    if named is not None:
        if named.id not in {u.id for u in own}:
            raise UserError(T.NOT_YOUR_UNIT)
        return named
    return pick_unit(own, [])[0]


def _named_unit(ctx: Context, args: list[str]) -> tuple[Unit | None, list[str]]:
    if not args:
        return None, args
    units = member_units(ctx.session)
    for i, word in enumerate(args):
        unit = unit_by_name(ctx.session, word) or match_unit(
            word, units
        )  # exact: a former unit too
        if unit is not None:
            return unit, args[:i] + args[i + 1 :]
    raise UserError(T.NO_UNIT.format(name=args[0][:30]))


def render_sections(sections: dict[str, str]) -> str:
    return "\n".join(f"【{name}】{sections[name]}" for name in SECTIONS)
