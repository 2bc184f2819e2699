"""One incoming message from any channel → stored, handled once, in order, and answered.

The promise: a platform hears 200 only after `accept` has committed the message to the inbox
(bot/inbox.py), and every message in the inbox is handled exactly once, one at a time per person,
in the order received (platform CreateTime/MsgId, then arrival).

`process` takes the sender's lock (an flock bucket on SQLite, an advisory lock on PostgreSQL) and
handles the sender's pending messages in order, each closed in one transaction with the handler's
changes and pushes. On SQLite the handler first runs in a read-only transaction (most messages
only read), so only the short closing transaction takes the write lock; a handler that writes is
run again as a writer. The request whose message is closed within its budget answers passively
(`Gate`); any other answer goes through the outbox. `sweep` finishes whatever a dead worker left.
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
from structlog.contextvars import get_contextvars

from bot import inbox, metrics, router
from bot.config import ConfigError, Settings
from bot.inbox import Envelope, Previous, Unavailable
from bot.replies import Gate, fits_passive, settle
from handlers.core import Context, Incoming, Reply, Sender
from storage import inbound
from storage.audit import set_actor
from storage.db import WriteAttempted, queue_lock, quick_engine, quick_writer, reader
from storage.inbound import InboundMessage
from storage.roster import member_on
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
        on = (("wecom", self.settings.wecom), ("dingtalk", self.settings.dingtalk))
        return (*(name for name, cfg in on if cfg is not None), "console")

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
    person, appointments = member_on(session, msg.channel, msg.user_id)
    if person is None:
        return Sender(channel=msg.channel, user_id=msg.user_id)
    return Sender(
        channel=msg.channel, user_id=msg.user_id, person=person, appointments=tuple(appointments)
    )


def _route(services: Services, session: Session, msg: Incoming) -> tuple[Reply, bool]:
    """The reply, and whether the sender's address must stay sealed (not on the roster)."""
    sender = identify(session, msg)
    ctx = services.context(session, sender)
    person_id = sender.person.id if sender.person else None
    set_actor(session, sender.name, person_id, msg.channel)  # who changed what, from where
    session.info["audit_now"] = ctx.now
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
@dataclass
class Outcome:
    """What the request should do: answer `reply` passively (None: an empty 200)."""

    reply: Reply | None
    duplicate: bool = False


def accept(services: Services, env: Envelope) -> Outcome | int:
    """Store the message (raises Unavailable); its row id, or the answer to a re-delivery."""
    accepted = inbox.accept(services.engine, services.seal_key, env, services.clock())
    if not isinstance(accepted, Previous):
        return accepted
    metrics.DUPLICATES.labels(env.msg.channel).inc()
    if accepted.status == inbound.PENDING:
        return accepted.row_id  # the first delivery's handling died: handle it now
    if accepted.answered == "passive":  # our first answer may not have reached the platform
        return Outcome(accepted.reply, duplicate=True)
    return Outcome(None, duplicate=True)


def respond(services: Services, queue: str, row_id: int, gate: Gate) -> Outcome:
    """Handle the sender's queue up to the accepted message (in a worker thread; `gate` links it
    to the waiting request)."""
    return Outcome(process(services, queue, row_id, gate))


# -- the common case: a new message, nothing of its sender's waiting ------------------------------
class _Usual(Exception):
    """The message must take the usual way: stored first, then handled from the inbox."""


# one round trip: a short lock wait for this try (the usual way waits longer), and the sender's lock
_TRY_QUEUE_LOCK = text(
    "SELECT set_config('lock_timeout', '200ms', true), pg_try_advisory_xact_lock(:k)"
)


def answer_fresh(services: Services, env: Envelope, gate: Gate) -> Outcome | None:
    """Handle a new message and store it, answered, in one transaction; None when it must take
    the usual way (`accept`, then `process`).

    Most messages arrive with nothing of their sender's waiting. Handled under the sender's lock
    before anything is stored, such a message is written once (done, its answer sealed, its
    content never kept) instead of stored pending and closed again, and the platform still hears
    200 only after that commit. Anything unusual takes the usual way: a file to download, an
    earlier message of the sender still pending, the message already in the inbox (a re-delivery,
    or the request stored it when this took too long), the sender's lock busy, an error.
    """
    if env.media_id or env.msg.file_bytes is not None:
        return None
    started = time.monotonic()
    try:
        with queue_lock(services.engine, env.queue):
            if services.dialect == "sqlite":
                try:  # most messages only read: route them outside SQLite's write lock
                    reply = _fresh(services, env, gate, read_first=True)
                except WriteAttempted:
                    reply = _fresh(services, env, gate, read_first=False)
            else:
                reply = _fresh(services, env, gate, read_first=False)
    except (_Usual, IntegrityError):  # IntegrityError: a concurrent transaction got there first
        return None
    except OperationalError as err:  # the usual way answers 503 if the database is away
        log.info("answering the usual way: %s", type(err).__name__)
        return None
    except Exception:  # the usual way runs the handler again and answers the error itself
        log.exception("handler failed on the first try")
        return None
    metrics.QUEUE_WAIT.observe(time.monotonic() - started)
    return Outcome(reply)


def _fresh(services: Services, env: Envelope, gate: Gate, *, read_first: bool) -> Reply | None:
    handled = None
    if read_first:
        with reader(services.sessions) as session, session.begin():
            if session.execute(inbox.WAITING, {"queue": env.queue}).first():
                raise _Usual
            handled = _route(services, session, env.msg)
        reply, _sealed = handled
        if env.msg.kind == "text" and fits_passive(env.msg, reply) and gate.claim():
            return _store_passive(services, env, reply)  # the common case: one row to write
    with quick_writer(services.sessions) as session, session.begin():
        if services.dialect == "postgresql":
            key = {"k": int(env.queue[:15], 16)}
            if not session.execute(_TRY_QUEUE_LOCK, key).one()[1]:
                raise _Usual  # another message of the sender is being handled
        if handled is None:
            if session.execute(inbox.WAITING, {"queue": env.queue}).first():
                raise _Usual
            handled = _route(services, session, env.msg)
        reply, sealed = handled
        likely = fits_passive(env.msg, reply)  # settled by the gate below, after the insert
        now = services.clock()
        args = (session, services.seal_key, env, now, reply, "passive" if likely else "outbox")
        row_id = inbox.store_answered(*args)
        if row_id is None:
            raise _Usual  # rolls the handling back; the stored message is handled from the inbox
        passive = settle(services.context(session), env.msg, reply, sealed, gate)
        if passive != likely:
            how = "passive" if passive else "outbox"
            session.execute(inbox.ANSWERED_BY, {"row_id": row_id, "how": how})
        return reply if passive else None


def _store_passive(services: Services, env: Envelope, reply: Reply) -> Reply:
    """Store a message whose answer the waiting request carries: one insert, on a connection
    (no ORM session to set up for a single Core statement)."""
    with quick_engine(services.engine).begin() as conn:
        args = (conn, services.seal_key, env, services.clock(), reply, "passive")
        if inbox.store_answered(*args) is None:
            raise _Usual  # in the inbox already: handled from there, the request answers
    return reply


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
    if services.dialect == "sqlite":
        try:  # most messages only read: route them outside SQLite's write lock
            return _attempt(services, queue, own_id, gate, media, read_first=True)
        except WriteAttempted:
            pass
    return _attempt(services, queue, own_id, gate, media, read_first=False)


def _attempt(services, queue, own_id, gate, media, *, read_first: bool):
    """Handle the queue's next message. With `read_first` it is routed in a read-only
    transaction (a write raises WriteAttempted) and closed in a short write transaction."""
    handled = None
    if read_first:
        with reader(services.sessions) as session, session.begin():
            row = session.execute(inbox.NEXT, {"queue": queue}).first()
            if row is None:
                return None
            msg, lost = _prepare(services, row, media)
            handled = (lost, True) if lost else _route(services, session, msg)
    with services.sessions() as session, session.begin():
        _lock_queue(session, queue, services.dialect)
        if handled is None:
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
    error_id = get_contextvars().get("request_id") or uuid.uuid4().hex[:12]
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
    env = services.envelope(msg)
    try:
        accepted = accept(services, env)
        if isinstance(accepted, Outcome):
            return accepted.reply or Reply(), True
        outcome = respond(services, env.queue, accepted, Gate())
    except (Unavailable, OperationalError):
        return Reply(text=BUSY), False
    return outcome.reply or Reply(), False


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
