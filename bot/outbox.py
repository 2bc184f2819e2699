"""The outbox drainer: sends queued messages through each channel's sender, with retries.

A row is claimed with a lease and its attempt recorded (`outbox_attempt`), sent, then marked sent
in its own transaction; a failed send is retried with exponential back-off, whatever the error,
at most `MAX_ATTEMPTS` times, then marked failed for the office's `发送失败` list. The whole retry
schedule stays inside WeCom's duplicate-check interval, so a retry after an unknown outcome is
never shown twice (bot/wecom_client.py). Sends to one recipient are paced under the platform's
per-member limit (WeCom drops the excess silently, protocols.md §2.3).

A sealed row (a reporter's address, a private text) is opened only in memory to send, and
scrubbed once sent or failed for good. Every error is redacted before it is logged or stored.
"""

from __future__ import annotations

import logging
import threading
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from bot.dispatch import Services
from bot.metrics import SENDS
from bot.redact import redact
from storage import outbox
from storage.db import reader
from storage.documents import Document
from storage.outbox import OutboxMessage
from storage.sealing import SealError, unseal

log = logging.getLogger(__name__)
LEASE = timedelta(minutes=2)
MAX_ATTEMPTS = 8
FIRST_BACKOFF = 30  # seconds; doubles after every failed attempt
MAX_BACKOFF = 1800  # seconds; whole schedule 30 s … 30 min, about 62 minutes in all
SCRUBBED = "（保密内容，已发送，不留存）"
SCRUBBED_FAILED = "（保密内容，发送失败，不留存）"
SCRUBBED_ADDRESS = "（已销毁）"
ERROR_LIMIT = 2000


class TransientSendError(Exception):
    """Worth retrying later (network, rate limit, platform busy)."""


class PermanentSendError(Exception):
    """Retrying cannot help (unknown recipient, malformed message)."""


class ChannelSender(Protocol):
    channel: str
    per_minute: int  # most messages to one recipient per minute; 0 = no limit

    def send(self, row: OutboxMessage, document: Document | None) -> None: ...


def backoff(attempts: int) -> timedelta:
    """Wait after the `attempts`-th failure: 30 s, 1, 2, 4 … min, capped at `MAX_BACKOFF`."""
    return timedelta(seconds=min(FIRST_BACKOFF * 2 ** (attempts - 1), MAX_BACKOFF))


def retry_horizon() -> timedelta:
    """From the first attempt to the last: what the platform's duplicate check must cover."""
    return sum((backoff(n) for n in range(1, MAX_ATTEMPTS)), LEASE)


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


# per database (its connection pool, which an engine shares with its option engines): this
# process committed outbox rows there since the last `drain_new`
_queued: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_queued_guard = threading.Lock()


def _queued_flag(pool) -> threading.Event:
    with _queued_guard:
        flag = _queued.get(pool)
        if flag is None:
            flag = _queued[pool] = threading.Event()
        return flag


@event.listens_for(Session, "after_commit")
def _note_queued(session: Session) -> None:
    if session.info.pop(outbox.QUEUED, False):
        _queued_flag(session.get_bind().pool).set()


def drain_new(services: Services, senders: Mapping[str, ChannelSender]) -> int:
    """Drain right after handling, but only when this process has queued something since the
    last call: most messages push nothing, and a look at the outbox per message cost a
    transaction. Retries and other processes' rows are the scheduler's outbox job's."""
    flag = _queued_flag(services.engine.pool)
    if not flag.is_set():
        return 0
    flag.clear()  # before reading: a row committed from now on sets it again
    return drain(services, senders)


Recipient = Callable[[int | None, str], bool]  # (person id, clear address) -> send this row?


def drain(
    services: Services,
    senders: Mapping[str, ChannelSender],
    limit: int = 100,
    only: Recipient | None = None,
) -> int:
    """Send what is due on every channel (with `only`, the rows it picks by recipient: a sealed
    address is opened to ask); returns how many were sent."""
    sent = 0
    for channel, sender in senders.items():
        with reader(services.sessions) as session:  # a look: no writer lock on SQLite
            ids = outbox.due_ids(session, channel, services.clock(), limit)
            if only is not None:
                rows = session.scalars(select(OutboxMessage).where(OutboxMessage.id.in_(ids)))
                ids = [r.id for r in rows if only(r.person_id, _clear_address(services, r))]
        for row_id in ids:
            sent += _send_one(services, sender, row_id)
    return sent


@dataclass
class _Outcome:
    error: str | None = None
    permanent: bool = False
    clear: list[str] = field(default_factory=list)  # opened values to mask in the error


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
        if row.attempts >= MAX_ATTEMPTS:  # every earlier attempt was cut off mid-send
            _give_up(session, sender, row, now)
            return 0
        attempt_id = outbox.start_attempt(session, row, now).id
        doc_id = row.payload.get("document_id")
        document = session.get(Document, doc_id) if doc_id else None
        session.expunge(row)
        if document is not None:
            session.expunge(document)
    outcome = _attempt(services, sender, row, document)
    return _record(services, sender, row, attempt_id, outcome)


def _attempt(
    services: Services, sender: ChannelSender, row: OutboxMessage, document: Document | None
) -> _Outcome:
    """Open the detached row's sealed fields in memory and send it; never raises."""
    outcome = _Outcome()
    try:
        _open(services, row, outcome.clear)
        sender.send(row, document)
    except SealError as err:  # another seal key: no retry can open it
        outcome.error, outcome.permanent = str(err), True
    except PermanentSendError as err:
        outcome.error, outcome.permanent = str(err), True
    except Exception as err:
        outcome.error = f"{type(err).__name__}: {err}"
    if outcome.error is not None:
        secrets = (*getattr(sender, "secrets", ()), *outcome.clear)
        outcome.error = redact(outcome.error, *secrets)[:ERROR_LIMIT]
    return outcome


def _clear_address(services: Services, row: OutboxMessage) -> str:
    if not row.payload.get("sealed_address"):
        return row.address
    try:
        return unseal(services.seal_key, row.address)
    except SealError:
        return ""


def _open(services: Services, row: OutboxMessage, clear: list[str]) -> None:
    payload = dict(row.payload)
    if payload.get("sealed_address"):  # detached copy: the clear address is never stored
        row.address = unseal(services.seal_key, row.address)
        clear.append(row.address)
    if payload.get("sealed_text"):
        payload["text"] = unseal(services.seal_key, payload["text"])
        clear.append(payload["text"])
    row.payload = payload


def _record(
    services: Services,
    sender: ChannelSender,
    row: OutboxMessage,
    attempt_id: int,
    outcome: _Outcome,
) -> int:
    """Write the attempt's outcome: sent, retry after a back-off, or failed for good."""
    now = services.clock()
    with services.sessions() as session, session.begin():
        fresh = session.get(OutboxMessage, row.id)
        fresh.lease_until = None
        if outcome.error is None:
            fresh.status, fresh.sent_at, fresh.last_error = outbox.SENT, now, None
            outbox.finish_attempt(session, attempt_id, now, outbox.SENT)
            _scrub(fresh, SCRUBBED)
            SENDS.labels(sender.channel, "sent").inc()
            return 1
        fresh.last_error = outcome.error
        if outcome.permanent or fresh.attempts >= MAX_ATTEMPTS:
            fresh.status = outbox.FAILED
            outbox.finish_attempt(session, attempt_id, now, outbox.FAILED, outcome.error)
            _scrub(fresh, SCRUBBED_FAILED)
            SENDS.labels(sender.channel, "failed").inc()
            log.error("outbox %s failed for good: %s", row.id, outcome.error)
            return 0
        fresh.next_attempt_at = now + backoff(fresh.attempts)
        if row.payload.get("resume") != fresh.payload.get("resume"):  # e.g. an uploaded file
            fresh.payload = {**fresh.payload, "resume": row.payload.get("resume")}
        outbox.finish_attempt(session, attempt_id, now, outbox.RETRY, outcome.error)
        SENDS.labels(sender.channel, "retry").inc()
        log.warning("outbox %s attempt %s failed: %s", row.id, fresh.attempts, outcome.error)
    return 0


def _give_up(session, sender: ChannelSender, row: OutboxMessage, now: datetime) -> None:
    outbox.close_interrupted(session, row.id, now)
    row.status, row.lease_until, row.last_error = outbox.FAILED, None, outbox.INTERRUPTED_ERROR
    _scrub(row, SCRUBBED_FAILED)
    SENDS.labels(sender.channel, "failed").inc()
    log.error("outbox %s failed for good: %s", row.id, outbox.INTERRUPTED_ERROR)


def _scrub(row: OutboxMessage, placeholder: str) -> None:
    """A sealed row has served its purpose: keep neither its address nor its words."""
    if outbox.is_sealed(row.payload):
        row.address = SCRUBBED_ADDRESS
        row.payload = {"private": True, "scrubbed": True, "text": placeholder}
