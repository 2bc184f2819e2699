"""What every referral command shares: finding a case and a unit, guarding transitions, history.

A refused transition raises UserError before anything is written, and the router rolls back the
handler's savepoint, so "refused" always means "changed nothing".
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from handlers.core import Context, Role, UserError, split_args
from handlers.duties import Suggestion, suggest_units
from handlers.referrals import text as tx
from handlers.units import candidates, short_name
from handlers.workdays import WorkCalendar
from storage import referrals as st
from storage.roster import Person, Unit, holders, member_units, people_with_role

LOCAL_KINDS = ("镇街", "管委会")


_NUMBER = re.compile(r"(?<![A-Za-z0-9])(?:JB)?(\d{12})(?![0-9])", re.IGNORECASE)
_SEPARATORS = " \u3000\t\n,，、;；:：.。"


def _number_and_rest(args: str, usage: str) -> tuple[str, str]:
    """The case number as written (upper-cased, «JB» added) and the rest of the text.

    People write the number in lower case, without «JB», after the other arguments, or set off by
    a full-width comma or colon; all of these find the case. The rest keeps its inner wording."""
    text = args.strip()
    match = _NUMBER.search(text)
    if match:
        number = "JB" + unicodedata.normalize("NFKC", match.group(1))
        rest = text[: match.start()] + " " + text[match.end() :]
    else:
        words = split_args(text, maxsplit=1)
        if not words:
            raise UserError(tx.NEED_NUMBER.format(usage=usage))
        number, rest = words[0].rstrip(_SEPARATORS), " ".join(words[1:])
    return number.upper()[:20], rest.lstrip(_SEPARATORS).rstrip(" \u3000\t\n,，、;；:：")


def take_case(ctx: Context, args: str, usage: str) -> tuple[st.ReferralCase, str]:
    """The case named in the arguments (for the office, who may see every case), and the rest."""
    number, rest = _number_and_rest(args, usage)
    case = st.case_by_number(ctx.session, number)
    if case is None:
        raise UserError(tx.NOT_FOUND.format(number=number))
    return case, rest


def take_unit_case(ctx: Context, args: str, usage: str, action: str) -> tuple[st.ReferralCase, str]:
    """A case referred to one of the sender's units, and the rest of the text.

    A number that does not exist and another unit's case get the same words, built from what was
    typed only, so a liaison officer cannot learn which case numbers exist elsewhere."""
    number, rest = _number_and_rest(args, usage)
    case = st.case_by_number(ctx.session, number)
    mine = {u.id for u in ctx.sender.units(Role.LIAISON)}
    if case is None or case.unit_id is None or case.unit_id not in mine:
        raise UserError(tx.NOT_YOURS.format(number=number, action=action))
    return case, rest


def require(case: st.ReferralCase, states: tuple[str, ...], action: str, hint: str = "") -> None:
    if case.status not in states:
        raise UserError(tx.cannot(case.number, case.status, action, hint))


def log_event(
    ctx: Context,
    case: st.ReferralCase,
    action: str,
    note: str = "",
    key: str | None = None,
    anonymous: bool = False,
) -> st.ReferralEvent:
    """Append one line to the case's history; the actor is the sender (系统 for jobs), or
    「举报人」 when the sender is the reporter, whose name must not reach the history."""
    person = None if anonymous else ctx.sender.person
    system = ctx.sender.channel == "system" and not anonymous
    entry = st.ReferralEvent(
        case_id=case.id,
        at=ctx.now,
        actor=person.name if person else ("系统" if system else "举报人"),
        actor_person_id=person.id if person else None,
        action=action,
        status=case.status,
        note=note,
        key=key,
    )
    ctx.session.add(entry)
    ctx.session.flush()
    return entry


def office_people(ctx: Context) -> list[Person]:
    return people_with_role(ctx.session, Role.OFFICE)


def liaisons(ctx: Context, unit_id: int | None) -> list[Person]:
    return holders(ctx.session, unit_id, Role.LIAISON) if unit_id else []


def leaders(ctx: Context, unit_id: int | None) -> list[Person]:
    return holders(ctx.session, unit_id, Role.LEADER) if unit_id else []


def unit_name(ctx: Context, unit_id: int | None) -> str:
    unit = ctx.session.get(Unit, unit_id) if unit_id else None
    return unit.name if unit else "—"


def unit_candidates(ctx: Context, name: str) -> list[Unit]:
    return candidates(member_units(ctx.session), name.strip())


def find_unit(ctx: Context, name: str) -> Unit:
    """A member unit from a loose name: exact, contained, in-order characters, a common or former
    name (环保局, 安监局, 住建局…), or else a list of close spellings to choose from. A fragment
    that many names contain (`区`) asks for more instead of guessing."""
    name = name.strip()
    units = member_units(ctx.session)
    found = candidates(units, name) or [u for u in units if name and name in u.name]
    if len(found) == 1:
        return found[0]
    if found:
        raise UserError(tx.many_units(name[:20], [u.name for u in found]))
    close = difflib.get_close_matches(name, [u.name for u in units], n=3, cutoff=0.4)
    hint = f"您是不是要：{'、'.join(close)}？" if close else "发送「案件 编号」可查看建议承办单位。"
    raise UserError(tx.NO_UNIT_MATCH.format(name=name[:20], hint=hint))


def hazards_of(hazard: str) -> list[str]:
    """The hazard types of a case: «粉尘、噪声» -> [粉尘, 噪声]."""
    return [h for h in hazard.split("、") if h]


def suggest(hazard: str, description: str, street: str = "") -> list[Suggestion]:
    """Suggested units for every hazard type of the case, each unit once, best first."""
    found: dict[str, Suggestion] = {}
    for one in hazards_of(hazard) or [hazard]:
        for suggestion in suggest_units(one, description, street):
            found.setdefault(suggestion.unit, suggestion)
    return list(found.values())[:3]


def street_of(ctx: Context, place: str) -> str:
    """The 镇/街道/管委会 whose area the address names, if it names one (longest form first)."""
    forms: list[tuple[str, str]] = []
    for unit in member_units(ctx.session):
        if unit.kind in LOCAL_KINDS:
            short = short_name(unit.name)
            forms += [(unit.name, unit.name), (short + "街道", unit.name), (short, unit.name)]
    for form, unit in sorted(forms, key=lambda f: -len(f[0])):
        if len(form) >= 2 and form in place:
            return unit
    return ""


def calendar(ctx: Context) -> WorkCalendar:
    """One working-day calendar per transaction (it caches each year it reads), so a list of
    fifty cases reads the holidays once, not twice per line."""
    cal = ctx.session.info.get("referrals.calendar")
    if cal is None:
        cal = ctx.session.info["referrals.calendar"] = WorkCalendar(ctx.session)
    return cal


def local_day(ctx: Context, moment: datetime | None = None) -> date:
    return ctx.local(moment).date()


def at_local(ctx: Context, day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=ctx.tz)


def end_of(ctx: Context, day: date) -> datetime:
    """A deadline day ends at midnight local time."""
    return at_local(ctx, day + timedelta(days=1), 0)


def overdue_stage(ctx: Context, case: st.ReferralCase) -> str:
    """'签收' or '反馈' when that deadline has passed while the unit still has the case."""
    if case.status == st.REFERRED and case.sign_due and ctx.now >= end_of(ctx, case.sign_due):
        return "签收"
    if case.status in st.AT_UNIT and case.answer_due and ctx.now >= end_of(ctx, case.answer_due):
        return "反馈"
    return ""


def next_due(case: st.ReferralCase) -> date | None:
    if case.status == st.REFERRED:
        return case.sign_due
    return case.answer_due if case.status == st.SIGNED else None


def open_by_urgency(ctx: Context) -> list[st.ReferralCase]:
    """Open cases: overdue first, then the nearest deadline, then the oldest without one."""

    def urgency(case: st.ReferralCase) -> tuple:
        due = next_due(case)
        return (0 if overdue_stage(ctx, case) else 1, due or date.max, case.created_at)

    return sorted(st.open_cases(ctx.session), key=urgency)


def cases_at_unit(ctx: Context, unit_ids: set[int]) -> list[st.ReferralCase]:
    stmt = select(st.ReferralCase).where(
        st.ReferralCase.unit_id.in_(unit_ids), st.ReferralCase.status.in_(st.AT_UNIT)
    )
    return list(ctx.session.scalars(stmt.order_by(st.ReferralCase.answer_due)))
