"""What every webhook channel does after translating: store the message, then answer.

The same promise as bot/channels/wecom.py: a message is committed to the inbox (`dispatch.accept`)
before the platform hears success, handled once, one at a time per person, in order. `Handling`
then either waits for the answer within a budget (a passive reply: WeChat Official Account), or
hands it to a worker whose answer leaves through the outbox, drained at once (DingTalk: its
callbacks carry no passive reply). A worker that dies leaves the message pending for the sweeper.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime

from flask import Response

from bot import dispatch, inbox, metrics
from bot.dispatch import Services
from bot.logs import bind_request, clear_request, log_callback
from bot.outbox import ChannelSender, drain_new
from bot.replies import Gate
from handlers.core import Incoming, Reply

log = logging.getLogger(__name__)
COMMIT_GRACE = 1.5  # seconds a request waits for a commit already under way


@dataclass
class Accepted:
    """A stored message: `duplicate` holds the answer to a re-delivery, else `row_id` is new."""

    queue: str
    row_id: int | None = None
    duplicate: dispatch.Outcome | None = None


def budget_left(started: float, budget: float) -> float:
    return max(budget - (time.monotonic() - started), 0.0)


def platform_order(msg) -> dict:
    """CreateTime and MsgId: the order in which one person's messages are handled."""
    data = msg._data
    try:
        created = datetime.fromtimestamp(int(data.get("CreateTime") or 0), UTC)
    except (ValueError, OverflowError, OSError):
        created = None
    seq = str(data.get("MsgId") or "")
    return {
        "platform_time": created if created and created.year > 2000 else None,
        "platform_seq": int(seq) if seq.isdigit() and len(seq) < 19 else 0,
    }


def observed(channel: str, receive: Callable[[float, str], tuple[str, Response]]) -> Response:
    """Run one callback under its request id, then count and log its result (one line each)."""
    started = time.monotonic()
    request_id = bind_request(channel=channel)
    try:
        result, response = receive(started, request_id)
    finally:
        clear_request()
    metrics.CALLBACKS.labels(channel, result).inc()
    log_callback(channel, result, ms=round((time.monotonic() - started) * 1000, 1))
    return response


class Handling:
    """A channel's worker pool: accept, then answer passively within a budget or by outbox."""

    def __init__(
        self, services: Services, channel: str, workers: int = 8, *, button_only: bool = False
    ) -> None:
        self.services = services
        self.channel = channel
        self.button_only = button_only  # the passive card-click answer carries no text (WeCom)
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix=channel)
        self.senders: Callable[[], dict[str, ChannelSender]] = dict

    def accept(self, incoming: Incoming, **order) -> Accepted:
        """Commit to the inbox (raises dispatch.Unavailable: the platform must deliver again)."""
        return self._accept(self.services.envelope(incoming, **order))

    def _accept(self, envelope: inbox.Envelope) -> Accepted:
        accepted = dispatch.accept(self.services, envelope)
        if isinstance(accepted, dispatch.Outcome):
            return Accepted(envelope.queue, duplicate=accepted)
        return Accepted(envelope.queue, row_id=accepted)

    def answer(
        self, incoming: Incoming, budget: float, request_id: str, **order
    ) -> dispatch.Outcome:
        """Store and handle a message; the passive answer (`reply`) if it is ready within the
        budget, else an Outcome without one (the answer goes through the outbox).

        A worker first tries `dispatch.answer_fresh` (stored once, already answered). When it
        declines (or has not ended within the budget), the request takes the usual way: it
        stores the message (raises dispatch.Unavailable: the platform must deliver it again),
        then has it handled from the inbox. Either way nothing is answered before it is stored.
        """
        started = time.monotonic()
        envelope = self.services.envelope(incoming, **order)
        gate = Gate(button_only=self.button_only)
        self.pool.submit(self._first_try, envelope, gate, request_id)
        if not gate.done.wait(budget) and not gate.abandon():
            gate.done.wait(COMMIT_GRACE)  # the worker has claimed the answer and is committing
        outcome = gate.result if gate.done.is_set() else None
        if isinstance(outcome, dispatch.Outcome):
            return outcome
        accepted = self._accept(envelope)
        if accepted.duplicate is not None:
            return accepted.duplicate
        left = budget_left(started, budget)
        if not left:  # the first try is still running: it will find the message stored
            self.in_background(accepted, request_id)
            return dispatch.Outcome(None)
        return dispatch.Outcome(self.within_budget(accepted, left, request_id))

    def _first_try(self, envelope: inbox.Envelope, gate: Gate, request_id: str) -> None:
        outcome = None
        bind_request(request_id, channel=self.channel)
        try:
            outcome = dispatch.answer_fresh(self.services, envelope, gate)
            if outcome is not None:
                self.send_now()
        except Exception as err:  # nothing stored: the request takes the usual way
            log.warning("%s first try stopped: %s", self.channel, type(err).__name__)
        finally:
            clear_request()
            gate.finish(outcome)

    def within_budget(self, accepted: Accepted, budget: float, request_id: str) -> Reply | None:
        """The passive answer if the handling commits in time; else None (outbox)."""
        gate = Gate(button_only=self.button_only)
        self.pool.submit(self._work, accepted, gate, request_id)
        if not gate.done.wait(budget) and not gate.abandon():
            gate.done.wait(COMMIT_GRACE)  # the worker has claimed the answer and is committing
        outcome = gate.result
        return outcome.reply if isinstance(outcome, dispatch.Outcome) else None

    def in_background(self, accepted: Accepted, request_id: str) -> None:
        """Handle without a waiting request; the answer goes out through the outbox at once."""
        self.pool.submit(self._work, accepted, None, request_id)

    def _work(self, accepted: Accepted, gate: Gate | None, request_id: str) -> None:
        outcome = None
        bind_request(request_id, channel=self.channel)
        try:
            if gate is None:
                dispatch.process(self.services, accepted.queue, accepted.row_id)
            else:
                outcome = dispatch.respond(self.services, accepted.queue, accepted.row_id, gate)
            self.send_now()
        except Exception as err:  # the message stays in the inbox for the sweeper
            log.warning("%s worker stopped: %s", self.channel, type(err).__name__)
        finally:
            clear_request()
            if gate is not None:
                gate.finish(outcome)

    def send_now(self) -> None:
        """Drain this channel's outbox now (answers should not wait for the scheduler)."""
        senders = self.senders()
        if senders:
            drain_new(self.services, senders)

    def close(self) -> None:
        self.pool.shutdown(wait=True)
