"""Steps shared by the meeting tests: call a meeting through the dialogue, click a card."""

from __future__ import annotations

import re

from sqlalchemy import select

from storage.audit import AuditEntry
from storage.meetings import Meeting, MeetingInvite
from tests.support import Push, TestBot

OFFICE, DIRECTOR, CONVENER = "demo-office", "demo-director", "demo-convener"
RS, UNION, FINANCE, EDU = "09", "15", "08", "04"  # 区人社局, 区总工会, 区财政局, 区教育局


def liaison(nn: str) -> str:
    return f"demo-u{nn}-liaison"


def leader(nn: str) -> str:
    return f"demo-u{nn}-leader"


def call_meeting(
    bot: TestBot,
    *,
    kind: str = "2",
    when: str = "2026-11-27 15:00",
    units: str = f"{RS}、{UNION}、{FINANCE}、{EDU}",
    caller: str = OFFICE,
    topics: str = "尘肺病防治专项整治\n研究职业健康检查异常结果处置",
) -> str:
    """Walk through 新建会议 and return the meeting number from the final answer."""
    for text in ("新建会议", kind, when, "区卫健委三楼会议室", topics, units):
        bot.send(caller, text)
    answer = bot.send(caller, "确认")
    match = re.search(r"会议号 (HY\d+)", answer)
    assert match, answer
    return match.group(1)


def click(bot: TestBot, user: str, number: str, action: str, push: Push | None = None, **extra):
    """A card click as the WeCom channel turns it into an Incoming."""
    task = push.payload["task_id"] if push else f"{number}-x"
    return bot.reply(
        user,
        "",
        kind="event",
        event="template_card_event",
        event_key=f"rsvp:{number}:{action}",
        task_id=task,
        response_code=extra.pop("response_code", "rc-" + user),
        **extra,
    )


def card_for(pushes: list[Push], user: str) -> Push:
    cards = [p for p in pushes if p.to == user and p.kind == "template_card"]
    assert len(cards) == 1, [(p.to, p.kind) for p in pushes if p.to == user]
    return cards[0]


def answers(bot: TestBot, number: str) -> dict[str, str | None]:
    """Unit name -> its recorded answer, straight from the database."""
    with bot.session() as session:
        meeting = session.get(Meeting, int(number[2:]))
        rows = session.scalars(
            select(MeetingInvite).where(MeetingInvite.meeting_id == meeting.id)
        ).all()
        return {row.unit.name: row.answer for row in rows}


def audit_actions(bot: TestBot, subject: str) -> list[tuple[str, str]]:
    with bot.session() as session:
        rows = session.scalars(
            select(AuditEntry).where(AuditEntry.subject == subject).order_by(AuditEntry.id)
        ).all()
        return [(r.action, r.actor) for r in rows]


def recipients(pushes: list[Push], kind: str = "text") -> set[str]:
    return {p.to for p in pushes if p.kind == kind}


def run_meeting_jobs(bot: TestBot) -> None:
    """Only this domain's jobs: other domains' reminders are not what these tests look at."""
    bot.run_job("meetings.remind")
    bot.run_job("minutes.chase")
