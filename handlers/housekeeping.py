"""Housekeeping: forget what no longer needs keeping.

An abandoned dialogue keeps its partial answers (for a 举报: the reporter's account as the row key
and their sealed contact) until the person writes again; the job deletes it once expired, so
nothing personal waits indefinitely. Duplicate-guard rows are needed only while a platform may
still re-deliver (minutes), so they are kept a week and then dropped.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete

from handlers.core import Context, job
from storage.conversations import ConversationState
from storage.inbound import InboundMessage

INBOUND_KEPT = timedelta(days=7)


@job("housekeeping.prune", trigger="interval", minutes=15)
def prune_expired(ctx: Context) -> None:
    ctx.session.execute(delete(ConversationState).where(ConversationState.expires_at <= ctx.now))
    ctx.session.execute(
        delete(InboundMessage).where(InboundMessage.received_at < ctx.now - INBOUND_KEPT)
    )
