"""The desk's tables: read-only queries over the domains' storage, one function per page.

Each returns a `Table` (columns, rows of cells) that the page renders and `.xlsx` exports as is,
so what the office sees and what it downloads never differ. The wording of states comes from the
domains' own text modules.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import select

from handlers.core import Context
from handlers.followup import text as followup_text
from handlers.monitoring import text as monitoring_text
from handlers.referrals import text as referral_text
from handlers.reports.calendar import ReportSchedule
from handlers.reports.status import status_grid
from handlers.send_failures import reason as failure_reason
from handlers.send_failures import recipient
from storage import followup as fu
from storage import meetings as mt
from storage import monitoring as mon
from storage import referrals as rf
from storage.audit import JOURNALS
from storage.documents import Document
from storage.outbox import failed_rows
from storage.reports import Bulletin
from storage.roster import Appointment, Person, Unit


@dataclass
class Cell:
    text: str
    href: str = ""
    css: str = ""

    def __str__(self) -> str:
        return self.text


@dataclass
class Table:
    title: str
    columns: list[str]
    rows: list[list[Cell]] = field(default_factory=list)
    note: str = ""

    def add(self, *cells: Cell | str | int | None) -> None:
        self.rows.append(
            [c if isinstance(c, Cell) else Cell("" if c is None else str(c)) for c in cells]
        )


def _local(ctx: Context, moment: datetime | None) -> str:
    return ctx.local(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def _units(ctx: Context) -> dict[int, str]:
    return dict(ctx.session.execute(select(Unit.id, Unit.name)).all())


# -- 月报 -----------------------------------------------------------------------------------------
STATUS_CSS = {"按时": "ok", "迟交": "late", "未报": "missing", "未截止": "pending"}


def report_grid(ctx: Context, year: int) -> Table:
    schedule = ReportSchedule(ctx)
    from bot.web.charts import tracked_months

    today = ctx.local().date()
    periods = tracked_months(ctx, year)
    table = Table(f"{year}年月报报送情况", ["单位", *[f"{p.month}月" for p in periods]])
    for row in status_grid(ctx.session, schedule, periods, today=today):
        cells = [Cell(row[0].unit.name)] if row else []
        for cell in row:
            label = "未到期" if cell.status == "未截止" else cell.status
            if cell.late_days:
                label += f"（{cell.late_days}天）"
            href = f"reports/{cell.unit.id}/{cell.period}" if cell.report else ""
            cells.append(Cell(label, href, STATUS_CSS.get(cell.status, "")))
        table.rows.append(cells)
    table.note = "按时 / 迟交 / 未报 / 未到期（截止日未过）；点格子查看月报。"
    return table


# -- 案件 -----------------------------------------------------------------------------------------
def open_cases(ctx: Context) -> Table:
    units = _units(ctx)
    today = ctx.local().date()
    table = Table("办理中的案件", ["编号", "状态", "企业", "危害", "承办单位", "期限", "登记"])
    for case in rf.open_cases(ctx.session):
        due = case.sign_due if case.status == rf.REFERRED else case.answer_due
        overdue = due is not None and due < today and case.status in rf.AT_UNIT
        due_text = f"{due:%Y-%m-%d}" + ("（已超期）" if overdue else "") if due else ""
        table.add(
            Cell(case.number, f"cases/{case.number}"),
            referral_text.STATUS.get(case.status, case.status),
            case.employer,
            case.hazard,
            units.get(case.unit_id, "—"),
            Cell(due_text, css="overdue" if overdue else ""),
            _local(ctx, case.created_at),
        )
    return table


def case_history(ctx: Context, case: rf.ReferralCase) -> Table:
    table = Table(f"案件 {case.number} 办理记录", ["时间", "经办", "动作", "状态", "说明"])
    for event in rf.history(ctx.session, case.id):
        table.add(
            _local(ctx, event.at),
            event.actor,
            event.action,
            referral_text.STATUS.get(event.status, event.status),
            event.note,
        )
    return table


# -- 会议 -----------------------------------------------------------------------------------------
def meetings(ctx: Context) -> Table:
    table = Table(
        "会议", ["会议", "名称", "时间", "参加", "请假", "代参", "未回复", "纪要", "会签"]
    )
    rows = ctx.session.scalars(select(mt.Meeting).order_by(mt.Meeting.starts_at.desc())).all()
    for meeting in rows:
        answers = Counter(i.answer for i in meeting.invites)
        minutes = ctx.session.get(mt.MeetingMinutes, meeting.id)
        signs = mt.signatures(ctx.session, meeting.id)
        agreed = sum(s.status != mt.PENDING_SIGN for s in signs)
        if meeting.cancelled_at:
            state = "已取消"
        elif minutes is None:
            state = "未提交"
        else:
            state = "已签发" if minutes.signed_off_at else "会签中"
        table.add(
            meeting.number,
            meeting.title,
            _local(ctx, meeting.starts_at),
            answers[mt.ATTEND],
            answers[mt.LEAVE],
            answers[mt.DELEGATE],
            answers[None],
            state,
            f"{agreed}/{len(signs)}" if signs else "",
        )
    return table


# -- 督办 -----------------------------------------------------------------------------------------
def followup_items(ctx: Context) -> Table:
    units = _units(ctx)
    today = ctx.local().date()
    table = Table("议定事项与整改", ["编号", "事项", "牵头单位", "状态", "期限", "超期天数"])
    rows = fu.items(ctx.session)
    rows.sort(key=lambda i: (i.status == fu.CLOSED, i.due, i.id))
    for item in rows:
        late = (today - item.due).days if item.status != fu.CLOSED and item.due < today else 0
        table.add(
            f"{item.prefix}{item.seq}",
            item.title,
            units.get(item.lead_unit_id, "—"),
            followup_text.STATE.get(item.status, item.status),
            f"{item.due:%Y-%m-%d}",
            Cell(str(late) if late else "", css="overdue" if late else ""),
        )
    return table


# -- 征求意见 -------------------------------------------------------------------------------------
ANSWER_WORDS = {
    fu.PENDING: "未答复",
    fu.ANSWERED: "有意见",
    fu.NO_OPINION: "无意见",
    fu.SILENT: "逾期未答",
}


def comment_rounds(ctx: Context) -> Table:
    table = Table("征求意见", ["编号", "标题", "期限", "已答复", "已答复单位", "未答复单位"])
    rounds = ctx.session.scalars(select(fu.CommentRound).order_by(fu.CommentRound.seq.desc()))
    for row in rounds.all():
        replies = fu.replies(ctx.session, row.id)
        done = [r.unit.name for r in replies if r.status in (fu.ANSWERED, fu.NO_OPINION)]
        waiting = [r.unit.name for r in replies if r.status not in (fu.ANSWERED, fu.NO_OPINION)]
        table.add(
            f"ZQ{row.seq}",
            row.title,
            f"{row.due:%Y-%m-%d}",
            f"{len(done)}/{len(replies)}",
            "、".join(done),
            "、".join(waiting),
        )
    return table


# -- 预警 -----------------------------------------------------------------------------------------
def open_signals(ctx: Context) -> Table:
    table = Table("未处置的预警", ["编号", "月份", "对象", "规则", "数据", "原因", "发出"])
    for signal in mon.open_signals(ctx.session):
        figures = "；".join(f"{k} {v}" for k, v in sorted((signal.figures or {}).items()))
        table.add(
            f"YJ{signal.seq}",
            signal.period,
            signal.subject,
            monitoring_text.RULES.get(signal.rule, signal.rule),
            figures,
            signal.reason,
            _local(ctx, signal.created_at),
        )
    return table


# -- 简报 -----------------------------------------------------------------------------------------
def bulletins(ctx: Context) -> Table:
    table = Table("简报", ["季度", "期号", "状态", "生成", "发布", "文件"])
    rows = ctx.session.scalars(select(Bulletin).order_by(Bulletin.id.desc())).all()
    for row in rows:
        state = "已作废" if row.voided_at else "已发布" if row.published_at else "草稿"
        doc = ctx.session.get(Document, row.document_id)
        table.add(
            row.quarter,
            f"{row.year}年第{row.number}期" if row.number else "",
            state,
            _local(ctx, row.created_at),
            _local(ctx, row.published_at),
            Cell(doc.filename, f"documents/{doc.id}") if doc else "",
        )
    return table


# -- 名册 -----------------------------------------------------------------------------------------
def roster(ctx: Context) -> Table:
    """The current roster in the import file's own layout, so the export imports back."""
    from handlers.roster import export_rows

    header, *rows = export_rows(ctx.session)
    table = Table("名册", list(header))
    for row in rows:
        table.add(*row)
    return table


def role_history(ctx: Context) -> Table:
    table = Table("任职变动", ["时间", "单位", "姓名", "角色", "变动"])
    rows = ctx.session.execute(
        select(Appointment, Person, Unit)
        .join(Person, Appointment.person_id == Person.id)
        .join(Unit, Appointment.unit_id == Unit.id)
    ).all()
    changes = []
    for appt, person, unit in rows:
        changes.append((appt.started_at, unit.name, person.name, appt.role, "任职"))
        if appt.ended_at:
            changes.append((appt.ended_at, unit.name, person.name, appt.role, "卸任"))
    for at, *rest in sorted(changes, key=lambda c: c[0], reverse=True):
        table.add(_local(ctx, at), *rest)
    return table


# -- 发送 -----------------------------------------------------------------------------------------
def send_failures(ctx: Context, limit: int = 200) -> Table:
    table = Table("发送失败的消息", ["编号", "收件人", "内容", "原因", "最后尝试", ""])
    rows, _total = failed_rows(ctx.session, limit)
    for row in rows:
        text = (
            str(row.payload.get("text", "")) if not row.payload.get("sealed_text") else "（保密）"
        )
        table.add(
            str(row.id),
            recipient(ctx, row),
            text[:60],
            failure_reason(row.last_error),
            _local(ctx, row.next_attempt_at),
            Cell("重发", f"retry:{row.id}"),
        )
    return table


# -- 审计 -----------------------------------------------------------------------------------------
def audit_log(
    ctx: Context,
    person: str = "",
    subject: str = "",
    start: date | None = None,
    end: date | None = None,
    limit: int = 500,
) -> Table:
    """Both journals (deliberate acts and row changes), newest first, filtered alike."""
    found = []
    for model, label in JOURNALS:
        query = select(model).order_by(model.id.desc()).limit(limit)
        if person:
            query = query.where(model.actor.contains(person))
        if subject:
            query = query.where(model.subject.contains(subject))
        if start:
            query = query.where(model.at >= datetime.combine(start, datetime.min.time(), ctx.tz))
        if end:
            until = datetime.combine(end + timedelta(days=1), datetime.min.time(), ctx.tz)
            query = query.where(model.at < until)
        found += [(entry, label) for entry in ctx.session.scalars(query)]
    found.sort(key=lambda pair: pair[0].at, reverse=True)
    columns = ["记录", "序号", "时间", "人员", "渠道", "动作", "对象", "说明", "哈希"]
    table = Table("审计日志", columns)
    for entry, label in found[:limit]:
        table.add(
            label,
            str(entry.id),
            _local(ctx, entry.at),
            entry.actor,
            entry.channel,
            entry.action,
            entry.subject,
            entry.detail,
            entry.hash[:12],
        )
    return table
