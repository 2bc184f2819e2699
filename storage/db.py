"""Engine and session set-up that behaves the same on SQLite and PostgreSQL.

SQLite gets WAL and `BEGIN IMMEDIATE`, so that several processes (web workers, the scheduler, the
console) can write without "database is locked" errors and so that a unique constraint, not luck,
decides which of two concurrent deliveries wins. Writers queue on our own lock before BEGIN (a
thread lock, then an flock beside the database file): SQLite's busy handler polls with growing
sleeps and is not first-come-first-served, which turned contention into a tail of hundreds of ms.
Read-only work (`reader`) begins a deferred transaction and takes no writer lock.

Statement parameters are never put into exception texts (`hide_parameters`): a failed handler
must not log a report's contents.
"""

from __future__ import annotations

import fcntl
import os
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import DateTime, Engine, MetaData, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class UTCDateTime(TypeDecorator):
    """Stores aware datetimes as UTC; returns them aware (SQLite drops tzinfo otherwise)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime stored; every datetime must be timezone-aware")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class WriteAttempted(Exception):
    """A read-only transaction tried to change something: run the work again as a writer."""


_READ_PREFIXES = ("SELECT", "BEGIN", "COMMIT", "SAVEPOINT", "RELEASE", "ROLLBACK", "PRAGMA")
BUSY_TIMEOUT_MS = 3000  # under WeCom's 5 s: a locked database answers 503 and WeCom re-delivers
READ_ONLY = "liaison_read_only"  # execution option: a deferred transaction, no writer lock
NO_WAIT = "liaison_no_wait"  # execution option: a writer that fails at once on a foreign lock


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    dbapi_conn.isolation_level = None  # let SQLAlchemy's "begin" hook issue BEGIN IMMEDIATE
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA secure_delete=ON")  # deleted rows (e.g. a reporter's dialogue) are zeroed
    cur.close()


class WriterQueue:
    """First come, first served among our own writers: a thread lock per process, then an flock."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.local = threading.Lock()
        self._fd: int | None = None
        self._pid = 0

    def _file(self) -> int | None:
        if self.path is None:
            return None
        if self._fd is None or self._pid != os.getpid():  # a forked worker opens its own
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            self._pid = os.getpid()
        return self._fd

    def acquire(self) -> None:
        self.local.acquire()
        try:
            fd = self._file()
            if fd is not None:
                fcntl.flock(fd, fcntl.LOCK_EX)
        except BaseException:
            self.local.release()
            raise

    def release(self) -> None:
        try:
            fd = self._file()
            if fd is not None:
                fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            self.local.release()


def _private_file(path: Path) -> None:
    """Create the database file (and its folder) readable by the owner only; SQLite gives its
    -wal and -shm files the database file's permissions."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if not path.exists():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))


def _sqlite_engine(url: str, database: str | None, **kwargs) -> Engine:
    on_disk = bool(database) and database != ":memory:"
    if on_disk:
        _private_file(Path(database))
    engine = create_engine(
        url,
        connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
        hide_parameters=True,
        **kwargs,
    )
    event.listen(engine, "connect", _sqlite_pragmas)
    queue = WriterQueue(Path(f"{database}.writer-lock") if on_disk else None)

    @event.listens_for(engine, "begin")
    def _begin(conn) -> None:
        if conn.get_execution_options().get(READ_ONLY):
            conn.exec_driver_sql("BEGIN")
            return
        queue.acquire()
        conn.info["writer"] = True
        no_wait = conn.get_execution_options().get(NO_WAIT)
        try:
            if no_wait:  # our own writers queue above; only a foreign lock can make it wait
                conn.exec_driver_sql("PRAGMA busy_timeout=0")
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            if conn.info.pop("writer", None):  # unless the rollback event released it already
                queue.release()
            raise
        finally:
            if no_wait:
                conn.exec_driver_sql(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")

    def _end(conn) -> None:
        if conn.info.pop("writer", None):
            queue.release()

    event.listen(engine, "commit", _end)
    event.listen(engine, "rollback", _end)
    event.listen(engine, "before_cursor_execute", _refuse_writes_when_reading)
    engine.queue_locks = QueueLocks(Path(f"{database}.queues") if on_disk else None)  # type: ignore[attr-defined]
    return engine


def _refuse_writes_when_reading(conn, _cursor, statement: str, *_args) -> None:
    reading = conn.get_execution_options().get(READ_ONLY)
    if reading and not statement.lstrip().upper().startswith(_READ_PREFIXES):
        raise WriteAttempted(statement.split(None, 1)[0])


class QueueLocks:
    """Per-person locks for SQLite (one machine): a thread lock and an flock per bucket, so one
    person's messages are handled one at a time across threads and processes while other people's
    go on. PostgreSQL uses an advisory lock inside the transaction instead."""

    BUCKETS = 64

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self.locks = [threading.Lock() for _ in range(self.BUCKETS)]
        self._fds: dict[int, int] = {}
        self._pid = 0
        self._guard = threading.Lock()

    def _fd(self, bucket: int) -> int | None:
        if self.folder is None:
            return None
        with self._guard:
            if self._pid != os.getpid():
                self._fds, self._pid = {}, os.getpid()
            if bucket not in self._fds:
                self.folder.mkdir(mode=0o700, exist_ok=True)
                path = self.folder / f"{bucket:02d}.lock"
                self._fds[bucket] = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
            return self._fds[bucket]

    @contextmanager
    def hold(self, key: str) -> Iterator[None]:
        bucket = int(key[:8], 16) % self.BUCKETS
        with self.locks[bucket]:
            fd = self._fd(bucket)
            if fd is not None:
                fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                yield
            finally:
                if fd is not None:
                    fcntl.flock(fd, fcntl.LOCK_UN)


@contextmanager
def queue_lock(engine: Engine, key: str) -> Iterator[None]:
    """Hold `key`'s per-person lock where the database needs one outside transactions (SQLite)."""
    locks: QueueLocks | None = getattr(engine, "queue_locks", None)
    if locks is None:
        yield
        return
    with locks.hold(key):
        yield


def make_engine(url: str, **kwargs) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url, parsed.database, **kwargs)
    kwargs.setdefault("pool_pre_ping", False)  # a dead connection fails one message, not each
    kwargs.setdefault("pool_size", 10)
    return create_engine(url, hide_parameters=True, **kwargs)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


def serialize(session: Session, name: str) -> None:
    """Take a transaction-long lock named `name` (e.g. numbering a day's cases), so concurrent
    transactions on PostgreSQL queue instead of racing for the same next number; SQLite's single
    writer already serialises them."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:name))"), {"name": name})


def is_reading(session: Session) -> bool:
    """True inside a `reader()` session (its writes would raise WriteAttempted)."""
    bind = session.get_bind()
    return bool(bind.get_execution_options().get(READ_ONLY))


def reader(sessions: sessionmaker[Session]) -> Session:
    """A session for reading only: on SQLite a deferred transaction that blocks no writer."""
    return _with_option(sessions, READ_ONLY)


def quick_writer(sessions: sessionmaker[Session]) -> Session:
    """A session whose transaction fails at once (SQLite: OperationalError) when a program other
    than ours holds the database, instead of waiting the busy timeout: for a first try that has a
    slower way to fall back on."""
    return _with_option(sessions, NO_WAIT)


def quick_engine(engine: Engine) -> Engine:
    """`engine` for Core work in the manner of `quick_writer`."""
    return _factory(engine, NO_WAIT).kw["bind"]


def _with_option(sessions: sessionmaker[Session], option: str) -> Session:
    return _factory(sessions.kw["bind"], option)()


def _factory(engine: Engine, option: str) -> sessionmaker[Session]:
    factories = _OPTIONED.setdefault(engine, {})
    factory = factories.get(option)
    if factory is None:  # one option engine and factory per engine, not one per message
        bound = engine.execution_options(**{option: True})
        factory = factories[option] = sessionmaker(bind=bound, expire_on_commit=False)
    return factory


_OPTIONED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
