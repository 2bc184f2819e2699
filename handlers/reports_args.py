"""Reading the arguments the report commands share: an optional month and a unit name."""

from __future__ import annotations

import re

from sqlalchemy.orm import Session

from handlers import reports_text as T
from handlers.core import Context, Role, UserError
from handlers.reports_calendar import Period
from storage.reports import SECTIONS
from storage.roster import Unit, unit_by_name


def pick_unit(units: list[Unit], args: list[str]) -> tuple[Unit, list[str]]:
    """The unit named in the arguments, or the sender's only unit."""
    for i, word in enumerate(args):
        for unit in units:
            if word == unit.name:
                return unit, args[:i] + args[i + 1 :]
    if len(units) == 1:
        return units[0], args
    names = "、".join(u.name for u in units)
    raise UserError(T.CHOOSE_UNIT.format(units=names, first=units[0].name))


def split_period(args: list[str]) -> tuple[Period | None, list[str]]:
    """A leading `YYYY-MM` (or 2026年11月) if there is one; a bad month is a UserError."""
    if args and re.match(r"^\d{4}\D", args[0]) and not re.search(r"[:：]", args[0]):
        return Period.parse(args[0]), args[1:]
    return None, args


def visible_unit(ctx: Context, args: list[str]) -> Unit:
    """The unit whose report the sender may read: any for the office, else only their own."""
    own = ctx.sender.units(Role.LIAISON) + ctx.sender.units(Role.LEADER)
    own = list({u.id: u for u in own}.values())
    named = _named_unit(ctx.session, args)
    if Role.OFFICE in ctx.sender.roles:
        if named is not None:
            return named
        if not own:
            raise UserError(T.OFFICE_NEEDS_UNIT)
    if named is not None and named.id not in {u.id for u in own}:
        raise UserError(T.NOT_YOUR_UNIT)
    return pick_unit(own, args)[0]


def _named_unit(session: Session, args: list[str]) -> Unit | None:
    for word in args:
        unit = unit_by_name(session, word)
        if unit is not None:
            return unit
    if args:
        raise UserError(T.NO_UNIT.format(name=args[0][:30]))
    return None


def render_sections(sections: dict[str, str]) -> str:
    return "\n".join(f"【{name}】{sections[name]}" for name in SECTIONS)
