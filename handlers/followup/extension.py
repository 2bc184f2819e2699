"""督办 延期: the office moves an item's deadline, with the reason on record.

The lead unit asks (`督办 申请延期`, which the deadline-day reminder names), and the office
decides and grants it (`督办 延期`), the command spelt out in the request it receives. The new
deadline is a date or a number of working days added to the current one (an extension counts
from the old deadline, not from today). Reminders follow the new deadline by themselves: their
keys carry the deadline (handlers/followup/deadlines.py).
"""

from __future__ import annotations

import re
from datetime import date

from handlers.core import Context, Incoming, Role, UserError, command, command_args
from handlers.followup import common as c
from handlers.followup import text as T
from handlers.followup.items import UNIT_ROLES, office_item, unit_item
from handlers.workdays import warn_missing_years
from storage import followup as st

USAGE = "督办 延期 DB7 2027-01-15 原因（或：督办 延期 DB7 10个工作日 原因）"
REQUEST_USAGE = "督办 申请延期 DB7 10个工作日 理由（或新的期限，如 2027-01-15）"
_BY_DAYS = re.compile(r"^(?:延长|延期)?\s*(\d{1,3})\s*个?\s*工作日\s*(.*)$", re.S)
_ON_DATE = re.compile(
    r"^(?:至|到|延至|延到)?\s*((?:\d{4}\s*[-/.年]\s*)?\d{1,2}\s*[-/.月]\s*\d{1,2}\s*[日号]?)\s*(.*)$",
    re.S,
)


def new_deadline(ctx: Context, item: st.FollowupItem, text: str) -> tuple[date, str]:
    """(the new deadline, the reason) from `10个工作日 原因` or `2027-01-15 原因`."""
    text = text.strip()
    if match := _BY_DAYS.match(text):
        days, reason = int(match.group(1)), match.group(2)
        if not 1 <= days <= 120:
            raise UserError(T.bad_extension_days(days))
        cal = c.calendar(ctx)
        due = cal.add_workdays(item.due, days)
        warn_missing_years(ctx, cal)
    elif match := _ON_DATE.match(text):
        due, reason = c.parse_due(ctx, match.group(1)), match.group(2)
    else:
        raise UserError(T.need_extension(USAGE))
    if due <= item.due:
        raise UserError(T.not_later(item.due, due, ctx.today()))
    if due < ctx.today():  # an overdue item extended by too little
        raise UserError(T.due_past(due, ctx.today()))
    return due, reason.strip(" ，,；;：:")


@command("督办 延期", roles={Role.OFFICE}, usage=USAGE)
def extend_item(msg: Incoming, ctx: Context) -> str:
    """延长督办或整改事项的办理期限，写明原因；牵头和配合单位会收到通知。"""
    item, rest = office_item(ctx, command_args(msg), USAGE)
    if item.status == st.CLOSED:
        raise UserError(T.closed_no_extension(item.number))
    due, reason = new_deadline(ctx, item, rest)
    if not reason:
        raise UserError(T.need_extension_reason(item.number))
    reason = c.check_text(reason, "延期原因")
    old = item.due
    item.due = due
    c.log(ctx, item, "延期", f"期限由{T.full(old)}延至{T.full(due)}：{reason}")
    units = [item.lead_unit_id, *item.co_unit_ids]
    people = c.people(ctx, units)
    notice = T.extended_notice(item, old, reason, ctx.today())
    for unit_id in units:
        ctx.push(people[unit_id], notice, key=f"followup:{item.number}:extended:{due}:u{unit_id}")
    return T.extended_reply(item, old, len(units), ctx.today())


@command("督办 申请延期", roles=UNIT_ROLES, usage=REQUEST_USAGE)
def request_extension(msg: Incoming, ctx: Context) -> str:
    """牵头单位申请延长督办或整改事项的期限，写明理由，由办公室决定。"""
    number, rest = c.number_and_rest(command_args(msg), REQUEST_USAGE)
    item = unit_item(ctx, number, "申请延期")
    if item.lead_unit_id not in c.my_units(ctx):
        raise UserError(T.only_lead_extension(number, item.lead_unit.name))
    due, reason = new_deadline(ctx, item, rest)
    if not reason:
        raise UserError(T.need_request_reason(number))
    reason = c.check_text(reason, "延期理由")
    c.log(ctx, item, "延期申请", f"申请延至{T.full(due)}：{reason}", unit_id=item.lead_unit_id)
    ctx.push(c.office(ctx), T.extension_requested(item, due, reason, ctx.today()))
    return T.extension_request_sent(item, due, ctx.today())
