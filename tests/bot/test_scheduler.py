"""The scheduler registers every handler job in LIAISON_TIMEZONE and runs each once at start."""

from __future__ import annotations

from apscheduler.schedulers.background import BackgroundScheduler

from bot.scheduler import configure
from handlers import core
from tests.support import RecordingSender


def test_every_registered_job_is_scheduled_in_the_configured_zone(services):
    sched = BackgroundScheduler(timezone=services.settings.timezone)
    configure(sched, services, {"console": RecordingSender()})
    jobs = {job.id: job for job in sched.get_jobs()}
    assert set(core.JOBS) | {"outbox.drain"} == set(jobs)
    for job_id in core.JOBS:
        trigger = jobs[job_id].trigger
        assert str(trigger.timezone) == "Asia/Shanghai"
        # catch-up: each job's first run is "now", so anything missed while down goes out on start
        assert jobs[job_id].next_run_time == services.clock()


def test_jobs_are_registered_by_the_domains():
    assert core.JOBS, "no scheduled jobs registered"
