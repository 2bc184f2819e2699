"""The figures behind the yearly assessment (seed 附件1 四(六)), per member unit, from the records
the other domains keep: what was due in the year (and is due by today), and what was done in time.

Each criterion gives (done in time, due, facts): a unit with nothing due in a criterion is 不适用
there, and its weight is left out of its total (scores.py).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select

from handlers.core import Context
from handlers.reports import text as RT
from handlers.reports.calendar import ReportSchedule
from handlers.reports.status import status_grid
from handlers.reports.xlsx import assessed_periods
from storage import followup as fst
from storage.meetings import Meeting, MeetingInvite
from storage.referrals import ReferralCase
from storage.roster import Unit, member_units

CRITERIA = (
    ("月报", "月报按时报送"),
    ("转办", "转办件按期签收、反馈"),
    ("会议", "会议出席（参加/代参）"),
    ("督办", "督办事项按期办结"),
    ("征求意见", "征求意见按时反馈"),
    ("整改", "整改事项按期完成"),
)


@dataclass
class Figure:
    done: int = 0
    due: int = 0
    facts: list[str] = field(default_factory=list)

    @property
    def rate(self) -> float | None:
        return self.done / self.due if self.due else None


@dataclass
class UnitFigures:
    unit: Unit
    figures: dict[str, Figure] = field(default_factory=lambda: {k: Figure() for k, _ in CRITERIA})


def _day(ctx: Context, moment: datetime | None) -> date | None:
    return ctx.local(moment).date() if moment else None


def _in_time(ctx: Context, moment: datetime | None, due: date | None) -> bool:
    return moment is not None and due is not None and _day(ctx, moment) <= due


def collect(ctx: Context, year: int, units: list[Unit] | None = None) -> list[UnitFigures]:
    units = units if units is not None else member_units(ctx.session)
    table = {u.id: UnitFigures(u) for u in units}
    today = ctx.local().date()
    start = datetime(year, 1, 1, tzinfo=ctx.tz)
    end = min(datetime(year + 1, 1, 1, tzinfo=ctx.tz), ctx.now)
    _reports(ctx, year, table)
    _referrals(ctx, start, end, today, table)
    _meetings(ctx, start, end, table)
    _items(ctx, year, today, table)
    _comments(ctx, start, end, today, table)
    return list(table.values())


def _reports(ctx: Context, year: int, table: dict[int, UnitFigures]) -> None:
    schedule = ReportSchedule(ctx)
    periods = assessed_periods(ctx, schedule, year)
    if not periods:
        return
    for row in status_grid(ctx.session, schedule, periods, [t.unit for t in table.values()]):
        fig = table[row[0].unit.id].figures["月报"]
        fig.due = len(row)
        fig.done = sum(c.status == RT.ON_TIME for c in row)
        late = [f"{c.period.month}月" for c in row if c.status == RT.LATE]
        missing = [f"{c.period.month}月" for c in row if c.status == RT.MISSING]
        fig.facts += [f"迟报{len(late)}次（{'、'.join(late)}）"] if late else []
        fig.facts += [f"未报{len(missing)}次（{'、'.join(missing)}）"] if missing else []


def _referrals(ctx, start, end, today, table) -> None:
    stmt = select(ReferralCase).where(
        ReferralCase.referred_at >= start,
        ReferralCase.referred_at < end,
        ReferralCase.unit_id.in_(list(table)),
    )
    late: dict[int, list[str]] = defaultdict(list)
    for case in ctx.session.scalars(stmt.order_by(ReferralCase.number)):
        fig = table[case.unit_id].figures["转办"]
        for moment, due, what in ((case.signed_at, case.sign_due, "签收"),
                                  (case.answered_at, case.answer_due, "反馈")):  # fmt: skip
            if due is None or (moment is None and due >= today):
                continue  # not due yet
            fig.due += 1
            if _in_time(ctx, moment, due):
                fig.done += 1
            else:
                late[case.unit_id].append(f"{case.number}{what}")
    for unit_id, cases in late.items():
        table[unit_id].figures["转办"].facts.append(f"逾期{len(cases)}项（{'、'.join(cases[:5])}）")


def _meetings(ctx, start, end, table) -> None:
    stmt = (
        select(MeetingInvite, Meeting)
        .join(Meeting, MeetingInvite.meeting_id == Meeting.id)
        .where(Meeting.cancelled_at.is_(None), Meeting.starts_at >= start, Meeting.starts_at < end)
    )
    absent: dict[int, list[str]] = defaultdict(list)
    for invite, meeting in ctx.session.execute(stmt.order_by(Meeting.starts_at)):
        if invite.unit_id not in table:
            continue
        fig = table[invite.unit_id].figures["会议"]
        fig.due += 1
        if invite.attends:
            fig.done += 1
        else:
            absent[invite.unit_id].append(f"{meeting.number}{invite.answer or '未回复'}")
    for unit_id, items in absent.items():
        table[unit_id].figures["会议"].facts.append(f"缺席{len(items)}次（{'、'.join(items[:5])}）")


def _items(ctx, year, today, table) -> None:
    rows = fst.items(
        ctx.session,
        fst.FollowupItem.due >= date(year, 1, 1),
        fst.FollowupItem.due <= date(year, 12, 31),
    )
    for item in rows:
        if item.lead_unit_id not in table or (item.closed_at is None and item.due >= today):
            continue
        key = "督办" if item.prefix == fst.DECIDED else "整改"
        fig = table[item.lead_unit_id].figures[key]
        fig.due += 1
        if _in_time(ctx, item.closed_at, item.due):
            fig.done += 1
        else:
            fig.facts.append(f"{item.number}未按期{'办结' if key == '督办' else '整改'}")


def _comments(ctx, start, end, today, table) -> None:
    stmt = (
        select(fst.CommentReply, fst.CommentRound)
        .join(fst.CommentRound, fst.CommentReply.round_id == fst.CommentRound.id)
        .where(fst.CommentRound.created_at >= start, fst.CommentRound.created_at < end)
    )
    for reply, row in ctx.session.execute(stmt.order_by(fst.CommentRound.seq)):
        if reply.unit_id not in table or (reply.answered_at is None and row.due >= today):
            continue
        fig = table[reply.unit_id].figures["征求意见"]
        fig.due += 1
        answered = reply.status in (fst.ANSWERED, fst.NO_OPINION)
        if answered and _in_time(ctx, reply.answered_at, row.due):
            fig.done += 1
        else:
            fig.facts.append(f"{row.number}未按时反馈")
