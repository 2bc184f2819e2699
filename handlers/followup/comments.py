"""征求意见: the office circulates a draft; each asked unit answers once with the annex-3 form
(修改意见反馈表), replaceable until the deadline. Silence is recorded as 未反馈, never as agreement
(anchors 9.3). Seed 附件1 五(四): 以办公室名义征求意见, 由区卫健委代章.
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
from handlers.followup import comments_text as T
from handlers.followup import common as c
from storage import followup as st

ROUND_FLOW, OPINION_FLOW = "征求意见", "修改意见"
ROLES = ("分管领导", "联络员")
FIELDS = ("姓名", "职务", "办公电话", "手机号码")
_EDIT = re.compile(
    r"^(分管领导|领导|联络员)\s*(姓名|职务|办公电话|电话|手机号码|手机)\s*[:：为是]?\s*(.+)$"
)
_UNIT_EDIT = re.compile(r"^单位名称\s*[:：]?\s*(.+)$")
NONE_WORDS = ("无", "无意见", "无修改意见", "没有意见")


@command("征求意见", roles={Role.OFFICE}, usage="征求意见")
def start_round(msg: Incoming, ctx: Context) -> str:
    """以办公室名义向成员单位征求意见（标题、征求意见稿、单位、截止日期）。"""
    ctx.start_conversation(ROUND_FLOW, "title")
    return T.ASK_TITLE


def _round_prompt(ctx: Context, convo: Conversation) -> str:
    return {
        "title": T.ASK_TITLE,
        "draft": T.ASK_DRAFT,
        "units": T.ASK_UNITS,
        "due": T.ASK_DUE,
    }.get(convo.step, T.ASK_CONFIRM)


@flow(ROUND_FLOW, prompt=_round_prompt)
def round_dialogue(msg: Incoming, ctx: Context, convo: Conversation) -> str:
    data, text = convo.data, msg.text.strip()
    if convo.step == "draft":
        if msg.kind == "file":
            data["doc_id"], body = c.take_file(ctx, msg, "征求意见稿", "征求意见")
            data["text"] = body[:20000]
        else:
            data["text"], data["doc_id"] = c.check_text(text, "征求意见稿"), None
        convo.goto("units")
        return T.ASK_UNITS
    if msg.kind == "file":
        raise UserError(_round_prompt(ctx, convo))
    if convo.step == "title":
        data["title"] = c.check_text(text, "标题")[:200]
        convo.goto("draft")
        return T.ASK_DRAFT
    if convo.step == "units":
        units = (
            c.member_units_all(ctx) if text in ("全部", "所有", "全体") else c.find_units(ctx, text)
        )
        if not units:
            raise UserError(T.ASK_UNITS)
        data["unit_ids"] = [u.id for u in units]
        convo.goto("due")
        return T.ASK_DUE
    if convo.step == "due":
        data["due"] = c.parse_due(ctx, text).isoformat()
        convo.goto("confirm")
        names = c.unit_names(ctx, data["unit_ids"])
        return T.round_preview(
            data["title"], names, c.iso(data["due"]), bool(data.get("doc_id")), ctx.today()
        )
    if text not in T.CONFIRM_WORDS:
        raise UserError(T.ASK_CONFIRM)
    convo.end()
    return _send_round(ctx, data)


def _send_round(ctx: Context, data: dict) -> str:
    row = st.new_round(
        ctx.session,
        title=data["title"],
        text=data["text"],
        document_id=data.get("doc_id"),
        due=c.iso(data["due"]),
        created_at=ctx.now,
        created_by=c.actor_id(ctx),
    )
    excerpt = "" if data.get("doc_id") else data["text"][:300]
    people = c.people(ctx, data["unit_ids"])
    for unit_id in data["unit_ids"]:
        ctx.session.add(st.CommentReply(round_id=row.id, unit_id=unit_id, status=st.PENDING))
        key = f"followup:round:{row.number}:u{unit_id}"
        ctx.push(
            people[unit_id],
            T.round_notice(row.number, row.title, row.due, excerpt, ctx.today()),
            key=key,
        )
        if row.document_id:
            payload = {"document_id": row.document_id, "safe": 1}
            ctx.push(people[unit_id], kind="file", payload=payload, key=f"{key}:file")
    ctx.session.flush()
    return T.round_sent(row.number, len(data["unit_ids"]))


def my_reply(ctx: Context, number: str) -> tuple[st.CommentRound, st.CommentReply]:
    row = st.round_by_number(ctx.session, number)
    mine = c.my_units(ctx)
    replies = [r for r in st.replies(ctx.session, row.id) if r.unit_id in mine] if row else []
    if row is None or not replies:
        raise UserError(T.no_round(number))
    if row.closed_at is not None or ctx.now >= c.end_of(ctx, row.due):
        raise UserError(T.round_over(row.number, row.due, ctx.today()))
    return row, replies[0]


@command("意见", roles=set(c.UNIT_ROLES), usage="意见 ZQ3 修改意见（或「意见 ZQ3 无」）")
def answer_round(msg: Incoming, ctx: Context) -> str:
    """对征求意见稿反馈修改意见（文字或 .docx），没有意见回复「无」；截止前可替换。"""
    number, rest = c.number_and_rest(command_args(msg), "意见 ZQ3 修改意见")
    row, reply = my_reply(ctx, number)
    convo = ctx.start_conversation(OPINION_FLOW, "opinion", round_id=row.id, reply_id=reply.id)
    if not rest:
        return T.ask_opinion(row.number)
    return _take_opinion(ctx, convo, rest, None)


def _opinion_prompt(ctx: Context, convo: Conversation) -> str:
    row = ctx.session.get(st.CommentRound, convo.data["round_id"])
    if convo.step == "opinion":
        return T.ask_opinion(row.number)
    return T.form_card(row.number, convo.data["opinion"] or "无", convo.data["form"])


def _take_opinion(ctx: Context, convo: Conversation, text: str, doc_id: int | None) -> str:
    reply = ctx.session.get(st.CommentReply, convo.data["reply_id"])
    none = text.strip() in NONE_WORDS and doc_id is None
    convo.data["opinion"] = "" if none else c.check_text(text, "修改意见")
    convo.data["doc_id"] = doc_id
    convo.data["form"] = _prefill(ctx, reply)
    convo.goto("form")
    return _opinion_prompt(ctx, convo)


@flow(OPINION_FLOW, prompt=_opinion_prompt)
def opinion_dialogue(msg: Incoming, ctx: Context, convo: Conversation) -> str:
    row = ctx.session.get(st.CommentRound, convo.data["round_id"])
    row, _reply = my_reply(ctx, row.number)  # the deadline may have passed meanwhile
    if convo.step == "opinion":
        if msg.kind == "file":
            doc_id, body = c.take_file(ctx, msg, "修改意见", row.number)
            return _take_opinion(ctx, convo, f"（见附件 {msg.file_name}）\n{body[:19000]}", doc_id)
        return _take_opinion(ctx, convo, msg.text, None)
    text = msg.text.strip()
    if text in T.CONFIRM_WORDS:
        convo.end()
        return _save(ctx, row, convo.data)
    _edit_form(convo.data["form"], text)
    return _opinion_prompt(ctx, convo)


def _edit_form(form: dict, text: str) -> None:
    changed = False
    for part in re.split(r"[；;\n]+", text):
        part = part.strip()
        if match := _EDIT.match(part):
            role, field, value = match.groups()
            role = "分管领导" if role == "领导" else role
            field = {"电话": "办公电话", "手机": "手机号码"}.get(field, field)
            form[role][field] = value.strip()[:50]
            changed = True
        elif match := _UNIT_EDIT.match(part):
            form["单位名称"] = match.group(1).strip()[:100]
            changed = True
    if not changed:
        raise UserError(T.BAD_FORM_EDIT)


def _prefill(ctx: Context, reply: st.CommentReply) -> dict:
    """The unit's last form if it filled one in, else the roster's leader and liaison officer."""
    last = st.last_form(ctx.session, reply.unit_id)
    if last:
        return {**last, "单位名称": last.get("单位名称") or reply.unit.name}
    held = c.people(ctx, [reply.unit_id], (Role.LEADER,))[reply.unit_id]
    liaison = c.people(ctx, [reply.unit_id], (Role.LIAISON,))[reply.unit_id]
    form: dict = {"单位名称": reply.unit.name}
    for role, found in zip(ROLES, (held, liaison), strict=True):
        person = found[0] if found else None
        form[role] = {
            "姓名": person.name if person else "",
            "职务": person.title if person else "",
            "办公电话": "",
            "手机号码": (person.mobile or "") if person else "",
        }
    return form


def _save(ctx: Context, row: st.CommentRound, data: dict) -> str:
    reply = ctx.session.get(st.CommentReply, data["reply_id"])
    replaced = reply.answered_at is not None
    reply.status = st.ANSWERED if data["opinion"] else st.NO_OPINION
    reply.opinion, reply.document_id, reply.form = data["opinion"], data.get("doc_id"), data["form"]
    reply.answered_by, reply.answered_at = c.actor_id(ctx), ctx.now
    ctx.session.flush()
    return T.opinion_saved(row.number, row.due, replaced, ctx.today())
