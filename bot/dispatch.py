"""One incoming message from any channel → handled once, in order, and answered.

The promise: a platform hears 200 only after the message is in the inbox (bot/inbox.py), and every
message in the inbox is handled exactly once, one at a time per person, in platform order.

`respond` is the request path. Under the sender's lock it handles the message and inserts its
inbox row already `done`, with the handler's changes and pushes, in one transaction. On SQLite the
handler first runs in a read-only transaction (most messages only read) and only the final insert
takes the write lock; a handler that writes is run again as a writer. When the sender still has
earlier messages pending, or the message carries a file, the message is accepted as `pending` and
the sender's queue is handled in order (`process`). If the request's budget runs out, the request
itself accepts the message before answering an empty 200; whoever then handles it sends the
answer through the outbox. `sweep` finishes whatever a dead worker left pending.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from bot import inbox, metrics, router
from bot.config import ConfigError, Settings
from bot.inbox import Envelope, Previous, Unavailable
from bot.replies import Gate, settle
from handlers.core import Context, Incoming, Reply, Sender
from storage import inbound
from storage.db import WriteAttempted, queue_lock, reader
from storage.inbound import InboundMessage
from storage.roster import current_appointments, find_person
from storage.sealing import SealError, load_seal_key

__all__ = ["Gate", "Services", "Unavailable", "handle", "process", "respond", "sweep"]

log = logging.getLogger(__name__)
RETRIES = 3
APOLOGY = "抱歉，系统处理这条消息时出错，已记录。请稍后重试，或联系联席会议办公室。"
DOWNLOAD_FAILED = "文件接收失败，请稍后重新发送。"
MediaFetcher = Callable[[str], tuple[str, bytes]]


@dataclass
class Services:
    """What the transports share: settings, the database, the clock and the seal key."""

    settings: Settings
    sessions: sessionmaker[Session]
    clock: Callable[[], datetime]
    seal_key: bytes | None = field(default=None)
    media: dict[str, MediaFetcher] = field(default_factory=dict)  # channel -> file download

    def __post_init__(self) -> None:
        if self.seal_key is None:
            try:
                self.seal_key = load_seal_key(self.settings.seal_key, self.settings.instance_path)
            except SealError as err:
                raise ConfigError(str(err)) from None

    @property
    def push_channels(self) -> tuple[str, ...]:
        return ("wecom", "console") if self.settings.wecom else ("console",)

    @property
    def engine(self):
        return self.sessions.kw["bind"]

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def context(self, session: Session, sender: Sender | None = None) -> Context:
        now = self.clock()
        kwargs = {"sender": sender} if sender else {}
        return Context(
            session=session,
            now=now,
            tz=self.settings.timezone,
            org_name=self.settings.org_name,
            files_root=self.settings.files_path,
            options=self.settings.extra,
            push_channels=self.push_channels,
            seal_key=self.seal_key,
            **kwargs,
        )

    def envelope(self, msg: Incoming, **order) -> Envelope:
        return Envelope.of(self.seal_key, msg, self.clock(), **order)


def identify(session: Session, msg: Incoming) -> Sender:
    person = find_person(session, msg.user_id)
    if person is None:
        return Sender(channel=msg.channel, user_id=msg.user_id)
    return Sender(
        channel=msg.channel,
        user_id=msg.user_id,
        person=person,
        appointments=tuple(current_appointments(session, person.id)),
    )


def _route(services: Services, session: Session, msg: Incoming) -> tuple[Reply, bool]:
    """The reply, and whether the sender's address must stay sealed (not on the roster)."""
    sender = identify(session, msg)
    ctx = services.context(session, sender)
    reply = router.route(msg, ctx)
    sealed = sender.person is None
    for doc_id in reply.documents:
        ctx.push_to(msg.channel, msg.user_id, {"document_id": doc_id}, kind="file", sealed=sealed)
    return reply, sealed


def _lock_queue(session: Session, queue: str, dialect: str) -> None:
    """The sender's lock inside a transaction (PostgreSQL: one person at a time across workers
    and machines). SQLite holds `storage.db.queue_lock` around the whole handling instead."""
    if dialect == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": int(queue[:15], 16)})


# -- the request path -----------------------------------------------------------------------------
class _Queued(Exception):
    """The message must wait its turn (earlier ones pending) or needs its file first."""


class _LostRace(Exception):
    """A duplicate delivery recorded the message first: its answer stands, ours is undone."""

    def __init__(self, outcome: Outcome) -> None:
        super().__init__("duplicate")
        self.outcome = outcome


@dataclass
class Outcome:
    """What the request should do: answer `reply` passively (None: an empty 200)."""

    reply: Reply | None
    duplicate: bool = False


def respond(services: Services, env: Envelope, gate: Gate) -> Outcome:
    """Handle a freshly received message (in a worker thread; `gate` links it to the request)."""
    try:
        with queue_lock(services.engine, env.queue):
            return _respond_locked(services, env, gate)
    except _Queued:
        pass
    accepted = inbox.accept(services.engine, services.seal_key, env, services.clock())
    if isinstance(accepted, Previous) and accepted.status != inbound.PENDING:
        return _answer_previous(accepted, env.msg.channel)
    row_id = accepted.row_id if isinstance(accepted, Previous) else accepted
    return Outcome(process(services, env.queue, row_id, gate))


def _respond_locked(services: Services, env: Envelope, gate: Gate) -> Outcome:
    if env.media_id:
        raise _Queued  # download outside any lock, in process()
    for attempt in range(1, RETRIES + 1):
        try:
            if services.dialect == "sqlite":
                try:
                    return _respond_once(services, env, gate, read_first=True)
                except WriteAttempted:
                    pass
            return _respond_once(services, env, gate, read_first=False)
        except IntegrityError:
            log.info("conflict on attempt %s; handling the message again", attempt)
        except _LostRace as race:
            return race.outcome
        except (_Queued, OperationalError):
            raise
        except Exception:
            log.exception("handler failed")
            metrics.HANDLER_ERRORS.inc()
            break
    raise _Queued  # accepted as pending; process() answers with the apology


def _respond_once(services: Services, env: Envelope, gate: Gate, *, read_first: bool) -> Outcome:
    handled = None
    if read_first:
        with reader(services.sessions) as session, session.begin():
            seen = _seen(services, session, env)
            if seen is not None:
                return seen
            handled = _route(services, session, env.msg)
    with services.sessions() as session, session.begin():
        _lock_queue(session, env.queue, services.dialect)
        if handled is None:
            seen = _seen(services, session, env)
            if seen is not None:
                return seen
            handled = _route(services, session, env.msg)
        return _record(services, session, env, handled, gate)


def _seen(services: Services, session: Session, env: Envelope) -> Outcome | None:
    """_Queued when the sender has messages still pending (this one's re-delivery included):
    they go first, in order. A re-delivery of a handled message is caught by the insert."""
    if session.execute(inbox.NEXT, {"queue": env.queue}).first() is not None:
        raise _Queued
    return None


def _answer_previous(earlier: Previous, channel: str) -> Outcome:
    metrics.DUPLICATES.labels(channel).inc()
    if earlier.status != inbound.PENDING and earlier.answered == "passive":
        return Outcome(earlier.reply, duplicate=True)  # our first answer may not have arrived
    return Outcome(None, duplicate=True)


def _record(services, session, env: Envelope, handled: tuple[Reply, bool], gate) -> Outcome:
    """Insert the handled message with its answer; if the request accepted it meanwhile (out of
    budget), close that row instead: either way exactly one row, closed once."""
    reply, sealed = handled
    now = services.clock()
    passive = settle(services.context(session), env.msg, reply, sealed, gate)
    values = {
        "reply_text": inbox.seal_reply(services.seal_key, reply),
        "reply_button": reply.button_label or None,
        "answered": "passive" if passive else "outbox",
    }
    if inbox.insert_done(session, env, now, **values) is None:
        earlier = inbox.previous(session, services.seal_key, env)
        if earlier is None or not inbox.close(
            session,
            earlier.row_id,
            status=inbound.DONE,
            at=now,
            sealed_reply=values["reply_text"],
            button=values["reply_button"],
            answered=values["answered"],
        ):
            lost = _answer_previous(earlier, env.msg.channel) if earlier else None
            raise _LostRace(lost or Outcome(None, duplicate=True))
    return Outcome(reply if passive else None)


# -- the queue: pending messages of one person, in order ------------------------------------------
class _NeedsMedia(Exception):
    def __init__(self, row_id: int, channel: str, media_id: str) -> None:
        super().__init__(row_id)
        self.row_id, self.channel, self.media_id = row_id, channel, media_id


Media = tuple[int, bytes | None, str]  # inbox row, its file (None: download failed), file name


def _download(services: Services, need: _NeedsMedia) -> Media:
    fetch = services.media.get(need.channel)
    if fetch is None:
        return need.row_id, None, ""
    try:
        name, content = fetch(need.media_id)
    except Exception as err:  # the platform's error text may hold a token: only its type
        log.warning("media download failed for inbox %s: %s", need.row_id, type(err).__name__)
        return need.row_id, None, ""
    return need.row_id, content, name


def _prepare(services: Services, row, media: Media | None) -> tuple[Incoming, Reply | None]:
    """The row's message, with its file when it has one; or the answer when the file is lost."""
    msg, media_id = inbox.open_incoming(services.seal_key, row.sealed)
    if not media_id:
        return msg, None
    if media is None or media[0] != row.id:
        raise _NeedsMedia(row.id, msg.channel, media_id)
    if media[1] is None:
        return msg, Reply(text=DOWNLOAD_FAILED)  # nothing kept: a resend may succeed
    return replace(msg, file_name=msg.file_name or media[2], file_bytes=media[1]), None


def process(
    services: Services, queue: str, own_id: int | None = None, gate: Gate | None = None
) -> Reply | None:
    """Handle the queue's pending messages in order, up to `own_id` (or all, without one).

    Returns the reply of `own_id` when this call handled it and the gate let the request answer.
    """
    started = time.monotonic()
    for _ in range(10_000):  # a queue is short; the bound only guards against a loop bug
        outcome = _process_next(services, queue, own_id, gate)
        if outcome is None:
            return None
        row_id, reply = outcome
        if own_id is not None and row_id == own_id:
            metrics.QUEUE_WAIT.observe(time.monotonic() - started)
            return reply
    return None


def _process_next(services, queue, own_id, gate) -> tuple[int, Reply | None] | None:
    media: Media | None = None
    for attempt in range(1, RETRIES + 3):
        try:
            with queue_lock(services.engine, queue):
                return _process_once(services, queue, own_id, gate, media)
        except _NeedsMedia as need:
            media = _download(services, need)
        except IntegrityError:  # a concurrent transaction got there first: run it again
            log.info("conflict on attempt %s; handling the message again", attempt)
        except OperationalError as err:  # the database went away: the sweeper will retry
            log.warning("database unavailable while handling: %s", type(err).__name__)
            return None
        except Exception:
            log.exception("handler failed")
            metrics.HANDLER_ERRORS.inc()
            break
    with queue_lock(services.engine, queue):
        return _fail(services, queue, own_id, gate)


def _process_once(services, queue, own_id, gate, media) -> tuple[int, Reply | None] | None:
    with services.sessions() as session, session.begin():
        _lock_queue(session, queue, services.dialect)
        row = session.execute(inbox.NEXT, {"queue": queue}).first()
        if row is None:
            return None
        msg, lost = _prepare(services, row, media)
        handled = (lost, True) if lost else _route(services, session, msg)
        return row.id, _close(services, session, row.id, msg, handled, own_id, gate)


def _close(services, session, row_id, msg, handled, own_id, gate, status=inbound.DONE):
    reply, sealed = handled
    mine = gate if own_id == row_id else None
    passive = settle(services.context(session), msg, reply, sealed, mine)
    closed = inbox.close(
        session,
        row_id,
        status=status,
        at=services.clock(),
        sealed_reply=inbox.seal_reply(services.seal_key, reply),
        button=reply.button_label or None,
        answered="passive" if passive else "outbox",
    )
    if not closed:  # cannot happen under the queue lock; never send twice if it does
        raise RuntimeError(f"inbox {row_id} closed twice")
    return reply if passive else None


def _fail(services, queue, own_id, gate) -> tuple[int, Reply | None] | None:
    """An unexpected handler error: the message is closed as failed and answered with an apology
    that carries an error id for the log (never the error itself)."""
    error_id = uuid.uuid4().hex[:12]
    reply = Reply(text=f"{APOLOGY}（编号 {error_id}）")
    try:
        with services.sessions() as session, session.begin():
            _lock_queue(session, queue, services.dialect)
            row = session.execute(inbox.NEXT, {"queue": queue}).first()
            if row is None:
                return None
            msg, _ = inbox.open_incoming(services.seal_key, row.sealed)
            args = (services, session, row.id, msg, (reply, True), own_id, gate, inbound.FAILED)
            answer = _close(*args)
    except OperationalError:
        log.warning("database unavailable; the message stays pending for the sweeper")
        return None
    log.error("inbox %s failed (error id %s)", row.id, error_id)
    return row.id, answer


# -- entry points for the console, tests and the scheduler ----------------------------------------
BUSY = "系统繁忙（数据库暂时不可用），这条消息未能处理，请稍后重新发送。"


def handle(services: Services, msg: Incoming) -> tuple[Reply, bool]:
    """Handle one message to the end in this thread (console, tests). Returns (reply, dup?)."""
    try:
        outcome = respond(services, services.envelope(msg), Gate())
    except (Unavailable, OperationalError):
        return Reply(text=BUSY), False
    return outcome.reply or Reply(), outcome.duplicate


def sweep(services: Services, older_than: timedelta = timedelta(seconds=10)) -> int:
    """Handle messages accepted but not finished (a worker killed, a budget missed): the job that
    makes 'accepted' mean 'will be handled'. Their answers go through the outbox."""
    cutoff = services.clock() - older_than
    with reader(services.sessions) as session:
        queues = session.scalars(
            select(InboundMessage.sender_hash)
            .where(InboundMessage.status == inbound.PENDING, InboundMessage.received_at < cutoff)
            .distinct()
        ).all()
    for queue in queues:
        process(services, queue)
    return len(queues)
