"""The office's side of a case: 受理 / 不予受理 / 转办 / 延期 / 催办 / 办结.

Each command checks the case's state first and raises UserError with the reason when the step is
impossible, so a refusal changes nothing. Each change is appended to the case's history and told
to the people it concerns; the receiving unit gets case facts only.
"""

from __future__ import annotations

import re

from handlers import referrals_text as tx
from handlers.core import Context, Incoming, Role, UserError, command, command_args
from handlers.duties import suggest_units
from handlers.referrals_cases import (
    find_unit,
    leaders,
    liaisons,
    log_event,
    require,
    take_case,
    unit_name,
)
from handlers.referrals_deadlines import extend, set_deadlines
from handlers.referrals_intake import notify_reporter
from storage import referrals as st

OFFICE = {Role.OFFICE}
_DAYS = re.compile(r"^(\d{1,3})(个工作日|工作日|天|日)?$")


def parse_days(text: str, usage: str) -> int:
    match = _DAYS.match(text.strip())
    if not match or not 1 <= int(match.group(1)) <= 60:
        raise UserError(tx.BAD_DAYS.format(usage=usage))
    return int(match.group(1))


def suggestion_text(case: st.ReferralCase) -> str:
    found = suggest_units(case.hazard, case.description, case.street)
    return "；".join(f"{s.unit}（{s.reason}）" for s in found) or "—"


@command("受理", roles=OFFICE, usage="受理 编号")
def accept_case(msg: Incoming, ctx: Context) -> str:
    """受理一件举报。"""
    case, _ = take_case(ctx, command_args(msg), "受理 JB202611230001")
    require(case, (st.NEW,), "受理")
    case.status = st.ACCEPTED
    log_event(ctx, case, "受理")
    return (
        f"已受理 {case.number}。\n建议承办：{suggestion_text(case)}\n"
        f"发送「转办 {case.number} 单位 [期限]」转交成员单位办理。"
    )


@command("不予受理", roles=OFFICE, usage="不予受理 编号 理由")
def reject_case(msg: Incoming, ctx: Context) -> str:
    """不予受理，并告知举报人理由。"""
    usage = "不予受理 JB202611230001 不属于职业病危害问题"
    case, reason = take_case(ctx, command_args(msg), usage)
    require(case, (st.NEW, st.ACCEPTED, st.RETURNED), "不予受理")
    if not reason:
        raise UserError(tx.NEED_REASON.format(usage=usage))
    case.status, case.conclusion, case.closed_at = st.REJECTED, reason, ctx.now
    log_event(ctx, case, "不予受理", reason)
    notify_reporter(
        ctx, case, tx.reporter_rejected(case.number, reason), f"referrals:end:{case.id}"
    )
    return f"{case.number} 已不予受理，理由已告知举报人。"


def _refer_args(ctx: Context, rest: str, usage: str) -> tuple[str, int | None]:
    words = rest.split()
    days = None
    if len(words) >= 2 and _DAYS.match(words[-1]):
        days = parse_days(words.pop(), usage)
    if not words:
        raise UserError(f"请写明承办单位，例如「{usage}」。")
    return "".join(words), days


@command("转办", roles=OFFICE, usage="转办 编号 单位 [期限工作日]")
def refer_case(msg: Incoming, ctx: Context) -> str:
    """把举报转交成员单位办理（不含举报人信息）。"""
    usage = "转办 JB202611230001 区人社局 10"
    case, rest = take_case(ctx, command_args(msg), usage)
    hint = "请先「受理」。" if case.status == st.NEW else ""
    require(case, (st.ACCEPTED, st.RETURNED, st.ANSWERED), "转办", hint)
    name, days = _refer_args(ctx, rest, usage)
    unit = find_unit(ctx, name)
    officers = liaisons(ctx, unit.id)
    if not officers:
        raise UserError(f"{unit.name}目前没有在任联络员，无法接收转办单。请先更新名单。")
    case.status, case.unit_id, case.referred_at = st.REFERRED, unit.id, ctx.now
    case.signed_at = case.answered_at = None
    case.result, case.extension_days, case.extension_reason = "", None, ""
    set_deadlines(ctx, case, days)
    note = f"转至{unit.name}，签收期限{tx.day(case.sign_due)}，反馈期限{tx.day(case.answer_due)}"
    log_event(ctx, case, "转办", note)
    ctx.push(officers, tx.referral_slip(case, unit.name))
    return f"已转办 {case.number}：{note}。已通知该单位联络员{len(officers)}人。"


@command("延期", roles=OFFICE, usage="延期 编号 天数")
def approve_extension(msg: Incoming, ctx: Context) -> str:
    """批准延长反馈期限（工作日）。"""
    usage = "延期 JB202611230001 5"
    case, rest = take_case(ctx, command_args(msg), usage)
    require(case, st.AT_UNIT, "延期")
    days = parse_days(rest, usage)
    due = extend(ctx, case, days)
    case.extension_days, case.extension_reason = None, ""
    log_event(ctx, case, "延期", f"延长{days}个工作日，反馈期限改为{tx.day(due)}")
    text = f"【延期】{case.number} 的反馈期限已延长{days}个工作日，至{tx.day(due)}。"
    ctx.push(liaisons(ctx, case.unit_id), text)
    return (
        f"已批准延期：{case.number} 反馈期限至{tx.day(due)}，已通知{unit_name(ctx, case.unit_id)}。"
    )


@command("催办", roles=OFFICE, usage="催办 编号")
def urge_case(msg: Incoming, ctx: Context) -> str:
    """督促承办单位加快办理（同时告知其分管领导）。"""
    case, _ = take_case(ctx, command_args(msg), "催办 JB202611230001")
    require(case, st.AT_UNIT, "催办")
    stage = "签收" if case.status == st.REFERRED else "反馈"
    due = case.sign_due if stage == "签收" else case.answer_due
    text = (
        f"【催办】{case.number}（{case.employer}）请抓紧办理并按时{stage}，"
        f"期限{tx.day(due)}。联席会议办公室"
    )
    people = liaisons(ctx, case.unit_id) + leaders(ctx, case.unit_id)
    ctx.push(people, text)
    log_event(ctx, case, "催办", f"催{stage}，期限{tx.day(due)}")
    return f"已向{unit_name(ctx, case.unit_id)}联络员和分管领导发出催办（{case.number}）。"


@command("办结", roles=OFFICE, usage="办结 编号 结论")
def close_case(msg: Incoming, ctx: Context) -> str:
    """审核后办结，并把结论告知举报人（结论会发给举报人，请用对外表述）。"""
    usage = "办结 JB202611230001 经查属实，已责令整改"
    case, conclusion = take_case(ctx, command_args(msg), usage)
    hint = "承办单位尚未反馈。" if case.status in st.AT_UNIT else ""
    require(case, (st.ACCEPTED, st.RETURNED, st.ANSWERED), "办结", hint)
    if not conclusion:
        raise UserError(tx.NEED_REASON.format(usage=usage))
    case.status, case.conclusion, case.closed_at = st.CLOSED, conclusion, ctx.now
    log_event(ctx, case, "办结", conclusion)
    notify_reporter(
        ctx, case, tx.reporter_closed(case.number, conclusion), f"referrals:end:{case.id}"
    )
    if case.unit_id:
        ctx.push(liaisons(ctx, case.unit_id), f"【办结】{case.number} 已办结，感谢配合。")
    return f"{case.number} 已办结，结论已告知举报人。"
