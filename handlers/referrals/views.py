"""What the office reads: 待办 (by urgency), 超期, 案件 (facts + history), and 举报人 (audited).

The reporter's identity appears only through 举报人, whose every use is written to the audit log
with who and when; 案件 says only whether a contact was left.
"""

from __future__ import annotations

from handlers.core import Context, Incoming, Reply, Role, command, command_args
from handlers.dates import moment
from handlers.referrals import text as tx
from handlers.referrals.cases import (
    next_due,
    open_by_urgency,
    overdue_stage,
    take_case,
    unit_name,
)
from handlers.referrals.deadlines import remaining
from handlers.referrals.office import suggestion_text
from handlers.referrals.warning import without_suffix
from storage import referrals as st
from storage.audit import record
from storage.sealing import unseal

OFFICE = {Role.OFFICE}


def short_employer(name: str, limit: int = 14) -> str:
    """«郑州市宏达机械制造有限公司» -> «郑州市宏达机械制造»; longer names cut with «…»."""
    name = without_suffix(name)
    return name if len(name) <= limit else name[: limit - 1] + "…"


def _line(ctx: Context, case: st.ReferralCase) -> str:
    """One case in a list, short enough that a dozen fit one WeCom message."""
    due = next_due(case)
    employer = short_employer(case.employer)
    parts = [f"{case.number} {tx.SHORT_STATUS[case.status]}", f"{employer}（{case.hazard}）"]
    if case.unit_id:
        parts.append(unit_name(ctx, case.unit_id))
    if due:
        stage = "签收" if case.status == st.REFERRED else "反馈"
        parts.append(f"{stage}期限{tx.day(due, ctx.today())} {remaining(ctx, due)}")
    if case.extension_days:
        parts.append(f"申请延期{case.extension_days}个工作日")
    return "｜".join(parts)


@command("待办", roles=OFFICE, usage="待办")
def list_open(msg: Incoming, ctx: Context) -> str:
    """未办结的举报，超期在前，其次按期限远近。"""
    cases = open_by_urgency(ctx)
    if not cases:
        return "目前没有未办结的举报。"
    overdue = sum(1 for c in cases if overdue_stage(ctx, c))
    lines = [f"未办结举报{len(cases)}件，其中超期{overdue}件："]
    lines += [f"{i}. {_line(ctx, c)}" for i, c in enumerate(cases, start=1)]
    lines.append("发送「案件 编号」查看详情和办理记录。")
    return "\n".join(lines)


@command("超期", roles=OFFICE, usage="超期")
def list_overdue(msg: Incoming, ctx: Context) -> str:
    """已超过签收或反馈期限的举报。"""
    cases = [c for c in open_by_urgency(ctx) if overdue_stage(ctx, c)]
    if not cases:
        return "目前没有超期的举报。"
    lines = [f"超期举报{len(cases)}件："]
    lines += [f"{i}. {_line(ctx, c)}" for i, c in enumerate(cases, start=1)]
    lines.append("发送「催办 编号」督促承办单位（同时告知其分管领导）。")
    return "\n".join(lines)


def _details(ctx: Context, case: st.ReferralCase) -> list[str]:
    lines = [f"【案件】{case.number}　{tx.STATUS[case.status]}", tx.case_facts(case)]
    lines.append(f"属地：{case.street or '未识别'}")
    contact = "已留（发送「举报人 编号」查看，查看记入审计日志）" if case.has_contact else "未留"
    lines.append(f"举报人联系方式：{contact}")
    if case.unit_id:
        lines.append(f"承办单位：{unit_name(ctx, case.unit_id)}")
    if case.status in st.AT_UNIT:
        lines.append(
            f"签收期限：{tx.day(case.sign_due, ctx.today())}　反馈期限：{tx.day(case.answer_due, ctx.today())}"
            f"（{remaining(ctx, case.answer_due)}）"
        )
    if case.extension_days:
        lines.append(
            f"待批延期：{case.extension_days}个工作日，理由：{case.extension_reason}"
            f"（同意请发送「延期 {case.number} {case.extension_days}」）"
        )
    if case.result:
        lines.append(f"承办单位反馈：{case.result}")
    if case.conclusion:
        lines.append(
            f"{'不予受理理由' if case.status == st.REJECTED else '办结结论'}：{case.conclusion}"
        )
    if case.status in (st.NEW, st.ACCEPTED, st.RETURNED):
        lines.append(f"建议承办：{suggestion_text(case)}")
    return lines


@command("案件", roles=OFFICE, usage="案件 编号")
def show_case(msg: Incoming, ctx: Context) -> str:
    """查看一件举报的详情和全部办理记录（不含举报人身份）。"""
    case, _ = take_case(ctx, command_args(msg), "案件 JB202611230001")
    lines = _details(ctx, case)
    lines.append("办理记录：")
    for event in st.history(ctx.session, case.id):
        at = moment(event.at, ctx.local())
        note = f"：{event.note}" if event.note else ""
        lines.append(f"· {at} {event.actor} {event.action}{note}")
    return "\n".join(lines)


@command("举报人", roles=OFFICE, usage="举报人 编号")
def open_reporter(msg: Incoming, ctx: Context) -> Reply:
    """查看举报人账号和联系方式（每次查看都记入审计日志）。"""
    case, _ = take_case(ctx, command_args(msg), "举报人 JB202611230001")
    row = ctx.session.get(st.ReferralReporter, case.id)
    if row is None:
        return Reply(text=f"{case.number} 没有举报人信息。")
    channel, _, user_id = unseal(ctx.seal_key, row.sealed_account).partition("\t")
    contact = unseal(ctx.seal_key, row.sealed_contact) if row.sealed_contact else "未留"
    person = ctx.sender.person
    record(
        ctx.session,
        ctx.now,
        ctx.sender.name,
        "查看举报人",
        case.number,
        actor_person_id=person.id if person else None,
    )
    text = (
        f"【保密】{case.number} 举报人信息\n账号：{channel} {user_id}\n联系方式：{contact}\n"
        "本次查看已记入审计日志。请勿转发，不得向承办单位或被举报单位透露。"
    )
    return Reply(text=text, private=True)
