"""Reminders before a meeting, and the daily chase of units that have not co-signed minutes.

Both jobs are reconcilers: they look at the clock and the database and queue what is due under an
outbox key, so each reminder goes once however often the job runs. The key carries the meeting's
start time, so a moved meeting gets fresh reminders and the old ones can never fire; a cancelled
meeting is not looked at; a reminder whose moment has passed (the next one is due, or the meeting
began) is dropped rather than sent late.
"""

from __future__ import annotations

from datetime import UTC, timedelta

from handlers.core import Context, job
from handlers.meetings import text as T
from handlers.meetings.base import contacts, fmt_time, unit_people
from handlers.workdays import WorkCalendar
from storage.meetings import (
    PENDING_SIGN,
    Meeting,
    MeetingInvite,
    meetings_between,
    minutes_awaiting_signoff,
    signatures,
)

# (label, how long before the start it is due, until how long before the start it still makes sense)
REMINDERS = (
    ("2d", timedelta(days=2), timedelta(days=1)),
    ("1d", timedelta(days=1), timedelta(hours=1)),
    ("1h", timedelta(hours=1), timedelta(0)),
)
CHASE_HOUR = 9


def due_reminders(meeting: Meeting, now) -> list[str]:
    """Labels of the reminders whose window contains `now` and that postdate the last notice."""
    due = []
    for label, before, until in REMINDERS:
        moment = meeting.starts_at - before
        if moment <= now < meeting.starts_at - until and moment >= meeting.notified_at:
            due.append(label)
    return due


@job("meetings.remind", trigger="interval", minutes=5)
def remind_meetings(ctx: Context) -> None:
    """2 days before: units that have not answered; 1 day and 1 hour before: attending units."""
    for meeting in meetings_between(ctx.session, ctx.now, ctx.now + timedelta(days=2, minutes=1)):
        for label in due_reminders(meeting, ctx.now):
            send_reminder(ctx, meeting, label)


def send_reminder(ctx: Context, meeting: Meeting, label: str) -> int:
    stamp = meeting.starts_at.astimezone(UTC).strftime("%Y%m%dT%H%MZ")
    key = f"meetings:remind:{meeting.number}:{label}:{stamp}"
    when = fmt_time(ctx, meeting.starts_at)
    count = 0
    by_unit = contacts(ctx, [i.unit_id for i in meeting.invites])
    for invite in meeting.invites:
        text = _reminder_text(meeting, invite, label, when)
        if text:
            count += ctx.push(by_unit[invite.unit_id], text, key=key)
    return count


def _reminder_text(meeting: Meeting, invite: MeetingInvite, label: str, when: str) -> str:
    if label == "2d":
        return T.remind_unanswered(meeting, when) if invite.answer is None else ""
    return T.remind_attending(meeting, invite, label, when) if invite.attends else ""


@job("minutes.chase", trigger="interval", minutes=30)
def chase_cosigns(ctx: Context) -> None:
    """Once a working day from the day after sending: units whose co-sign is still missing."""
    today = ctx.local()
    if today.hour < CHASE_HOUR or not WorkCalendar(ctx.session).is_workday(today.date()):
        return
    for minutes in minutes_awaiting_signoff(ctx.session):
        if ctx.local(minutes.submitted_at).date() >= today.date():
            continue
        meeting = ctx.session.get(Meeting, minutes.meeting_id)
        key = f"minutes:chase:{meeting.number}:v{minutes.version}:{today:%Y%m%d}"
        waiting = [s for s in signatures(ctx.session, meeting.id) if s.status == PENDING_SIGN]
        people = unit_people(ctx, [s.unit_id for s in waiting])
        for sign in waiting:
            text = T.chase_cosign(meeting, sign.unit.name, minutes.version)
            ctx.push(people[sign.unit_id], text, key=f"{key}:u{sign.unit_id}")
