"""Issue 13: a change made in chat is in the chained journal with who made it, from which
channel and when (the clock the message was handled at)."""

from __future__ import annotations

from sqlalchemy import select

from storage.audit import ChangeEntry
from storage.roster import find_person
from tests.handlers.referrals.support import file_report


def test_a_chat_change_names_the_person_the_channel_and_the_time(bot, clock):
    number, _ = file_report(bot)
    clock.advance(minutes=5)
    bot.send("demo-office", f"受理 {number}")
    with bot.session() as s:
        office = find_person(s, "demo-office")
        changed = s.scalars(
            select(ChangeEntry)
            .where(ChangeEntry.action == "修改 referral_case", ChangeEntry.subject == number)
            .order_by(ChangeEntry.id)
        ).all()
    (accepted,) = changed
    assert (accepted.actor, accepted.actor_person_id) == (office.name, office.id)
    assert accepted.channel == "console" and accepted.at == clock()
