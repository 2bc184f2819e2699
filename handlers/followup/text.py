"""Every sentence the follow-up domain (督办, 征求意见, 联合检查) shows to people."""

from __future__ import annotations

from datetime import date

from handlers import dates
from storage import followup as st

STATE = {st.OPEN: "办理中", st.APPLIED: "已申请办结，待审核", st.CLOSED: "已办结"}
CONFIRM_WORDS = ("确认", "确定", "是", "好")
SKIP_WORDS = ("跳过", "不立项", "否")
NEW_USAGE = (
    "督办 新建 事项内容；牵头 区人社局；配合 区总工会、区财政局；期限 2026-12-31（或 20个工作日）"
)
ONLY_DOCX = "只接收 .docx 格式的文件，也可以直接发送文字。"
FILE_TOO_BIG = "文件超过10MB，请压缩后再发送，或直接发送文字。"
NO_POINTS = (
    "纪要中没有找到编号的条目（如「一、」「1.」）。请用「督办 新建」逐项立项：\n" + NEW_USAGE
)


def d(value: date | None, today: date) -> str:
    """A deadline in a message: the year only when it is not `today`'s."""
    return dates.day(value, today) if value else "—"


def full(value: date | None) -> str:
    """A date in a document or a stored log line, read at any time: always with the year."""
    return dates.full_day(value) if value else "—"


def need_number(usage: str) -> str:
    return f"请写明编号。用法：{usage}"


def bad_due(text: str) -> str:
    return f"无法识别期限「{text}」。请写日期（如 2026-12-31 或 12月31日）或工作日数（如 20个工作日）。"


def due_past(due: date, today: date) -> str:
    return f"期限{d(due, today)}已经过去，请设一个今天或以后的日期。"


def bad_unit(name: str, matches: list[str]) -> str:
    if matches:
        return f"「{name}」可能指：{'、'.join(matches)}。请写全单位名称。"
    return f"没有找到成员单位「{name}」，请检查单位名称。"


def empty(what: str) -> str:
    return f"{what}不能为空，请写明内容。"


def too_long(what: str, size: int) -> str:
    return f"{what}太长（{size}字），请控制在20000字以内，较长的内容请作为 .docx 文件发送。"


def not_docx(name: str) -> str:
    return f"「{name}」不是有效的 .docx 文件，无法打开。请用 Word 另存为 .docx 后重新发送。"


# ---- 督办: decided items ----------------------------------------------------------------------


def not_found(number: str, action: str = "办理") -> str:
    return f"没有找到您单位可以{action}的事项「{number}」。请发送「督办」查看本单位的事项。"


def no_item(number: str) -> str:
    return f"没有找到事项「{number}」。请发送「督办 情况」查看全部事项。"


def item_line(item: st.FollowupItem, today: date, extra: str = "") -> str:
    line = (
        f"{item.number}【{item.lead_unit.name}牵头】{item.title[:60]}（期限{d(item.due, today)}）"
    )
    return line + (f"　{extra}" if extra else "")


def assigned(item: st.FollowupItem, co_names: list[str], today: date) -> str:
    co = f"\n配合单位：{'、'.join(co_names)}" if co_names else ""
    return (
        f"【督办】联席会议办公室交办事项 {item.number}：\n{item.title}\n"
        f"牵头单位：{item.lead_unit.name}{co}\n办理期限：{d(item.due, today)}\n"
        f"请按期办理，并通过「进展 {item.number} 情况」报告进展，"
        f"办完后由牵头单位发送「办结申请 {item.number} 办理结果」。"
    )


def created(item: st.FollowupItem, co_names: list[str], today: date) -> str:
    co = f"，配合：{'、'.join(co_names)}" if co_names else ""
    return (
        f"已立项 {item.number}：{item.title[:60]}\n牵头：{item.lead_unit.name}{co}，"
        f"期限{d(item.due, today)}。已通知相关单位。"
    )


def bad_new(missing: str) -> str:
    return f"缺少{missing}。用法：{NEW_USAGE}"


def offer(meeting_number: str, kind: str, points: list[str]) -> str:
    lines = [f"【督办】{meeting_number}（{kind}）纪要已签发，其中的议定事项可以立项督办："]
    lines += [f"{n}. {p[:80]}" for n, p in enumerate(points, start=1)]
    lines.append(f"请发送「督办 立项 {meeting_number}」逐条确认牵头单位、配合单位和期限。")
    return "\n".join(lines)


def point_card(n: int, total: int, point: dict) -> str:
    co = "、".join(point["co"]) or "无"
    lead = point["lead"] or "（未识别，请指定）"
    return (
        f"第{n}/{total}条：{point['title']}\n牵头单位：{lead}\n配合单位：{co}\n"
        f"期限：{point['due_text']}\n回复「确认」立项，「跳过」不立项；或修改后再确认，如"
        f"「牵头 区人社局；配合 区总工会；期限 2026-12-31」「内容 新的表述」。"
    )


NEED_LEAD = "这一条还没有牵头单位，请回复「牵头 单位名称」。"


def minutes_not_signed(number: str) -> str:
    return f"{number}的纪要尚未签发，签发后才能从纪要立项。"


def intake_done(created_items: list[str]) -> str:
    if not created_items:
        return "本次没有立项。需要时可发送「督办 新建」。"
    return f"已立项{len(created_items)}项：{'、'.join(created_items)}。已通知各牵头和配合单位。"


def mine_empty() -> str:
    return "本单位目前没有督办或整改事项。"


def progress_recorded(item: st.FollowupItem) -> str:
    return f"已记录 {item.number} 的进展，办公室可以看到。"


def progress_notice(item: st.FollowupItem, unit: str, text: str) -> str:
    return f"【督办进展】{item.number}（{item.title[:30]}）{unit}报告：{text[:200]}"


def closed_already(number: str) -> str:
    return f"{number}已办结，不能再报告进展或申请办结。如有新情况请联系办公室。"


def only_lead(number: str, lead: str) -> str:
    return f"{number}由{lead}牵头，办结申请由牵头单位提出；配合单位请用「进展 {number} 情况」报告。"


def applied(item: st.FollowupItem) -> str:
    return f"已提交 {item.number} 的办结申请，等待办公室审核。"


def applied_notice(item: st.FollowupItem, text: str) -> str:
    return (
        f"【办结申请】{item.number}（{item.title[:30]}）{item.lead_unit.name}申请办结：{text[:300]}\n"
        f"审核通过请发送「督办 办结 {item.number}」，需补充请发送「督办 退回 {item.number} 原因」。"
    )


def already_applied(number: str) -> str:
    return f"{number}的办结申请已在审核中，请等待办公室答复。"


def not_applied(number: str) -> str:
    return f"{number}尚未申请办结，不能办结或退回。"


def closed_notice(item: st.FollowupItem) -> str:
    return f"【督办】{item.number}（{item.title[:30]}）经办公室审核，已办结。"


def closed_reply(item: st.FollowupItem) -> str:
    return f"已办结 {item.number}，已通知{item.lead_unit.name}。"


def returned_notice(item: st.FollowupItem, reason: str, today: date) -> str:
    return (
        f"【督办退回】{item.number}（{item.title[:30]}）的办结申请被退回：{reason}\n"
        f"请继续办理（期限{d(item.due, today)}），完成后再次发送「办结申请 {item.number} 办理结果」。"
    )


def returned_reply(item: st.FollowupItem, today: date) -> str:
    text = f"已退回 {item.number}，已通知{item.lead_unit.name}继续办理。"
    if item.due < today:  # sent back after its deadline: it is overdue from now on
        text += (
            f"\n该事项的期限{d(item.due, today)}已过，继续办理期间将按超期督办；"
            f"如需给出新的期限：督办 延期 {item.number} 10个工作日 原因"
        )
    return text


NEED_REASON = "请写明退回原因，如「督办 退回 DB7 缺少检查台账」。"


def _how(item: st.FollowupItem) -> str:
    if item.prefix == st.RECTIFY:
        return f"整改完成后请发送「整改 完成 {item.number} 复查情况」"
    return f"办完请发送「办结申请 {item.number} 办理结果」"


def remind_before(item: st.FollowupItem, left: int, today: date) -> str:
    return (
        f"【督办提醒】{item.number}（{item.title[:40]}）还有{left}个工作日到期（{d(item.due, today)}）。"
        f"{_how(item)}。"
    )


def remind_due(item: st.FollowupItem) -> str:
    return (
        f"【督办提醒】{item.number}（{item.title[:40]}）今天到期。"
        f"{_how(item)}；如需延期，牵头单位请发送「督办 申请延期 {item.number} 天数 理由」。"
    )


def overdue_notice(item: st.FollowupItem, today: date) -> str:
    return (
        f"【督办超期】{item.number}（{item.title[:40]}）已超过办理期限（{d(item.due, today)}），"
        f"牵头单位：{item.lead_unit.name}。请分管领导督促尽快办结。"
    )


def need_extension(usage: str) -> str:
    return f"请写明新的期限和原因。用法：{usage}"


def bad_extension_days(days: int) -> str:
    return f"延期天数应为1至120个工作日（收到{days}）。"


def not_later(old: date, new: date, today: date) -> str:
    return f"新期限{d(new, today)}不晚于原期限{d(old, today)}，延期请写更晚的日期。"


def closed_no_extension(number: str) -> str:
    return f"{number}已办结，不能延期。"


def need_extension_reason(number: str) -> str:
    return f"请写明延期原因，如「督办 延期 {number} 10个工作日 需等待年度体检结果」。"


def extended_notice(item: st.FollowupItem, old: date, reason: str, today: date) -> str:
    return (
        f"【督办延期】{item.number}（{item.title[:40]}）的办理期限由{d(old, today)}延至"
        f"{d(item.due, today)}。原因：{reason[:200]}"
    )


def extended_reply(item: st.FollowupItem, old: date, units: int, today: date) -> str:
    return (
        f"已将 {item.number} 的期限由{d(old, today)}延至{d(item.due, today)}，"
        f"已通知{units}个单位。到期提醒按新期限发送。"
    )


def only_lead_extension(number: str, lead: str) -> str:
    return f"{number}由{lead}牵头，延期由牵头单位申请；配合单位如有困难请告知牵头单位。"


def need_request_reason(number: str) -> str:
    return f"请写明延期理由，如「督办 申请延期 {number} 10个工作日 需等待年度体检结果」。"


def extension_requested(item: st.FollowupItem, due: date, reason: str, today: date) -> str:
    return (
        f"【督办延期申请】{item.lead_unit.name}申请将 {item.number}（{item.title[:40]}）的期限由"
        f"{d(item.due, today)}延至{d(due, today)}。理由：{reason[:200]}\n"
        f"同意请发送「督办 延期 {item.number} {due.isoformat()} 同意{item.lead_unit.name}申请」；"
        f"不同意请直接告知该单位，原期限不变。"
    )


def extension_request_sent(item: st.FollowupItem, due: date, today: date) -> str:
    return (
        f"已向联席会议办公室申请将 {item.number} 的期限延至{d(due, today)}。"
        f"办公室同意前，仍以{d(item.due, today)}为期限。"
    )


def offered_line(number: str) -> str:
    return f"已提示办公室{number}"


BAD_MONTH = "月份格式应为 YYYY-MM，如「督办 通报 2026-12」。"


def bulletin_reply(month: str, count: int) -> str:
    if not count:
        return f"{month}没有超期事项，通报中写明“本月无超期事项”。"
    return f"已生成{month}督办通报，共{count}项超期事项，请审核后印发。"


# shared with other domains (a warning's 联合检查 in handlers/monitoring)
RECORD_USAGE = (
    "检查记录 JC2 用人单位名称 问题：发现的问题；依据：法律依据；期限：整改期限（如 2026-12-31）"
)


def inspection_notice(number: str, data: dict) -> str:
    return (
        f"【联合检查】{data['subject']}（{number}），{data['dates_text']}，"
        f"检查对象：{'、'.join(data['employers'])}。贵单位参加检查，请联络员按用人单位记录检查情况："
        f"「{RECORD_USAGE.replace('JC2', number)}」，没有问题写「问题：无」。"
    )
