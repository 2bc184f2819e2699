"""Monthly reports filed by chat (seed annex 1 四(二) 信息通报机制).

`月报` walks a liaison officer through the three sections the rule names — 工作动态, 主要活动,
重大事项进展 — then shows a preview to 确认 / 修改 / 取消. `月报 工作动态：…；主要活动：…；重大事项进展：…`
fills all three at once. One report per unit and month; a later filing replaces it and the earlier
text is kept as a version. The views, reminders and bulletin live in their own modules of this package.
"""

from __future__ import annotations

import re
from datetime import timedelta

from handlers.core import (
    Context,
    Conversation,
    Incoming,
    Role,
    UserError,
    command,
    command_args,
    flow,
    split_args,
)
from handlers.dates import day
from handlers.reports import text as T
from handlers.reports.args import (
    match_unit,
    pick_unit,
    refuse_extra,
    render_sections,
    split_period,
)
from handlers.reports.calendar import Period, ReportSchedule
from handlers.workdays import warn_missing_years
from storage.reports import SECTION_FIELDS, SECTIONS, MonthlyReport, ReportVersion, find_report
from storage.roster import member_units

FLOW = "月报"
_LABELS = "|".join(SECTIONS)
USAGE = "月报 [YYYY-MM]（或 月报 工作动态：…；主要活动：…；重大事项进展：…）"
CONFIRM_WORDS = {"确认", "确定", "提交", "确认提交"}
_EDIT = re.compile(rf"修改\s*[:：]?\s*(?:{_LABELS})?")
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f]")  # pasted from Word; a .docx cannot hold them
_ONE_MESSAGE = re.compile(
    rf"({_LABELS})\s*[:：]\s*(.*?)(?=\s*[;；\n]?\s*(?:{_LABELS})\s*[:：]|$)", re.S
)


def check_section(section: str, text: str) -> str:
    """A section's text as stored; `无` is accepted, empty or over-long is refused."""
    for old, new in (("\r\n", "\n"), ("\r", "\n"), ("\x0b", "\n"), ("\t", " ")):
        text = text.replace(old, new)
    text = _CONTROL.sub("", text)
    text = text.strip().rstrip("；;，,、").strip()
    if not text:
        raise UserError(T.EMPTY_SECTION.format(section=section))
    if len(text) > T.MAX_SECTION:
        raise UserError(T.TOO_LONG.format(section=section, length=len(text), limit=T.MAX_SECTION))
    return "无" if text.rstrip("。.") in T.NONE_WORDS else text


def parse_one_message(text: str) -> dict[str, str]:
    """`工作动态：…；主要活动：…；重大事项进展：…` → the three sections, each checked."""
    found = {label: body for label, body in _ONE_MESSAGE.findall(text)}
    missing = [s for s in SECTIONS if s not in found]
    if missing:
        raise UserError(T.MISSING_SECTIONS.format(missing="、".join(missing)))
    return {s: check_section(s, found[s]) for s in SECTIONS}


@command("月报", aliases=["报送月报"], roles={Role.LIAISON}, usage=USAGE)
def file_report(msg: Incoming, ctx: Context) -> str:
    """填报本单位的月度工作情况（工作动态、主要活动、重大事项进展）。"""
    rest = command_args(msg)
    body = _ONE_MESSAGE.search(rest)
    words = split_args(rest[: body.start()] if body else rest)
    today = ctx.local().date()
    period, words = split_period(words, today)
    unit, words = pick_unit(ctx.sender.units(Role.LIAISON), words)
    _refuse_other_unit(ctx, words)
    refuse_extra(words, USAGE)
    schedule = ReportSchedule(ctx)
    period = period or schedule.current_period(ctx.now)
    schedule.check_reportable(period, ctx.now)
    if not schedule.is_open(period, ctx.now):
        raise UserError(
            T.NOT_OPEN.format(period=period.label, opens=day(schedule.opens_on(period), today))
        )
    deadline = schedule.deadline(period)
    warn_missing_years(ctx, schedule.workdays)
    data = {"unit_id": unit.id, "unit": unit.name, "period": str(period), "sections": {}}
    if body:
        data["sections"] = parse_one_message(rest[body.start() :])
        ctx.start_conversation(FLOW, "确认", **data)
        return preview(data)
    existing = find_report(ctx.session, unit.id, str(period))
    note = T.EXISTING.format(version=existing.version) if existing else ""
    ctx.start_conversation(FLOW, SECTIONS[0], **data)
    return T.START.format(
        unit=unit.name, period=period.label, deadline=day(deadline, today), existing=note
    )


def _refuse_other_unit(ctx: Context, words: list[str]) -> None:
    """`月报 区人社局` from someone who is not its liaison officer says so."""
    units = member_units(ctx.session)
    for word in words:
        other = match_unit(word, units)
        if other is not None:
            raise UserError(T.NOT_LIAISON_OF.format(unit=other.name))


def preview(data: dict) -> str:
    period = Period.parse(data["period"])
    body = render_sections(data["sections"])
    return T.PREVIEW.format(unit=data["unit"], period=period.label, body=body)


def previous_progress(ctx: Context, data: dict) -> str:
    """Last month's 重大事项进展 of the unit, so an unfinished item is updated, not forgotten."""
    previous = Period.parse(data["period"]).prev()
    last = find_report(ctx.session, data["unit_id"], str(previous))
    if last is None or last.major_progress == "无":
        return ""
    return "\n" + T.PREVIOUS_PROGRESS.format(period=previous.label, items=last.major_progress)


def current_question(ctx: Context, convo: Conversation) -> str:
    """The question of the step the filing is on, asked again after a command in between."""
    if convo.step == "选择修改":
        return T.ASK_WHICH
    if convo.step not in SECTIONS:
        return preview(convo.data)
    if convo.data.get("editing"):
        return T.ASK_NEW.format(section=convo.step)
    return (T.ASK_WORK, T.ASK_ACTIVITIES, T.ASK_PROGRESS)[SECTIONS.index(convo.step)]


@flow(FLOW, timeout=timedelta(hours=2), prompt=current_question)
def continue_report(msg: Incoming, ctx: Context, convo: Conversation) -> str:
    text = msg.text.strip()
    word = text.rstrip("。.！!")
    if convo.step in SECTIONS:
        if word in CONFIRM_WORDS or _EDIT.fullmatch(word):
            return T.NOT_YET.format(step=convo.step)
        return _answer_section(ctx, convo, convo.step, text)
    if word in CONFIRM_WORDS:
        return save_report(ctx, convo)
    if convo.step == "选择修改":
        return _choose_section(ctx, convo, text)
    if word.startswith("修改"):
        return _choose_section(ctx, convo, word[2:]) if word[2:].strip() else _ask_which(convo)
    return T.CONFIRM_HINT


def _answer_section(ctx: Context, convo: Conversation, section: str, text: str) -> str:
    convo.data["sections"][section] = check_section(section, text)
    if convo.data.pop("editing", False):
        convo.goto("确认")
        return preview(convo.data)
    following = SECTIONS.index(section) + 1
    if following == len(SECTIONS):
        convo.goto("确认")
        return preview(convo.data)
    convo.goto(SECTIONS[following])
    if following == 1:
        return T.ASK_ACTIVITIES
    return T.ASK_PROGRESS + previous_progress(ctx, convo.data)


def _ask_which(convo: Conversation) -> str:
    convo.goto("选择修改")
    return T.ASK_WHICH


def _choose_section(ctx: Context, convo: Conversation, text: str) -> str:
    text = text.strip(" ：:")
    section = next((s for s in SECTIONS if s in text), None)
    if section is None and text in ("1", "2", "3"):
        section = SECTIONS[int(text) - 1]
    if section is None:
        return T.ASK_WHICH
    convo.data["editing"] = True
    convo.goto(section)
    ask = T.ASK_NEW.format(section=section)
    return ask + previous_progress(ctx, convo.data) if section == SECTIONS[2] else ask


def save_report(ctx: Context, convo: Conversation) -> str:
    """Store the filing; a second filing replaces the current text and keeps the earlier one."""
    data = convo.data
    period = Period.parse(data["period"])
    schedule = ReportSchedule(ctx)
    late = schedule.late_days(period, ctx.now) > 0
    values = {f: data["sections"][s] for s, f in zip(SECTIONS, SECTION_FIELDS, strict=True)}
    person_id = ctx.sender.person.id if ctx.sender.person else None
    report = find_report(ctx.session, data["unit_id"], str(period))
    if report is None:
        report = MonthlyReport(
            unit_id=data["unit_id"],
            period=str(period),
            version=0,
            first_filed_at=ctx.now,
            late=late,
        )
        ctx.session.add(report)
    report.version += 1
    report.filed_at, report.filed_by = ctx.now, person_id
    for field, value in values.items():
        setattr(report, field, value)
    ctx.session.flush()
    ctx.session.add(
        ReportVersion(
            report_id=report.id,
            version=report.version,
            filed_at=ctx.now,
            filed_by=person_id,
            late=late,
            **values,
        )
    )
    convo.end()
    said = {
        "unit": data["unit"],
        "period": period.label,
        "version": report.version,
        "deadline": day(schedule.deadline(period), ctx.local()),
    }
    if report.version == 1:
        return (T.SAVED_LATE if late else T.SAVED_ON_TIME).format(**said)
    if late:
        first_late = schedule.late_days(period, report.first_filed_at) > 0
        status = T.LATE if first_late else T.ON_TIME
        return T.REPLACED_LATE.format(
            first=day(ctx.local(report.first_filed_at), ctx.local()), status=status, **said
        )
    return T.SAVED_ON_TIME.format(**said) + T.REPLACED
