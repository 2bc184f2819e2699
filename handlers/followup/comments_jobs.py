"""Reminders of a comment round and its close: units that have not answered are reminded at 09:00
two working days before the deadline and at 09:00 on its day, once each; at the deadline's end
the silent ones are recorded as 未反馈 and the office is told once."""

from __future__ import annotations

from handlers.core import Context, job
from handlers.followup import comments_text as T
from handlers.followup import common as c
from handlers.followup.deadlines import HOUR, workdays_before
from storage import followup as st

BEFORE_DAYS = 2


@job("followup.comments", trigger="interval", minutes=10)
def watch_rounds(ctx: Context) -> None:
    cal = c.calendar(ctx)
    for row in st.open_rounds(ctx.session):
        if ctx.now >= c.end_of(ctx, row.due):
            _close(ctx, row)
            continue
        two_before = c.at_local(ctx, workdays_before(cal, row.due, BEFORE_DAYS), HOUR)
        due_morning = c.at_local(ctx, row.due, HOUR)
        if due_morning <= ctx.now:
            _remind(ctx, row, "due")
        elif two_before <= ctx.now and row.created_at < two_before:
            _remind(ctx, row, "2d")


def _remind(ctx: Context, row: st.CommentRound, stage: str) -> None:
    waiting = [r.unit_id for r in st.replies(ctx.session, row.id) if r.status == st.PENDING]
    people = c.people(ctx, waiting)
    text = T.remind_round(row.number, row.title, row.due, ctx.today())
    for unit_id in waiting:
        ctx.push(people[unit_id], text, key=f"followup:round:{row.number}:{stage}:u{unit_id}")


def _close(ctx: Context, row: st.CommentRound) -> None:
    replies = st.replies(ctx.session, row.id)
    silent = [r for r in replies if r.status == st.PENDING]
    for reply in silent:
        reply.status = st.SILENT
    row.closed_at = ctx.now
    answered = len(replies) - len(silent)
    text = T.round_closed_notice(row.number, row.title, answered, [r.unit.name for r in silent])
    ctx.push(c.office(ctx), text, key=f"followup:round:{row.number}:closed")
