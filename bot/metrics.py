"""Prometheus metrics, served at `/metrics` (bot/app.py). Names are the contract with dashboards.

Counters and histograms are updated where things happen (callbacks, dispatch, outbox); backlog
gauges (inbox, outbox) are read from the database at scrape time, so every process reports the same.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from bot.redact import redact
from storage import outbox as outbox_rows
from storage.inbound import InboundMessage
from storage.outbox import OutboxMessage

if TYPE_CHECKING:
    from bot.dispatch import Services

log = logging.getLogger(__name__)
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"  # set by `liaison serve` before anything imports us

CALLBACKS = Counter(
    "liaison_callbacks_total",
    "Platform callbacks by channel and result (passive, late, duplicate, refused, unavailable)",
    ["channel", "result"],
)
DUPLICATES = Counter(
    "liaison_duplicate_deliveries_total", "Re-delivered messages recognised", ["channel"]
)
HANDLER_ERRORS = Counter(
    "liaison_handler_errors_total", "Messages whose handler raised an unexpected error"
)
SENDS = Counter(
    "liaison_sends_total",
    "Outbox send attempts by channel and result (sent, retry, failed)",
    ["channel", "result"],
)
QUEUE_WAIT = Histogram(
    "liaison_person_queue_wait_seconds",
    "Time a message waited for the earlier messages of the same person",
    buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
)


class BacklogCollector(Collector):
    """Inbox and outbox backlog, counted in the database at scrape time.

    Read from the database rather than kept in process memory, so every worker (and a scheduler on
    another machine) reports the same numbers, and a stuck queue shows even if no process is busy.
    """

    def __init__(self, services: Services) -> None:
        self.services = services

    def collect(self) -> Iterator[GaugeMetricFamily]:
        now = self.services.clock()
        try:
            with self.services.sessions() as session:
                inbox = _pending(session, InboundMessage, InboundMessage.received_at, now)
                outbox = _pending(session, OutboxMessage, OutboxMessage.created_at, now)
                failed = session.scalar(
                    select(func.count()).where(OutboxMessage.status == outbox_rows.FAILED)
                )
        except SQLAlchemyError as err:
            log.warning("metrics: database unreachable: %s", redact(err))
            yield _gauge("liaison_database_up", "1 when the database answered this scrape", 0)
            return
        yield _gauge("liaison_database_up", "1 when the database answered this scrape", 1)
        yield _gauge("liaison_inbox_backlog", "Inbox messages accepted, not yet handled", inbox[0])
        yield _gauge(
            "liaison_inbox_oldest_age_seconds",
            "Age of the oldest unhandled inbox message",
            inbox[1],
        )
        yield _gauge("liaison_outbox_depth", "Outbox messages waiting to be sent", outbox[0])
        yield _gauge(
            "liaison_outbox_oldest_age_seconds",
            "Age of the oldest unsent outbox message",
            outbox[1],
        )
        yield _gauge("liaison_outbox_failed", "Outbox messages given up on (status failed)", failed)


def _pending(session: Session, model: type, created: Any, now: datetime) -> tuple[int, float]:
    """(count, age in seconds of the oldest) of a table's rows with status 'pending'."""
    count, oldest = session.execute(
        select(func.count(), func.min(created)).where(model.status == "pending")
    ).one()
    age = max(0.0, (now - oldest).total_seconds()) if oldest is not None else 0.0
    return int(count), age


def _gauge(name: str, documentation: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, value=value)


class _ThisProcess(Collector):
    """The default registry (this process's counters), for a server without multiprocess mode."""

    def collect(self) -> Iterator[Metric]:
        yield from REGISTRY.collect()


def exposition(services: Services) -> tuple[bytes, str]:
    """The `/metrics` body and content type.

    Under `liaison serve` (gunicorn, several workers, plus the scheduler process) each process
    writes its counters to files in `PROMETHEUS_MULTIPROC_DIR`, and the collector sums them; a
    single-process server (tests, a plain WSGI server) reports its own registry.
    """
    registry = CollectorRegistry(auto_describe=False)
    path = os.environ.get(MULTIPROC_ENV)
    if path:
        MultiProcessCollector(registry, path)
    else:
        registry.register(_ThisProcess())
    registry.register(BacklogCollector(services))
    return generate_latest(registry), CONTENT_TYPE_LATEST
