"""The scheduler registers every handler job in LIAISON_TIMEZONE and runs each once at start."""

from __future__ import annotations

import pytest
from apscheduler.schedulers.background import BackgroundScheduler

from bot.scheduler import configure
from handlers import core
from tests.support import TZ, RecordingSender


def test_every_registered_job_is_scheduled_in_the_configured_zone(services):
    sched = BackgroundScheduler(timezone=services.settings.timezone)
    configure(sched, services, {"console": RecordingSender()})
    jobs = {job.id: job for job in sched.get_jobs()}
    infrastructure = {"outbox.drain", "inbox.sweep"}
    if services.sessions.kw["bind"].dialect.name == "sqlite":
        infrastructure.add("storage.checkpoint")
    assert set(core.JOBS) | infrastructure == set(jobs)
    for job_id in core.JOBS:
        trigger = jobs[job_id].trigger
        assert str(trigger.timezone) == "Asia/Shanghai"
        # catch-up: each job's first run is "now", so anything missed while down goes out on start
        assert jobs[job_id].next_run_time == services.clock()


def test_a_started_scheduler_runs_every_job_at_once_and_delivers_what_is_queued(bot, clock):
    """Started for real: every domain job runs on start (catch-up), without error, and the drain
    job delivers pushes queued by a command."""
    from datetime import datetime
    from threading import Event

    from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED

    assert "发出催报" in bot.send("demo-office", "催报")  # on 23 November 2026
    clock.set(datetime.now(TZ))  # APScheduler fires on the real clock; the jobs read this one
    sender = RecordingSender()
    ran, failed, done = set(), [], Event()

    def record(event) -> None:
        if event.exception:
            failed.append((event.job_id, event.exception))
        else:
            ran.add(event.job_id)
        if set(core.JOBS) <= ran and len(sender.delivered) >= 32:
            done.set()

    sched = BackgroundScheduler(timezone=bot.services.settings.timezone)
    sched.add_listener(record, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)
    configure(sched, bot.services, {"console": sender}, drain_seconds=0.2)
    sched.start()
    try:
        assert done.wait(60), (sorted(set(core.JOBS) - ran), len(sender.delivered), failed)
    finally:
        sched.shutdown(wait=True)
    assert failed == []
    reminders = [p for p in sender.delivered if p.text.startswith("【催报】")]
    assert len({p.to for p in reminders}) == 32  # one to each unit's liaison, once


def test_wal_checkpoint_empties_the_wal_file(services, bot):
    from pathlib import Path

    from bot.scheduler import checkpoint_wal

    if services.sessions.kw["bind"].dialect.name != "sqlite":
        pytest.skip("SQLite only: PostgreSQL has no WAL file of ours to checkpoint")
    db_file = Path(services.settings.database_url.removeprefix("sqlite:///"))
    bot.send("demo-office", "我是谁")
    checkpoint_wal(services)
    wal = db_file.with_name(db_file.name + "-wal")
    assert not wal.exists() or wal.stat().st_size == 0


def test_the_sweep_job_answers_a_message_whose_worker_died(services, bot, clock):
    """A message stored but never handled (its worker killed) is handled by the sweeper, and the
    answer goes out through the outbox, once."""
    from bot import dispatch
    from bot.scheduler import sweep_inbox
    from handlers.core import Incoming

    msg = Incoming(channel="console", user_id="demo-office", text="我是谁", dedupe_key="m-1")
    row_id = dispatch.accept(services, services.envelope(msg))
    assert isinstance(row_id, int)
    sweep_inbox(services)  # too fresh: its own worker may still be on it
    assert bot.pushes() == []
    clock.advance(seconds=11)
    sweep_inbox(services)
    (push,) = bot.pushes()
    assert push.to == "demo-office" and "办公室" in push.text
    sweep_inbox(services)
    assert bot.pushes() == []
