"""Prometheus metrics, served at `/metrics` (bot/app.py). Names are the contract with dashboards.

Counters and histograms are updated where things happen (callbacks, dispatch, outbox); backlog
gauges (inbox, outbox) are read from the database at scrape time, so every process reports the same.
"""

from __future__ import annotations

from prometheus_client import Counter, Histogram

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
