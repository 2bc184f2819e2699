"""APScheduler 3 set-up. The jobs themselves are plain functions registered in handlers/.

Every job is a reconciler: it looks at the clock and the database and queues what is due, with
outbox keys that make a second run (a restart, or two schedulers by mistake) change nothing. So
each job also runs once at start, which sends anything missed while the scheduler was down.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot import dispatch
from bot.dispatch import Services
from bot.outbox import ChannelSender, drain
from handlers import core
from storage.audit import set_actor

log = logging.getLogger(__name__)


def run_job(services: Services, job_id: str) -> None:
    """Run one registered job in its own transaction at the services' current time."""
    job = core.JOBS[job_id]
    with services.sessions() as session, session.begin():
        ctx = services.context(session)
        set_actor(session, "系统", None, "定时任务")  # the jobs' changes, credited to the system
        session.info["audit_now"] = ctx.now
        job.func(ctx)


def _trigger(job: core.Job, services: Services):
    tz = services.settings.timezone
    if job.trigger == "cron":
        return CronTrigger(timezone=tz, **job.trigger_args)
    return IntervalTrigger(timezone=tz, **job.trigger_args)


def configure(
    scheduler: BaseScheduler,
    services: Services,
    senders: Mapping[str, ChannelSender],
    drain_seconds: float = 2.0,
) -> BaseScheduler:
    for job in core.JOBS.values():
        scheduler.add_job(
            _safe,
            _trigger(job, services),
            args=[services, job.id],
            id=job.id,
            replace_existing=True,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=3600,
            next_run_time=services.clock(),
        )
    if senders:
        scheduler.add_job(
            drain,
            IntervalTrigger(seconds=drain_seconds, timezone=services.settings.timezone),
            args=[services, senders],
            id="outbox.drain",
            coalesce=True,
            max_instances=1,
            replace_existing=True,
        )
    scheduler.add_job(
        sweep_inbox,
        IntervalTrigger(seconds=SWEEP_SECONDS, timezone=services.settings.timezone),
        args=[services],
        id="inbox.sweep",
        coalesce=True,
        max_instances=1,
        replace_existing=True,
        next_run_time=services.clock(),
    )
    if services.sessions.kw["bind"].dialect.name == "sqlite":
        scheduler.add_job(
            checkpoint_wal,
            IntervalTrigger(minutes=5, timezone=services.settings.timezone),
            args=[services],
            id="storage.checkpoint",
            coalesce=True,
            max_instances=1,
            replace_existing=True,
        )
    return scheduler


SWEEP_SECONDS = 5


def sweep_inbox(services: Services) -> None:
    """Handle messages a web worker accepted but did not finish (killed, or over its budget)."""
    if services.settings.wecom is not None and "wecom" not in services.media:
        from bot.wecom_client import DbTokenStorage, WeComClient

        client = WeComClient(services.settings.wecom, DbTokenStorage(services))
        services.media["wecom"] = client.download_media
    try:
        dispatch.sweep(services)
    except Exception:
        log.exception("inbox sweep failed")


def checkpoint_wal(services: Services) -> None:
    """Fold SQLite's WAL back into the database so deleted rows (zeroed by secure_delete, e.g. a
    reporter's finished dialogue) do not linger in old WAL frames."""
    raw = services.sessions.kw["bind"].raw_connection()  # outside any BEGIN IMMEDIATE
    try:
        raw.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)").close()
    finally:
        raw.close()


def _safe(services: Services, job_id: str) -> None:
    try:
        run_job(services, job_id)
    except Exception:
        log.exception("job %s failed", job_id)
