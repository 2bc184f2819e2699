"""督办 (one's own items, or the office's board), 督办 情况, 督办 查看: where things stand."""

from __future__ import annotations

from handlers.core import Context, Incoming, UserError, command, command_args
from handlers.dates import moment
from handlers.followup import common as c
from handlers.followup import text as T
from handlers.followup.items import OFFICE_ROLES, UNIT_ROLES, office_item
from storage import followup as st

MAX_CLOSED_SHOWN = 10


@command("督办", roles=OFFICE_ROLES | UNIT_ROLES, usage="督办")
def my_items(msg: Incoming, ctx: Context) -> str:
    """查看本单位的督办和整改事项（办公室：全部事项的情况）。"""
    if ctx.sender.roles & OFFICE_ROLES:
        return board(ctx)
    mine = c.my_units(ctx)
    rows = [
        i
        for i in st.items(ctx.session, st.FollowupItem.status != st.CLOSED)
        if {i.lead_unit_id, *i.co_unit_ids} & mine
    ]
    if not rows:
        return T.mine_empty()
    lines = ["本单位的督办和整改事项："]
    for item in rows:
        role = "牵头" if item.lead_unit_id in mine else "配合"
        lines.append(T.item_line(item, ctx.today(), f"{role}，{_state(ctx, item)}"))
    lines.append("报告进展：「进展 编号 情况」；牵头单位办完：「办结申请 编号 办理结果」。")
    return "\n".join(lines)


def _state(ctx: Context, item: st.FollowupItem) -> str:
    late = c.overdue_days(ctx, item)
    if item.status == st.CLOSED:
        return "已办结" + (f"（超期{late}个工作日）" if late else "")
    return T.STATE[item.status] + (f"，已超期{late}个工作日" if late else "")


@command("督办 情况", roles=OFFICE_ROLES, usage="督办 情况")
def show_board(msg: Incoming, ctx: Context) -> str:
    """按状态列出全部督办和整改事项，超期的写明超期天数。"""
    return board(ctx)


def board(ctx: Context) -> str:
    rows = st.items(ctx.session)
    if not rows:
        return "目前没有督办事项。发送「督办 新建」立项，或在纪要签发后「督办 立项 会议号」。"
    today = ctx.today()
    open_rows = [i for i in rows if i.status == st.OPEN]
    late = sorted(
        (i for i in open_rows if c.overdue_days(ctx, i)), key=lambda i: -c.overdue_days(ctx, i)
    )
    sections = [
        ("已超期", [T.item_line(i, today, f"超期{c.overdue_days(ctx, i)}个工作日") for i in late]),
        ("办理中", [T.item_line(i, today) for i in open_rows if i not in late]),
        ("待审核办结", [T.item_line(i, today) for i in rows if i.status == st.APPLIED]),
    ]
    closed = [i for i in rows if i.status == st.CLOSED]
    lines = [f"督办情况：共{len(rows)}项，超期{len(late)}项，已办结{len(closed)}项。"]
    for title, items in sections:
        if items:
            lines.append(f"【{title}】{len(items)}项")
            lines += items
    if closed:
        lines.append(f"【已办结】{len(closed)}项")
        lines += [T.item_line(i, today, _state(ctx, i)) for i in closed[-MAX_CLOSED_SHOWN:]]
    return "\n".join(lines)


@command("督办 查看", roles=OFFICE_ROLES | UNIT_ROLES, usage="督办 查看 DB7")
def show_item(msg: Incoming, ctx: Context) -> str:
    """查看一项督办或整改事项及其全部办理记录。"""
    args = command_args(msg)
    if ctx.sender.roles & OFFICE_ROLES:
        item, _ = office_item(ctx, args, "督办 查看 DB7")
    else:
        number, _ = c.number_and_rest(args, "督办 查看 DB7")
        item = st.item_by_number(ctx.session, number)
        if item is None or not ({item.lead_unit_id, *item.co_unit_ids} & c.my_units(ctx)):
            raise UserError(T.not_found(number, "查看"))
    co = "、".join(c.unit_names(ctx, item.co_unit_ids)) or "无"
    lines = [
        f"{item.number}：{item.title}",
        f"牵头：{item.lead_unit.name}；配合：{co}；期限：{T.d(item.due, ctx.today())}；状态：{_state(ctx, item)}",
    ]
    if item.employer:
        lines.append(f"用人单位：{item.employer}")
    lines.append("办理记录：")
    for event in st.history(ctx.session, item.id):
        when = moment(event.at, ctx.local())
        lines.append(f"{when} {event.actor} {event.action} {event.note[:100]}".rstrip())
    return "\n".join(lines)
