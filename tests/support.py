"""Test helpers that talk like a user (errbot's `testbot`): send as someone, see what they get."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot import dispatch
from bot.dispatch import Services
from bot.outbox import drain
from bot.scheduler import run_job
from handlers import core
from handlers.core import Incoming, Reply
from handlers.demo import seed_demo
from storage.documents import Document
from storage.outbox import OutboxMessage

TZ = ZoneInfo("Asia/Shanghai")


class FakeClock:
    """A clock the test moves by hand; always timezone-aware in Asia/Shanghai."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def set(self, moment: datetime) -> None:
        self.now = moment if moment.tzinfo else moment.replace(tzinfo=TZ)

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class Push:
    to: str  # platform address (e.g. demo-u09-liaison)
    kind: str
    text: str
    payload: dict[str, Any]
    person_id: int | None = None
    document: Document | None = None
    dedupe_key: str | None = None


class RecordingSender:
    """A console-channel sender that remembers what it delivered instead of printing it."""

    channel = "console"
    per_minute = 0

    def __init__(self) -> None:
        self.delivered: list[Push] = []

    def send(self, row: OutboxMessage, document: Document | None) -> None:
        self.delivered.append(
            Push(
                to=row.address,
                kind=row.kind,
                text=str(row.payload.get("text", "")),
                payload=dict(row.payload),
                person_id=row.person_id,
                document=document,
                dedupe_key=row.dedupe_key,
            )
        )


@dataclass
class TestBot:
    """Drive the bot as users would, through the same dispatch and router as WeCom."""

    services: Services
    clock: FakeClock
    sender: RecordingSender = field(default_factory=RecordingSender)

    __test__ = False  # not a test class, despite the name

    def reply(self, user: str, text: str, **incoming: Any) -> Reply:
        msg = Incoming(channel="console", user_id=user, text=text, **incoming)
        reply, _duplicate = dispatch.handle(self.services, msg)
        return reply

    def send(self, user: str, text: str, **incoming: Any) -> str:
        """Send `text` as `user`; returns the reply text that user sees."""
        return self.reply(user, text, **incoming).text

    def pushes(self, to: str | None = None) -> list[Push]:
        """Deliver everything due in the outbox now; returns the new pushes (to `to`, if given)."""
        start = len(self.sender.delivered)
        drain(self.services, {"console": self.sender})
        new = self.sender.delivered[start:]
        return [p for p in new if to is None or p.to == to]

    def run_job(self, job_id: str) -> None:
        run_job(self.services, job_id)

    def run_jobs(self) -> None:
        """Run every registered job once at the clock's time; failures propagate."""
        for job_id in sorted(core.JOBS):
            run_job(self.services, job_id)

    def seed_demo(self) -> None:
        with self.services.sessions() as session, session.begin():
            seed_demo(session, self.clock())

    def session(self):
        return self.services.sessions()
