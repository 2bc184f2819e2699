"""The office's side of a case: 受理 / 不予受理 / 转办 / 延期 / 催办 / 办结.

Each command checks the case's state first and raises UserError with the reason when the step is
impossible, so a refusal changes nothing. Each change is appended to the case's history and told
to the people it concerns; the receiving unit gets case facts only.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from datetime import date, timedelta

import cn2an

from handlers.core import Context, Incoming, Role, UserError, command, command_args
from handlers.dates import clock
from handlers.referrals import text as tx
from handlers.referrals.cases import (
    calendar,
    find_unit,
    leaders,
    liaisons,
    local_day,
    log_event,
    require,
    suggest,
    take_case,
    unit_candidates,
    unit_name,
)
from handlers.referrals.deadlines import extend, set_deadlines
from handlers.referrals.intake import notify_reporter
from storage import referrals as st

OFFICE = {Role.OFFICE}
_DAYS = re.compile(r"^(?:期限|限)?(\d{1,3})(?:个工作日|工作日|天|日)?(?:内)?$")
_DATE = re.compile(r"^(?:(\d{4})[年/.-])?(\d{1,2})[月/.-](\d{1,2})[日号]?(?:前)?$")
_WEEKDAY = re.compile(r"^(下下|下|本|这)?(?:周|星期|礼拜)([一二三四五六日天])(?:前)?$")
_WEEKDAYS = "一二三四五六日"
_ARG_SPLIT = re.compile(r"[\s\u3000,，、;；]+")
MAX_DAYS = 60


def _plain(text: str) -> str:
    """Full-width digits and letters folded, inner spaces gone: «１０ 个工作日» -> «10个工作日»."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def _arabic(text: str) -> str:
    """Chinese numerals as digits, «十个工作日» -> «10个工作日», «两天» -> «2天»."""
    plain = _plain(text)
    try:
        return cn2an.transform(plain, "cn2an")
    except (ValueError, KeyError, IndexError):  # cn2an refuses what is not a number
        return plain


def is_days(text: str) -> bool:
    return _DAYS.match(_arabic(text)) is not None


def parse_days(text: str, usage: str) -> int:
    match = _DAYS.match(_arabic(text))
    if not match or not 1 <= int(match.group(1)) <= MAX_DAYS:
        raise UserError(tx.BAD_DAYS.format(usage=usage))
    return int(match.group(1))


def parse_due_date(ctx: Context, text: str) -> date | None:
    """A deadline written as a date: 12月3日, 2026-12-03, 2026年12月3日, 下周三; None if not one."""
    text, today = _plain(text), local_day(ctx)
    match = _DATE.match(text)
    if match:
        year = int(match.group(1) or today.year)
        try:
            due = date(year, int(match.group(2)), int(match.group(3)))
        except ValueError:
            raise UserError(f"日期「{text}」无效，请核对。") from None
        if not match.group(1) and due < today:
            due = due.replace(year=year + 1)
        return due
    match = _WEEKDAY.match(text)
    if match:
        weeks = {"下下": 2, "下": 1}.get(match.group(1) or "", 0)
        weekday = _WEEKDAYS.index(match.group(2).replace("天", "日"))
        due = today + timedelta(days=7 * weeks + weekday - today.weekday())
        return due + timedelta(days=7) if not match.group(1) and due <= today else due
    return None


def _check_due(ctx: Context, due: date) -> date:
    today = local_day(ctx)
    if due <= today:
        raise UserError(f"反馈期限{tx.day(due, today)}不晚于今天，请写今后的日期或工作日数。")
    if (due - today).days > 366:
        raise UserError(f"反馈期限{tx.day(due, today)}超过一年，请核对。")
    if not calendar(ctx).is_workday(due):
        raise UserError(
            f"{tx.day(due, today)}不是工作日，请改为工作日，或写工作日数，如「10个工作日」。"
        )
    return due


def suggestion_text(case: st.ReferralCase) -> str:
    found = suggest(case.hazard, case.description, case.street)
    return "；".join(f"{s.unit}（{s.reason}）" for s in found) or "—"


@command("受理", roles=OFFICE, usage="受理 编号")
def accept_case(msg: Incoming, ctx: Context) -> str:
    """受理一件举报。"""
    case, _ = take_case(ctx, command_args(msg), "受理 JB202611230001")
    require(case, (st.NEW,), "受理")
    case.status = st.ACCEPTED
    log_event(ctx, case, "受理")
    notify_reporter(ctx, case, tx.reporter_accepted(case.number), f"referrals:accepted:{case.id}")
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
        raise UserError(tx.NEED_TEXT.format(what="理由", usage=usage))
    case.status, case.conclusion, case.closed_at = st.REJECTED, reason, ctx.now
    log_event(ctx, case, "不予受理", reason)
    notify_reporter(
        ctx, case, tx.reporter_rejected(case.number, reason), f"referrals:end:{case.id}"
    )
    return f"{case.number} 已不予受理，理由已告知举报人。"


def _refer_args(ctx: Context, rest: str, usage: str) -> tuple[str, int | None, date | None]:
    """The unit's name and, when the last word is not part of a unit's name, the period in
    working days or the date; a last word that is neither is refused, never taken as the default.
    Several units at once are refused: a case has one handling unit at a time."""
    rest = re.sub(r"(\d)\s+(?=个工作日|工作日|天|日)", r"\1", rest)
    words = [w for w in _ARG_SPLIT.split(rest) if w]
    days = due = None
    if len(words) >= 2 and not unit_candidates(ctx, words[-1]):
        last = words.pop()
        if is_days(last) or re.fullmatch(r"\d+", _plain(last)):
            days = parse_days(last, usage)
        elif (due := parse_due_date(ctx, last)) is not None:
            _check_due(ctx, due)
        else:
            raise UserError(tx.BAD_DEADLINE.format(text=last[:20], usage=usage))
    if not words:
        raise UserError(f"请写明承办单位，例如「{usage}」。")
    _refuse_several(ctx, words, usage)
    return "".join(words), days, due


def _refuse_several(ctx: Context, words: list[str], usage: str) -> None:
    """`转办 N 区人社局、区应急管理局`: each word one unit, two or more units in all."""
    found = [unit_candidates(ctx, w) for w in words]
    if len(words) < 2 or any(len(f) != 1 for f in found):
        return
    names = list(dict.fromkeys(f[0].name for f in found))
    if len(names) > 1:
        raise UserError(tx.one_unit_only(names, usage))


@command("转办", roles=OFFICE, usage="转办 编号 单位 [期限工作日]")
def refer_case(msg: Incoming, ctx: Context) -> str:
    """把举报转交成员单位办理（不含举报人信息）。"""
    usage = "转办 JB202611230001 区人社局 10"
    case, rest = take_case(ctx, command_args(msg), usage)
    hint = {
        st.NEW: "请先「受理」。",
        st.REFERRED: "如需改由其他单位办理，请承办单位「退回」后重新转办。",
        st.SIGNED: "如需改由其他单位办理，请承办单位「退回」后重新转办。",
    }.get(case.status, "")
    require(case, (st.ACCEPTED, st.RETURNED, st.ANSWERED), "转办", hint)
    name, days, due = _refer_args(ctx, rest, usage)
    unit = find_unit(ctx, name)
    officers = liaisons(ctx, unit.id)
    if not officers:
        raise UserError(f"{unit.name}目前没有在任联络员，无法接收转办单。请先更新名单。")
    case.status, case.unit_id, case.referred_at = st.REFERRED, unit.id, ctx.now
    case.signed_at = case.answered_at = None
    case.result, case.extension_days, case.extension_reason = "", None, ""
    set_deadlines(ctx, case, days, due)
    log_event(ctx, case, "转办", _referral_note(unit.name, case, tx.full))
    ctx.push(officers, tx.referral_slip(case, unit.name, ctx.today()))
    note = _referral_note(unit.name, case, lambda d: tx.day(d, ctx.today()))
    return f"已转办 {case.number}：{note}。已通知该单位联络员{len(officers)}人。"


def _referral_note(unit: str, case: st.ReferralCase, write: Callable[[date | None], str]) -> str:
    return f"转至{unit}，签收期限{write(case.sign_due)}，反馈期限{write(case.answer_due)}"


@command("延期", roles=OFFICE, usage="延期 编号 天数")
def approve_extension(msg: Incoming, ctx: Context) -> str:
    """批准延长反馈期限（工作日）。"""
    usage = "延期 JB202611230001 5"
    case, rest = take_case(ctx, command_args(msg), usage)
    require(case, st.AT_UNIT, "延期")
    days = parse_days(rest, usage)
    due = extend(ctx, case, days)
    case.extension_days, case.extension_reason = None, ""
    log_event(ctx, case, "延期", f"延长{days}个工作日，反馈期限改为{tx.full(due)}")
    text = f"【延期】{case.number} 的反馈期限已延长{days}个工作日，至{tx.day(due, ctx.today())}。"
    ctx.push(liaisons(ctx, case.unit_id), text)
    return f"已批准延期：{case.number} 反馈期限至{tx.day(due, ctx.today())}，已通知{unit_name(ctx, case.unit_id)}。"


@command("催办", roles=OFFICE, usage="催办 编号")
def urge_case(msg: Incoming, ctx: Context) -> str:
    """督促承办单位加快办理（同时告知其分管领导）。"""
    case, _ = take_case(ctx, command_args(msg), "催办 JB202611230001")
    require(case, st.AT_UNIT, "催办")
    today = local_day(ctx)
    urged = [  # 催办 of this referral (not of a unit that has since returned it) sent today
        e
        for e in st.history(ctx.session, case.id)
        if e.action == "催办" and e.at >= case.referred_at and local_day(ctx, e.at) == today
    ]
    if urged:  # a repeat or a double send the same day does not go out again
        return f"今天{clock(ctx.local(urged[-1].at))}已催办过 {case.number}，未重复发送。"
    stage = "签收" if case.status == st.REFERRED else "反馈"
    due = case.sign_due if stage == "签收" else case.answer_due
    text = (
        f"【催办】{case.number}（{case.employer}）请抓紧办理并按时{stage}，"
        f"期限{tx.day(due, today)}。联席会议办公室"
    )
    people = liaisons(ctx, case.unit_id) + leaders(ctx, case.unit_id)
    ctx.push(people, text)
    log_event(ctx, case, "催办", f"催{stage}，期限{tx.full(due)}")
    return f"已向{unit_name(ctx, case.unit_id)}联络员和分管领导发出催办（{case.number}）。"


@command("办结", roles=OFFICE, usage="办结 编号 结论")
def close_case(msg: Incoming, ctx: Context) -> str:
    """审核后办结，并把结论告知举报人（结论会发给举报人，请用对外表述）。"""
    usage = "办结 JB202611230001 经查属实，已责令整改"
    case, conclusion = take_case(ctx, command_args(msg), usage)
    hint = "承办单位尚未反馈。" if case.status in st.AT_UNIT else ""
    require(case, (st.ACCEPTED, st.RETURNED, st.ANSWERED), "办结", hint)
    if not conclusion:
        raise UserError(tx.NEED_TEXT.format(what="办结结论", usage=usage))
    case.status, case.conclusion, case.closed_at = st.CLOSED, conclusion, ctx.now
    log_event(ctx, case, "办结", conclusion)
    notify_reporter(
        ctx, case, tx.reporter_closed(case.number, conclusion), f"referrals:end:{case.id}"
    )
    if case.unit_id:
        ctx.push(liaisons(ctx, case.unit_id), f"【办结】{case.number} 已办结，感谢配合。")
    return f"{case.number} 已办结，结论已告知举报人。"
