"""`/metrics` as Prometheus scrapes it: counters, and backlog numbers read from the database."""

from __future__ import annotations

from datetime import timedelta

from prometheus_client.parser import text_string_to_metric_families

from bot import metrics
from bot.app import create_app
from storage.inbound import InboundMessage, key_hash
from storage.outbox import OutboxMessage


def scrape(services) -> dict[str, float]:
    res = create_app(services).test_client().get("/metrics")
    assert res.status_code == 200
    assert res.content_type.startswith("text/plain")
    return {
        sample.name + _labels(sample.labels): sample.value
        for family in text_string_to_metric_families(res.get_data(as_text=True))
        for sample in family.samples
    }


def _labels(labels: dict[str, str]) -> str:
    return "{" + ",".join(f"{k}={v}" for k, v in sorted(labels.items())) + "}" if labels else ""


def _inbound(now, n: int, status: str, age: timedelta) -> InboundMessage:
    return InboundMessage(
        channel="wecom", key_hash=key_hash("wecom", f"m{n}"), received_at=now - age, status=status
    )


def _outbox(now, n: int, status: str, age: timedelta) -> OutboxMessage:
    return OutboxMessage(
        channel="wecom",
        address=f"user{n}",
        kind="text",
        payload={"text": "x"},
        status=status,
        created_at=now - age,
        next_attempt_at=now,
    )


def test_an_empty_database_has_no_backlog(services):
    seen = scrape(services)
    assert seen["liaison_database_up"] == 1
    for name in ("inbox_backlog", "inbox_oldest_age_seconds", "outbox_depth", "outbox_failed"):
        assert seen[f"liaison_{name}"] == 0
    assert seen["liaison_outbox_oldest_age_seconds"] == 0


def test_backlog_counts_pending_rows_and_the_age_of_the_oldest(services, clock):
    now = clock()
    with services.sessions() as session, session.begin():
        session.add_all(
            [
                _inbound(now, 1, "pending", timedelta(seconds=30)),
                _inbound(now, 2, "pending", timedelta(seconds=5)),
                _inbound(now, 3, "done", timedelta(hours=2)),
                _outbox(now, 1, "pending", timedelta(minutes=10)),
                _outbox(now, 2, "pending", timedelta(minutes=1)),
                _outbox(now, 3, "pending", timedelta(seconds=1)),
                _outbox(now, 4, "failed", timedelta(days=1)),
                _outbox(now, 5, "failed", timedelta(days=2)),
                _outbox(now, 6, "sent", timedelta(days=3)),
            ]
        )
    seen = scrape(services)
    assert seen["liaison_inbox_backlog"] == 2
    assert seen["liaison_inbox_oldest_age_seconds"] == 30
    assert seen["liaison_outbox_depth"] == 3
    assert seen["liaison_outbox_oldest_age_seconds"] == 600
    assert seen["liaison_outbox_failed"] == 2
    clock.advance(seconds=60)
    assert scrape(services)["liaison_inbox_oldest_age_seconds"] == 90


def test_counters_of_this_process_are_shown_with_their_labels(services):
    before = scrape(services).get("liaison_sends_total{channel=wecom,result=sent}", 0)
    metrics.SENDS.labels("wecom", "sent").inc()
    metrics.CALLBACKS.labels("wecom", "passive").inc()
    seen = scrape(services)
    assert seen["liaison_sends_total{channel=wecom,result=sent}"] == before + 1
    assert seen["liaison_callbacks_total{channel=wecom,result=passive}"] >= 1
    assert "liaison_person_queue_wait_seconds_count" in seen


def test_an_unreachable_database_is_a_gauge_not_an_error(services):
    engine = _unreachable()
    broken = type(services)(
        settings=services.settings,
        sessions=type(services.sessions)(bind=engine),
        clock=services.clock,
        seal_key=services.seal_key,
    )
    try:
        seen = scrape(broken)
    finally:
        engine.dispose()
    assert seen["liaison_database_up"] == 0
    assert "liaison_inbox_backlog" not in seen


def _unreachable():
    from storage.db import make_engine

    return make_engine("postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2")
