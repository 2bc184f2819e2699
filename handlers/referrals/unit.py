"""The receiving unit's side: 签收 / 退回 / 申请延期 / 反馈, and 承办 to list what it holds.

Only a liaison officer of the unit the case was referred to may answer for it; a case referred
elsewhere is refused in the very words of a number that does not exist. Answers go to the office, never to the reporter.
"""

from __future__ import annotations

import re
import unicodedata

from handlers.core import Context, Incoming, Role, UserError, command, command_args
from handlers.dates import moment
from handlers.referrals import text as tx
from handlers.referrals.cases import (
    cases_at_unit,
    log_event,
    office_people,
    require,
    take_unit_case,
    unit_name,
)
from handlers.referrals.deadlines import remaining
from handlers.referrals.office import parse_days, suggestion_text
from storage import referrals as st

LIAISON = {Role.LIAISON}
# «5 理由», «5个工作日，理由», «5天：理由»: the days, then the reason after any separator
_DAYS_AND_REASON = re.compile(
    r"^\s*(\d{1,3}\s*(?:个工作日|工作日|天|日)?)[\s,，、;；:：]*(.*)$", re.S
)


def _own_case(ctx: Context, msg: Incoming, usage: str, action: str) -> tuple[st.ReferralCase, str]:
    return take_unit_case(ctx, command_args(msg), usage, action)


@command("签收", roles=LIAISON, usage="签收 编号")
def sign_case(msg: Incoming, ctx: Context) -> str:
    """签收转给本单位的举报。"""
    case, _ = _own_case(ctx, msg, "签收 JB202611230001", "签收")
    if case.status == st.SIGNED and case.signed_at:
        signed = ctx.local(case.signed_at)
        raise UserError(
            f"{case.number} 已于{moment(signed, ctx.local())}签收，无需重复签收。"
            f"办理后请回复「反馈 {case.number} 办理结果」。"
        )
    require(case, (st.REFERRED,), "签收")
    case.status, case.signed_at = st.SIGNED, ctx.now
    unit = unit_name(ctx, case.unit_id)
    log_event(ctx, case, "签收", unit)
    ctx.push(office_people(ctx), f"【签收】{unit}已签收 {case.number}。")
    return (
        f"已签收 {case.number}，请在{tx.day(case.answer_due, ctx.today())}前办理并回复"
        f"「反馈 {case.number} 办理结果」。需要更多时间请发送「申请延期 {case.number} 天数 理由」。"
    )


@command("退回", roles=LIAISON, usage="退回 编号 理由")
def return_case(msg: Incoming, ctx: Context) -> str:
    """不属本单位职责的，退回联席会议办公室并说明理由。"""
    usage = "退回 JB202611230001 不属于本单位职责，建议转区应急管理局"
    case, reason = _own_case(ctx, msg, usage, "退回")
    require(case, st.AT_UNIT, "退回")
    if not reason:
        raise UserError(tx.NEED_TEXT.format(what="理由", usage=usage))
    unit = unit_name(ctx, case.unit_id)
    case.status, case.unit_id = st.RETURNED, None
    case.sign_due = case.answer_due = None
    case.extension_days, case.extension_reason = None, ""
    log_event(ctx, case, "退回", f"{unit}：{reason}")
    ctx.push(
        office_people(ctx),
        f"【退回】{unit}退回 {case.number}，理由：{reason}\n建议承办：{suggestion_text(case)}\n"
        f"请发送「转办 {case.number} 单位」重新转办。",
    )
    return f"已将 {case.number} 退回联席会议办公室。"


@command("申请延期", roles=LIAISON, usage="申请延期 编号 天数 理由")
def request_extension(msg: Incoming, ctx: Context) -> str:
    """向联席会议办公室申请延长反馈期限。"""
    usage = "申请延期 JB202611230001 5 需等待检测报告"
    case, rest = _own_case(ctx, msg, usage, "申请延期")
    require(case, st.AT_UNIT, "申请延期")
    match = _DAYS_AND_REASON.match(unicodedata.normalize("NFKC", rest))
    days = parse_days(match.group(1) if match else rest, usage)
    reason = match.group(2).strip() if match else ""
    if not reason:
        raise UserError(tx.NEED_TEXT.format(what="理由", usage=usage))
    case.extension_days, case.extension_reason = days, reason
    unit = unit_name(ctx, case.unit_id)
    log_event(ctx, case, "申请延期", f"{days}个工作日：{reason}")
    ctx.push(
        office_people(ctx),
        f"【延期申请】{unit}申请将 {case.number} 的反馈期限（{tx.day(case.answer_due, ctx.today())}）"
        f"延长{days}个工作日，理由：{reason}\n同意请发送「延期 {case.number} {days}」。",
    )
    return f"延期申请已报联席会议办公室（{days}个工作日），批准前仍以{tx.day(case.answer_due, ctx.today())}为期限。"


@command("反馈", roles=LIAISON, usage="反馈 编号 办理结果")
def answer_case(msg: Incoming, ctx: Context) -> str:
    """报送办理结果，由联席会议办公室审核办结。"""
    usage = "反馈 JB202611230001 已现场检查，责令整改"
    case, result = _own_case(ctx, msg, usage, "反馈")
    hint = f"请先「签收 {case.number}」。" if case.status == st.REFERRED else ""
    require(case, (st.SIGNED,), "反馈", hint)
    if len(result) < 4:
        raise UserError(tx.NEED_TEXT.format(what="办理结果", usage=usage))
    if len(result) > tx.MAX_RESULT:
        raise UserError(tx.RESULT_TOO_LONG.format(length=len(result), limit=tx.MAX_RESULT))
    unit = unit_name(ctx, case.unit_id)
    case.status, case.result, case.answered_at = st.ANSWERED, result, ctx.now
    case.extension_days, case.extension_reason = None, ""  # a pending request is moot now
    log_event(ctx, case, "反馈", result)
    ctx.push(
        office_people(ctx),
        f"【反馈】{unit}报送 {case.number} 办理结果：{result}\n"
        f"审核后请发送「办结 {case.number} 结论」（结论将告知举报人）。",
    )
    return f"已报送 {case.number} 的办理结果，联席会议办公室审核后办结。"


@command("承办", roles={Role.LIAISON, Role.LEADER}, usage="承办")
def list_unit_cases(msg: Incoming, ctx: Context) -> str:
    """查看转给本单位、尚未反馈的举报（联络员和分管领导）。"""
    # the leader in charge is told of overdue cases, so may also see the unit's open ones
    units = ctx.sender.units(Role.LIAISON) + ctx.sender.units(Role.LEADER)
    units = list({u.id: u for u in units}.values())
    cases = cases_at_unit(ctx, {u.id for u in units})
    if not cases:
        return "本单位目前没有待办理的转办件。"
    lines = [f"本单位待办理的转办件（{len(cases)}件）："]
    for case in cases:
        due = case.sign_due if case.status == st.REFERRED else case.answer_due
        unit = f"{unit_name(ctx, case.unit_id)}｜" if len(units) > 1 else ""  # one serving two
        lines.append(
            f"· {case.number} {tx.STATUS[case.status]}｜{unit}{case.employer}｜{case.hazard}｜"
            f"期限{tx.day(due, ctx.today())} {remaining(ctx, due)}"
        )
    return "\n".join(lines)
