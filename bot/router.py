"""Dispatch: find the command in the handlers' registry, check the sender's role, run dialogues.

Conversation state lives in the database, so any worker can continue it; `取消` leaves any of them.
Unknown input gets a short hint with the closest command, never a stack trace.
"""

from __future__ import annotations

import difflib
import logging
import re
import unicodedata

from sqlalchemy import bindparam, delete, select

from handlers import core
from handlers.core import (
    Command,
    Context,
    Conversation,
    Incoming,
    Reply,
    Role,
    UserError,
    split_command,
)
from storage.conversations import ConversationState, open_state, seal_state, state_key
from storage.db import is_reading
from storage.sealing import SealError

log = logging.getLogger(__name__)

CANCEL_WORDS = {"取消", "退出", "算了"}
_SPLIT = re.compile(r"[\s\u3000]+")
# what may follow a keyword for the message to be a command mid-dialogue: the number of a meeting
# (HY12), a case (JB202611230001) or any domain's two-letter code, a month (2026-10, 2026年10月)
# or a quarter (2026Q3, 2026年第三季度)
_ID = re.compile(
    r"""(?: [A-Z]{2} \s* \d{1,14}
          | \d{4} \s* (?:-|/|\.|年) \s* \d{1,2} \s* 月?
          | \d{4} \s* Q \s* [1-4]
          | \d{4} \s* 年 \s* 第? \s* [1-4一二三四] \s* 季度
        ) (?![0-9A-Za-z])""",
    re.IGNORECASE | re.VERBOSE,
)


def command_in_dialogue(text: str) -> Command | None:
    """The one rule for a message sent while a dialogue waits for an answer.

    A keyword alone (`帮助`, `月报 查看`) or a keyword followed by an id (`举报人 JB…`,
    `参加 HY12`, `月报 查看 2026-10`, `简报 生成 2026Q3`) is a command; anything else, even text
    that starts like a keyword (`举报人很多`, `帮助 我是谁`), is the answer.
    """
    cmd, rest = split_command(text)
    if cmd is None:
        return None
    if not rest or _ID.match(unicodedata.normalize("NFKC", rest)):
        return cmd
    return None


def user_key(msg: Incoming) -> str:
    return f"{msg.channel}:{msg.user_id}"


def closest_commands(text: str, roles: frozenset[Role]) -> list[str]:
    allowed = [w for w, c in core.COMMANDS.items() if c.allows(roles) and not c.hidden]
    head = _SPLIT.split(text.strip(), maxsplit=1)[0] if text.strip() else ""
    return difflib.get_close_matches(head, allowed, n=2, cutoff=0.34)


def hint_for(text: str, roles: frozenset[Role]) -> str:
    close = closest_commands(text, roles)
    if close:
        return (
            f"没有识别「{text[:20]}」。您是不是要：{'、'.join(close)}？发送「帮助」查看全部指令。"
        )
    return "没有识别这条消息。发送「帮助」查看您可以使用的指令。"


def refusal(cmd: Command) -> str:
    roles = "、".join(sorted(r.value for r in cmd.roles or ()))
    return f"「{cmd.keyword}」仅限{roles}使用，您当前没有相应身份。如有疑问请联系联席会议办公室。"


_STATE = select(
    ConversationState.flow,
    ConversationState.step,
    ConversationState.sealed,
    ConversationState.expires_at,
).where(ConversationState.user_key == bindparam("key"))


def load_conversation(ctx: Context, msg: Incoming) -> tuple[Conversation | None, str]:
    """The sender's live conversation, or None; the note says if an old one just expired."""
    key = state_key(ctx.seal_key, msg.channel, msg.user_id)
    row = ctx.session.execute(_STATE, {"key": key}).first()  # Core: most messages find none
    if row is None:
        return None, ""
    flow = core.FLOWS.get(row.flow)
    if flow is None or row.expires_at <= ctx.now:
        ctx.session.execute(delete(ConversationState).where(ConversationState.user_key == key))
        return None, f"（上次未完成的「{row.flow}」已超时，已自动取消。）\n" if flow else ""
    try:  # the state is sealed: a 举报 in progress names an employer and the reporter's contact
        data = open_state(ctx.seal_key, row.sealed)
    except SealError:  # sealed under another key: as good as lost, so the dialogue starts over
        ctx.session.execute(delete(ConversationState).where(ConversationState.user_key == key))
        return None, f"（上次未完成的「{row.flow}」已无法继续，已自动取消。）\n"
    return Conversation(flow=row.flow, step=row.step, data=data), ""


def save_conversation(ctx: Context, msg: Incoming, convo: Conversation | None) -> None:
    """Store the dialogue's state sealed, or delete its row once it has ended (a filed 举报's
    state goes the moment the case is stored). The row is keyed by a keyed hash of the sender."""
    key = state_key(ctx.seal_key, msg.channel, msg.user_id)
    if convo is None or convo.ended:
        ctx.session.execute(delete(ConversationState).where(ConversationState.user_key == key))
        return
    flow = core.FLOWS[convo.flow]
    row = ctx.session.get(ConversationState, key) or ConversationState(user_key=key)
    row.flow, row.step = convo.flow, convo.step
    row.sealed = seal_state(ctx.seal_key, dict(convo.data))  # never in clear, not even old rows
    row.expires_at = ctx.now + flow.timeout
    row.updated_at = ctx.now
    ctx.session.add(row)


def run_guarded(ctx: Context, func, *args) -> Reply:
    """Run a handler inside a savepoint: a UserError undoes its changes and becomes the answer.

    A read-only transaction needs no savepoint: it can change nothing, and a handler that tried
    is run again as a writer (storage.db.WriteAttempted)."""
    if is_reading(ctx.session):
        try:
            return Reply.of(func(*args))
        except UserError as err:
            ctx.new_conversation = None
            return Reply(text=str(err))
    savepoint = ctx.session.begin_nested()
    try:
        reply = Reply.of(func(*args))
    except UserError as err:
        savepoint.rollback()
        ctx.new_conversation = None
        return Reply(text=str(err))
    savepoint.commit()
    return reply


TEXT_KINDS = ("text", "file")  # what the router reads; images, voice, locations… get a hint
BUTTON_EVENTS = ("click", "template_card_event")


def route(msg: Incoming, ctx: Context) -> Reply:
    """Answer one incoming message; all database work happens in `ctx.session`."""
    if msg.kind == "event":
        return route_event(msg, ctx)
    text = msg.text.strip()
    convo, note = load_conversation(ctx, msg)
    if msg.kind not in TEXT_KINDS:
        return Reply(text=note + NOT_TEXT + still_in(ctx, convo))
    if convo is not None:
        if text in CANCEL_WORDS:
            save_conversation(ctx, msg, None)
            return Reply(text=f"已退出「{convo.flow}」，未保存的内容已丢弃。")
        cmd = command_in_dialogue(text) if msg.kind == "text" else None
        if cmd is not None:  # run it; the dialogue stays and asks its question again
            return run_command(msg, ctx, cmd, convo)
        ctx.conversation = convo
        reply = run_guarded(ctx, core.FLOWS[convo.flow].func, msg, ctx, convo)
        save_conversation(ctx, msg, ctx.new_conversation or convo)
        return reply
    if text in CANCEL_WORDS:
        return Reply(text=note + "当前没有进行中的操作。")
    if not text and msg.kind == "file":
        return Reply(text=note + file_hint(ctx))
    cmd, _args = split_command(text)
    if cmd is None:
        return Reply(text=note + hint_for(text, ctx.sender.roles))
    reply = run_command(msg, ctx, cmd, None)
    if note:
        reply.text = note + reply.text
    return reply


NOT_TEXT = "机器人只能识别文字消息。请用文字发送指令，发送「帮助」查看您可以使用的指令。"


def still_in(ctx: Context, convo: Conversation | None) -> str:
    """The dialogue's current question again, after a command or a message it cannot read."""
    if convo is None:
        return ""
    flow = core.FLOWS[convo.flow]
    question = flow.prompt(ctx, convo) if flow.prompt else ""
    if question:
        return f"\n（您还在「{convo.flow}」中，发送「取消」可退出。）\n{question}"
    return f"\n（您还在「{convo.flow}」中：请按上一条提示继续回复，或发送「取消」退出。）"


def file_hint(ctx: Context) -> str:
    minutes = core.COMMANDS.get("纪要")
    if minutes is not None and minutes.allows(ctx.sender.roles):
        return "收到文件。如需提交会议纪要，请先发送「纪要 会议号」。"
    return "收到文件。机器人只处理文字指令，发送「帮助」查看您可以使用的指令。"


def run_command(msg: Incoming, ctx: Context, cmd: Command, convo: Conversation | None) -> Reply:
    """Run a command; inside a conversation, the conversation goes on unless the command starts
    another or ends it (`ctx.conversation.end()`: an answer that makes the question moot)."""
    if not cmd.allows(ctx.sender.roles):
        return Reply(text=refusal(cmd) + still_in(ctx, convo))
    ctx.conversation = convo
    reply = run_guarded(ctx, cmd.func, msg, ctx)
    if convo is not None and convo.ended and ctx.new_conversation is None:
        save_conversation(ctx, msg, None)
    elif ctx.new_conversation is not None:
        save_conversation(ctx, msg, ctx.new_conversation)
        if convo is not None:
            again = convo.flow == ctx.new_conversation.flow
            left = "已重新开始" if again else "已退出未完成的"
            reply.text = f"（{left}「{convo.flow}」，之前未保存的内容已丢弃。）\n" + reply.text
    elif convo is not None:
        reply.text = (reply.text + still_in(ctx, convo)).lstrip("\n")
    return reply


def route_event(msg: Incoming, ctx: Context) -> Reply:
    if msg.event == "enter_agent":
        cmd = core.COMMANDS.get("欢迎")
        return run_guarded(ctx, cmd.func, msg, ctx) if cmd else Reply()
    prefix = msg.event_key.split(":", 1)[0]
    handler = core.BUTTONS.get(prefix) if msg.event in BUTTON_EVENTS else None
    if handler is None:
        log.info("unhandled event %s key=%s", msg.event, msg.event_key)
        return Reply()
    reply = run_guarded(ctx, handler, msg, ctx)
    if ctx.new_conversation is not None:  # e.g. a 请假 click asks for the reason next
        save_conversation(ctx, msg, ctx.new_conversation)
    return reply
