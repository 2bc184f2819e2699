"""发送失败 and 重发: the office sees the pushes that failed for good, and puts one back.

Pushes are retried with back-off a bounded number of times (bot/outbox.py); what still fails would
otherwise be silent, so it is listed here with a plain reason. A row that could name a reporter
was scrubbed when it failed, so its recipient is shown only as 「非名单人员（已保密）」 and it
cannot be resent.
"""

from __future__ import annotations

import re
from datetime import datetime

from handlers import dates
from handlers.core import Context, Incoming, Role, UserError, command, command_args
from storage import audit, outbox
from storage.outbox import OutboxMessage
from storage.roster import Person, find_person

OFFICE = {Role.OFFICE}
LIMIT = 2048  # bytes in one WeCom text message
FETCH = 40
HIDDEN_RECIPIENT = "非名单人员（已保密）"
KINDS = {"text": "文字", "file": "文件", "template_card": "卡片", "card_update": "卡片更新"}
NONE_FAILED = "目前没有发送失败的消息。"
RESEND_USAGE = "用法：重发 编号，如「重发 12」；编号见「发送失败」。"
FOOTER = "发送「重发 编号」重新发送一条。"
# (pattern in the redacted error, reason shown to the office), first match wins
REASONS = (
    (r"errcode (81013|40003|60111)\b", "收件人无效（账号不存在或不在应用可见范围）"),
    (r"errcode (40008|40007|44004|40058)\b", "消息内容或格式有误"),
    (r"gettoken", "获取企业微信凭证失败（请检查企业微信 Secret 配置）"),
    (r"errcode (40001|40014|42001)\b|token rejected", "企业微信凭证无效"),
    (r"errcode 45009\b", "超过企业微信接口调用频率"),
    (r"network|Timeout|ConnectionError|HTTP \d{3}", "网络不通或企业微信无响应"),
    (r"sealed value", "保密收件人无法解密（密钥已更换）"),
    (r"发送中断", "发送中断，结果未知"),
    (r"document", "文件已不存在"),
)


def reason(error: str | None) -> str:
    """The redacted error as a short Chinese reason."""
    text = error or ""
    for pattern, plain in REASONS:
        if re.search(pattern, text):
            return plain
    return f"其他错误（{text[:40]}）" if text else "原因未记录"


def recipient(ctx: Context, row: OutboxMessage) -> str:
    """The roster name, never a raw account: anyone else is shown as hidden."""
    person = ctx.session.get(Person, row.person_id) if row.person_id else None
    if person is None and not outbox.is_sealed(row.payload):
        person = find_person(ctx.session, row.address)
    return person.name if person else HIDDEN_RECIPIENT


def _failed_at(ctx: Context, row: OutboxMessage) -> datetime:
    attempts = outbox.attempts_of(ctx.session, row.id)
    ended = [a.finished_at for a in attempts if a.finished_at]
    return ended[-1] if ended else row.created_at


def _line(ctx: Context, row: OutboxMessage) -> str:
    when = dates.moment(ctx.local(_failed_at(ctx, row)), ctx.local())
    kind = KINDS.get(row.kind, row.kind)
    tries = f"，已试{row.attempts}次" if row.attempts > 1 else ""
    return f"{row.id}. {when} {recipient(ctx, row)}｜{kind}｜{reason(row.last_error)}{tries}"


@command("发送失败", aliases=["推送失败"], roles=OFFICE, usage="发送失败")
def list_send_failures(msg: Incoming, ctx: Context) -> str:
    """查看多次重试后仍未送达的推送消息，可用「重发 编号」重新发送。"""
    rows, total = outbox.failed_rows(ctx.session, FETCH)
    if not rows:
        return NONE_FAILED
    lines = [f"发送失败的消息共 {total} 条（新的在前）："]
    shown = 0
    for row in rows:
        line = _line(ctx, row)
        more = f"另有 {total - shown - 1} 条未列出。" if total > shown + 1 else ""
        if len("\n".join([*lines, line, more, FOOTER]).encode()) > LIMIT:
            break
        lines.append(line)
        shown += 1
    if total > shown:
        lines.append(f"另有 {total - shown} 条未列出。")
    lines.append(FOOTER)
    return "\n".join(lines)


@command("重发", roles=OFFICE, usage="重发 编号")
def resend_failed(msg: Incoming, ctx: Context) -> str:
    """把一条发送失败的消息重新排队发送（重试次数清零）。"""
    number = command_args(msg).strip().lstrip("#＃第").rstrip("条")
    if not number.isdigit():
        raise UserError(RESEND_USAGE)
    row = ctx.session.get(OutboxMessage, int(number))
    if row is None or row.status != outbox.FAILED:
        raise UserError(f"没有编号为 {number} 的发送失败消息。发送「发送失败」查看列表。")
    if row.payload.get("scrubbed"):
        raise UserError(
            f"第 {number} 条是保密消息，失败后内容已按规定销毁，无法重发；如需再次通知，请重新办理相应事项。"
        )
    name = recipient(ctx, row)
    outbox.requeue(ctx.session, row.id, ctx.now)
    audit.record(
        ctx.session,
        ctx.now,
        ctx.sender.name,
        "重发消息",
        f"outbox#{row.id}",
        actor_person_id=ctx.sender.person.id if ctx.sender.person else None,
    )
    return f"已将第 {number} 条（发给{name}的{KINDS.get(row.kind, row.kind)}）重新排队，稍后发送。"
