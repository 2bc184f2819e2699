"""督办: decided items — created by the office, reported on by the units, closed by the office.

The life of an item (anchors 9.2): 立项/交办 → 进展 → 办结申请 → the office closes it or sends it back.
The handling unit never closes its own item; cooperating units (配合) report progress only.
"""

from __future__ import annotations

import re

from handlers.core import (
    Context,
    Conversation,
    Incoming,
    Role,
    UserError,
    command,
    command_args,
    flow,
)
from handlers.followup import common as c
from handlers.followup import text as T
from storage import audit
from storage import followup as st

OFFICE_ROLES = {Role.OFFICE, Role.CONVENER}
UNIT_ROLES = set(c.UNIT_ROLES)
DEFAULT_DAYS = 20  # anchors 9.2: 会议纪要 items 20 days
_FIELD = re.compile(
    r"^(牵头单位|牵头|配合单位|配合|协办|期限|截止|内容|事项)\s*[:：]?\s*(.*)$", re.S
)
_SEGMENT = re.compile(r"[；;\n]+")
PROGRESS_FLOW = "督办进展"


def parse_fields(text: str) -> tuple[str, dict[str, str]]:
    """`内容；牵头 X；配合 Y、Z；期限 D` → (free text, {lead, co, due, title})."""
    free, fields = [], {}
    for part in _SEGMENT.split(text):
        part = part.strip()
        if not part:
            continue
        match = _FIELD.match(part)
        if not match:
            free.append(part)
            continue
        word, value = match.groups()
        key = {"牵": "lead", "配": "co", "协": "co", "期": "due", "截": "due"}.get(word[0], "title")
        fields[key] = value.strip()
    return "；".join(free), fields


def create_item(
    ctx: Context, title: str, lead_name: str, co: str, due_text: str, source: str = ""
) -> st.FollowupItem:
    title = c.check_text(title, "事项内容")
    leads = c.find_units(ctx, lead_name)
    if len(leads) != 1:
        raise UserError(T.bad_new("唯一的牵头单位"))
    co_units = [u for u in c.find_units(ctx, co) if u.id != leads[0].id] if co else []
    item = st.new_item(
        ctx.session,
        st.DECIDED,
        title=title,
        source=source,
        lead_unit_id=leads[0].id,
        co_unit_ids=[u.id for u in co_units],
        due=c.parse_due(ctx, due_text),
        status=st.OPEN,
        employer="",
        created_at=ctx.now,
        created_by=c.actor_id(ctx),
    )
    ctx.session.refresh(item)
    co_names = [u.name for u in co_units]
    c.log(ctx, item, "立项", f"牵头{item.lead_unit.name}，期限{T.full(item.due)} {source}".strip())
    unit_people = c.people(ctx, [item.lead_unit_id, *item.co_unit_ids])
    for unit_id, people in unit_people.items():
        ctx.push(
            people,
            T.assigned(item, co_names, ctx.today()),
            key=f"followup:assign:{item.number}:u{unit_id}",
        )
    audit.record(ctx.session, ctx.now, ctx.sender.name, "督办立项", item.number, title[:100],
                 c.actor_id(ctx))  # fmt: skip
    return item


@command("督办 新建", roles={Role.OFFICE}, usage=T.NEW_USAGE)
def new_item(msg: Incoming, ctx: Context) -> str:
    """新建一项督办事项：内容、牵头单位、配合单位和期限。"""
    free, fields = parse_fields(command_args(msg))
    title = fields.get("title") or free
    if not title:
        raise UserError(T.bad_new("事项内容"))
    if not fields.get("lead"):
        raise UserError(T.bad_new("牵头单位"))
    if not fields.get("due"):
        raise UserError(T.bad_new("期限"))
    item = create_item(ctx, title, fields["lead"], fields.get("co", ""), fields["due"])
    return T.created(item, c.unit_names(ctx, item.co_unit_ids), ctx.today())


def unit_item(ctx: Context, number: str, action: str, lead_only: bool = False) -> st.FollowupItem:
    """An item of one of the sender's units; unknown and another unit's read alike."""
    item = st.item_by_number(ctx.session, number)
    mine = c.my_units(ctx)
    units = {item.lead_unit_id, *item.co_unit_ids} if item else set()
    if item is None or not (units & mine):
        raise UserError(T.not_found(number, action))
    if item.status == st.CLOSED:
        raise UserError(T.closed_already(number))
    if lead_only and item.lead_unit_id not in mine:
        raise UserError(T.only_lead(number, item.lead_unit.name))
    return item


def _unit_of(ctx: Context, item: st.FollowupItem) -> int:
    mine = c.my_units(ctx)
    return (
        item.lead_unit_id
        if item.lead_unit_id in mine
        else next(u for u in item.co_unit_ids if u in mine)
    )


@command("进展", roles=UNIT_ROLES, usage="进展 DB7 进展情况（或发送「进展 DB7」后上传 .docx）")
def report_progress(msg: Incoming, ctx: Context) -> str:
    """报告督办事项的办理进展（文字或 .docx 文件）。"""
    number, rest = c.number_and_rest(command_args(msg), "进展 DB7 进展情况")
    item = unit_item(ctx, number, "报告进展")
    if not rest:
        ctx.start_conversation(PROGRESS_FLOW, "text", item_id=item.id)
        return f"请发送{item.number}的进展情况：文字，或 .docx 文件。"
    return record_progress(ctx, item, c.check_text(rest, "进展情况"), None)


def _progress_prompt(ctx: Context, convo: Conversation) -> str:
    return "请发送进展情况：文字，或 .docx 文件。"


@flow(PROGRESS_FLOW, prompt=_progress_prompt)
def progress_dialogue(msg: Incoming, ctx: Context, convo: Conversation) -> str:
    item = ctx.session.get(st.FollowupItem, convo.data["item_id"])
    item = unit_item(ctx, item.number, "报告进展")
    doc_id = None
    if msg.kind == "file":
        doc_id, text = c.take_file(ctx, msg, "督办", item.number)
        text = f"（附件：{msg.file_name}）{text[:500]}"
    else:
        text = c.check_text(msg.text, "进展情况")
    convo.end()
    return record_progress(ctx, item, text, doc_id)


def record_progress(ctx: Context, item: st.FollowupItem, text: str, doc_id: int | None) -> str:
    unit_id = _unit_of(ctx, item)
    c.log(ctx, item, "进展", text, unit_id=unit_id, document_id=doc_id)
    unit = c.unit_names(ctx, [unit_id])[0]
    ctx.push(c.office(ctx), T.progress_notice(item, unit, text))
    return T.progress_recorded(item)


@command("办结申请", roles=UNIT_ROLES, usage="办结申请 DB7 办理结果")
def apply_to_close(msg: Incoming, ctx: Context) -> str:
    """牵头单位办完督办事项后申请办结，由办公室审核。"""
    number, rest = c.number_and_rest(command_args(msg), "办结申请 DB7 办理结果")
    item = unit_item(ctx, number, "申请办结", lead_only=True)
    if item.prefix != st.DECIDED:
        raise UserError(f"{number}是整改事项，整改完成请发送「整改 完成 {number} 复查情况」。")
    if item.status == st.APPLIED:
        raise UserError(T.already_applied(number))
    text = c.check_text(rest, "办理结果")
    item.status = st.APPLIED
    c.log(ctx, item, "办结申请", text, unit_id=item.lead_unit_id)
    ctx.push(c.office(ctx), T.applied_notice(item, text))
    return T.applied(item)


def office_item(ctx: Context, args: str, usage: str) -> tuple[st.FollowupItem, str]:
    number, rest = c.number_and_rest(args, usage)
    item = st.item_by_number(ctx.session, number)
    if item is None:
        raise UserError(T.no_item(number))
    return item, rest


@command("督办 办结", roles={Role.OFFICE}, usage="督办 办结 DB7 [意见]")
def close_item(msg: Incoming, ctx: Context) -> str:
    """审核通过办结申请，督办事项办结。"""
    item, rest = office_item(ctx, command_args(msg), "督办 办结 DB7")
    if item.status != st.APPLIED:
        raise UserError(T.not_applied(item.number))
    item.status, item.closed_at = st.CLOSED, ctx.now
    c.log(ctx, item, "办结", rest[:1000])
    ctx.push(c.people(ctx, [item.lead_unit_id])[item.lead_unit_id], T.closed_notice(item))
    return T.closed_reply(item)


@command("督办 退回", roles={Role.OFFICE}, usage="督办 退回 DB7 原因")
def return_item(msg: Incoming, ctx: Context) -> str:
    """退回办结申请，要求牵头单位继续办理。"""
    item, rest = office_item(ctx, command_args(msg), "督办 退回 DB7 原因")
    if item.status != st.APPLIED:
        raise UserError(T.not_applied(item.number))
    if not rest.strip():
        raise UserError(T.NEED_REASON)
    reason = c.check_text(rest, "退回原因")
    item.status = st.OPEN
    c.log(ctx, item, "退回", reason)
    people = c.people(ctx, [item.lead_unit_id])[item.lead_unit_id]
    ctx.push(people, T.returned_notice(item, reason, ctx.today()))
    return T.returned_reply(item, ctx.today())
