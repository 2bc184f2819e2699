"""The outbox drainer: sends queued messages through each channel's sender, with retries.

A row is claimed with a lease, sent, then marked sent in its own transaction; a failed send is
retried with exponential back-off and never recorded as sent. Sends to one recipient are paced
under the platform's per-member limit (WeCom drops the excess silently, protocols.md §2.3).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import func, select

from bot.dispatch import Services
from storage import outbox
from storage.documents import Document
from storage.outbox import OutboxMessage
from storage.sealing import SealError, unseal

log = logging.getLogger(__name__)
LEASE = timedelta(minutes=2)
MAX_ATTEMPTS = 12
SCRUBBED = "（保密内容，已发送，不留存）"


class TransientSendError(Exception):
    """Worth retrying later (network, rate limit, platform busy)."""


class PermanentSendError(Exception):
    """Retrying cannot help (unknown recipient, malformed message)."""


class ChannelSender(Protocol):
    channel: str
    per_minute: int  # most messages to one recipient per minute; 0 = no limit

    def send(self, row: OutboxMessage, document: Document | None) -> None: ...


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(30 * 2 ** (attempts - 1), 3600))


def _recently_sent(session, channel: str, address: str, now: datetime) -> int:
    return session.scalar(
        select(func.count())
        .select_from(OutboxMessage)
        .where(
            OutboxMessage.channel == channel,
            OutboxMessage.address == address,
            OutboxMessage.status == outbox.SENT,
            OutboxMessage.sent_at > now - timedelta(minutes=1),
        )
    )


def drain(services: Services, senders: Mapping[str, ChannelSender], limit: int = 100) -> int:
    """Send what is due on every channel; returns how many were sent."""
    sent = 0
    for channel, sender in senders.items():
        with services.sessions() as session:
            ids = outbox.due_ids(session, channel, services.clock(), limit)
        for row_id in ids:
            sent += _send_one(services, sender, row_id)
    return sent


def _send_one(services: Services, sender: ChannelSender, row_id: int) -> int:
    now = services.clock()
    with services.sessions() as session, session.begin():
        if not outbox.claim(session, row_id, now, LEASE):
            return 0
        row = session.get(OutboxMessage, row_id)
        if sender.per_minute and (
            _recently_sent(session, row.channel, row.address, now) >= sender.per_minute
        ):
            row.lease_until, row.next_attempt_at = None, now + timedelta(seconds=60)
            return 0
        doc_id = row.payload.get("document_id")
        document = session.get(Document, doc_id) if doc_id else None
        session.expunge(row)
        if document is not None:
            session.expunge(document)
    error: str | None = None
    permanent = False
    try:
        if row.payload.get("sealed_address"):  # detached copy: the clear address is not stored
            row.address = unseal(services.seal_key, row.address)
        sender.send(row, document)
    except SealError as err:  # another seal key: no retry can open it
        error, permanent = str(err), True
    except PermanentSendError as err:
        error, permanent = str(err), True
    except Exception as err:
        error = f"{type(err).__name__}: {err}"
    with services.sessions() as session, session.begin():
        fresh = session.get(OutboxMessage, row_id)
        fresh.lease_until = None
        if error is None:
            fresh.status, fresh.sent_at = outbox.SENT, services.clock()
            if fresh.payload.get("private"):  # a query code or an identity: not kept once sent
                fresh.payload = {"private": True, "text": SCRUBBED}
            return 1
        fresh.attempts += 1
        fresh.last_error = error[:2000]
        if permanent or fresh.attempts >= MAX_ATTEMPTS:
            fresh.status = outbox.FAILED
            log.error("outbox %s failed for good: %s", row_id, error)
        else:
            fresh.next_attempt_at = services.clock() + backoff(fresh.attempts)
            log.warning("outbox %s attempt %s failed: %s", row_id, fresh.attempts, error)
    return 0
