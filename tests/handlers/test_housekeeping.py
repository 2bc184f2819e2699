"""Expired dialogues and old duplicate-guard rows are deleted by the housekeeping job."""

from __future__ import annotations

from storage.conversations import ConversationState
from storage.inbound import InboundMessage


def test_an_abandoned_report_dialogue_is_deleted_once_expired(bot, clock):
    bot.send("worker-13800001111", "举报")
    bot.send("worker-13800001111", "某某机械有限公司")
    bot.run_job("housekeeping.prune")
    with bot.session() as s:
        assert s.query(ConversationState).count() == 1  # still within its time
    clock.advance(hours=2)
    bot.run_job("housekeeping.prune")
    with bot.session() as s:
        assert s.query(ConversationState).count() == 0


def test_duplicate_guard_rows_are_kept_a_week(bot, clock):
    bot.reply("demo-office", "我是谁", dedupe_key="msg:1")
    clock.advance(days=6)
    bot.reply("demo-office", "我是谁", dedupe_key="msg:2")
    bot.run_job("housekeeping.prune")
    with bot.session() as s:
        assert s.query(InboundMessage).count() == 2
    clock.advance(days=2)
    bot.run_job("housekeeping.prune")
    with bot.session() as s:
        assert s.query(InboundMessage).count() == 1  # msg:1 (8 days old) is gone, msg:2 stays
