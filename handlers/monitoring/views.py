"""预警: the open signals (health-check warnings and complaint clusters in one list), and how the
office closes one: with a note, as a decided item (督办, DB…) or as a joint inspection (JC…).

The decided item is made by the follow-up package's own `create_item`; it has no callable that
makes an inspection outside its dialogue, so `_inspection` below is a small adapter over its models
(storage.followup.new_inspection) and its wording (handlers.followup.text.inspection_notice).
"""

from __future__ import annotations

import re

from handlers.core import Context, Incoming, Role, UserError, command, command_args, split_args
from handlers.followup import common as fc
from handlers.followup import text as FT
from handlers.followup.inspections import _dates
from handlers.followup.items import create_item, parse_fields
from handlers.monitoring import text as T
from handlers.monitoring.signals import mirror_complaints
from storage import followup as fst
from storage import monitoring as st

STAFF = {Role.OFFICE, Role.CONVENER}
_NUMBER = re.compile(r"^[Yy][Jj]\s*(\d{1,9})$")


@command("预警", roles=STAFF, usage="预警")
def list_signals(msg: Incoming, ctx: Context) -> str:
    """未处置的预警：体检异常、疑似职业病和举报聚集。"""
    mirror_complaints(ctx)
    rows = st.open_signals(ctx.session)
    if not rows:
        return T.NO_SIGNALS
    return T.signal_list([T.signal_line(s.number, s.period, s.subject, s.rule, s.reason)
                          for s in reversed(rows)])  # fmt: skip


def _signal(ctx: Context, args: str, usage: str) -> tuple[st.Signal, str]:
    words = split_args(args, maxsplit=1)
    if not words or not _NUMBER.match(words[0]):
        raise UserError(T.need_note(usage))
    number = f"YJ{_NUMBER.match(words[0]).group(1)}"
    mirror_complaints(ctx)
    row = st.signal_by_number(ctx.session, number)
    if row is None:
        raise UserError(T.no_signal(number))
    if row.status == st.CLOSED:
        raise UserError(T.closed_already(row.number, row.outcome))
    return row, (words[1].strip() if len(words) > 1 else "")


def _close(ctx: Context, row: st.Signal, outcome: str) -> str:
    row.status = st.CLOSED
    row.closed_at = ctx.now
    row.closed_by = ctx.sender.person.id if ctx.sender.person else None
    row.outcome = outcome[:2000]
    return T.closed(row.number, row.outcome)


@command("预警 处置", roles={Role.OFFICE}, usage=T.DISPOSE_USAGE)
def dispose(msg: Incoming, ctx: Context) -> str:
    """处置一条预警并写明情况（查找原因、采取的措施）。"""
    row, note = _signal(ctx, command_args(msg), T.DISPOSE_USAGE)
    if not note:
        raise UserError(T.need_note(T.DISPOSE_USAGE))
    return _close(ctx, row, fc.check_text(note, "处置情况"))


@command("预警 督办", roles={Role.OFFICE}, usage=T.DECIDE_USAGE)
def to_item(msg: Incoming, ctx: Context) -> str:
    """把一条预警转为督办事项（牵头单位、期限）。"""
    row, rest = _signal(ctx, command_args(msg), T.DECIDE_USAGE)
    free, fields = parse_fields(rest)
    if not fields.get("lead") or not fields.get("due"):
        raise UserError(T.need_note(T.DECIDE_USAGE))
    title = fields.get("title") or free or f"核查处置预警{row.number}：{row.subject}"
    item = create_item(ctx, title, fields["lead"], fields.get("co", ""), fields["due"], row.number)
    return _close(
        ctx, row, f"转督办 {item.number}（牵头{item.lead_unit.name}，期限{FT.full(item.due)}）"
    )


@command("预警 检查", roles={Role.OFFICE}, usage=T.INSPECT_USAGE)
def to_inspection(msg: Incoming, ctx: Context) -> str:
    """把一条预警转为联合检查（参加单位、日期；检查对象取自预警）。"""
    row, rest = _signal(ctx, command_args(msg), T.INSPECT_USAGE)
    fields = {}
    for part in re.split(r"[；;\n]+", rest):
        word, _, value = part.strip().partition(" ")
        if word in ("参加", "参加单位", "日期"):
            fields[word[:2]] = value.strip()
    if not fields.get("参加"):
        raise UserError(T.inspection_bad("参加单位"))
    if not fields.get("日期"):
        raise UserError(T.inspection_bad("日期"))
    number = _inspection(ctx, row, fields["参加"], fields["日期"])
    return _close(ctx, row, f"转联合检查 {number}")


def _inspection(ctx: Context, row: st.Signal, unit_text: str, dates: str) -> str:
    units = fc.find_units(ctx, unit_text)
    starts, ends = _dates(ctx, dates)
    employers = row.figures.get("employers") or [_employer_of(row)]
    street = row.subject.split("·")[0] if row.rule in ("rate", "suspected") else ""
    data = {
        "subject": f"预警{row.number}核查：{row.subject}"[:200],
        "dates_text": dates,
        "unit_ids": [u.id for u in units],
        "unit_names": [u.name for u in units],
        "streets": [street] if street and "用人单位" not in street else [],
        "employers": [e for e in employers if e] or [row.subject[:200]],
    }
    inspection = fst.new_inspection(
        ctx.session, subject=data["subject"], starts_on=fc.iso(starts), ends_on=fc.iso(ends),
        unit_ids=data["unit_ids"], streets=data["streets"], employers=data["employers"],
        created_at=ctx.now, created_by=fc.actor_id(ctx),
    )  # fmt: skip
    people = fc.people(ctx, data["unit_ids"])
    for unit_id in data["unit_ids"]:
        key = f"followup:inspection:{inspection.number}:u{unit_id}"
        ctx.push(people[unit_id], FT.inspection_notice(inspection.number, data), key=key)
    return inspection.number


def _employer_of(row: st.Signal) -> str:
    match = re.search(r"用人单位「(.+?)」", row.subject)
    return match.group(1) if match else ""
