"""When sending goes wrong: a timeout after WeCom accepted, a killed sender, a token WeCom keeps
refusing, a failing gettoken. Each push is shown once, retries are few and spaced, every attempt is
recorded, nothing secret reaches a log or a row, and what fails for good is listed for the office
(`发送失败`) and can be put back (`重发`)."""

from __future__ import annotations

import logging
import traceback

import pytest
from prometheus_client import REGISTRY
from sqlalchemy import select, text

from bot.outbox import (
    LEASE,
    MAX_ATTEMPTS,
    SCRUBBED,
    SCRUBBED_ADDRESS,
    SCRUBBED_FAILED,
    PermanentSendError,
    TransientSendError,
    backoff,
    drain,
    retry_horizon,
)
from bot.wecom_client import DUPLICATE_CHECK_INTERVAL, WeComSender
from storage import outbox
from storage.documents import save_document
from storage.outbox import OutboxMessage
from tests.fakes.wecom_api import FAKE_SECRET

OFFICE = "demo-office"
REPORTER = "worker-13800001111"
WORDS = "您反映的问题已办结，查询码 K7M2QX"


@pytest.fixture
def wecom_env(wecom_env: dict[str, str]) -> dict[str, str]:
    return {**wecom_env, "LIAISON_WECOM_TIMEOUT": "0.3"}  # the fake stalls 1 s when asked


@pytest.fixture
def sender(wecom_services):
    s = WeComSender(wecom_services)
    yield s
    s.close()


def queue(services, address: str = OFFICE, kind: str = "text", sealed=False, **payload) -> int:
    with services.sessions() as session, session.begin():
        ctx = services.context(session)
        ctx.push_to("wecom", address, payload or {"text": "会议通知"}, kind=kind, sealed=sealed)
        return session.scalar(select(OutboxMessage.id).order_by(OutboxMessage.id.desc()))


def row(services, row_id: int) -> OutboxMessage:
    with services.sessions() as session:
        return session.get(OutboxMessage, row_id)


def results(services, row_id: int) -> list[str | None]:
    with services.sessions() as session:
        return [a.result for a in outbox.attempts_of(session, row_id)]


def send_all(services, sender) -> int:
    return drain(services, {"wecom": sender})


def counts(api) -> tuple[int, int]:
    return len(api.calls_to("gettoken")), len(api.calls_to("message/send"))


def stored_text(services, tables=("outbox_message", "outbox_attempt")) -> str:
    """Every column of every row of these tables, as one string to grep."""
    with services.sessions() as session:
        return "\n".join(
            repr(tuple(r)) for t in tables for r in session.execute(text(f"SELECT * FROM {t}"))
        )


def sends(channel: str, result: str) -> float:
    labels = {"channel": channel, "result": result}
    return REGISTRY.get_sample_value("liaison_sends_total", labels) or 0.0


# -- exactly once ------------------------------------------------------------------------------


def test_a_send_timing_out_after_wecom_accepted_it_is_shown_once(
    wecom_services, sender, wecom_api, clock
):
    row_id = queue(wecom_services, text="第12次联席会议通知")
    wecom_api.accept_then_stall(1, seconds=1.0)
    assert send_all(wecom_services, sender) == 0  # the client gave up after 0.3 s
    assert wecom_api.texts_to(OFFICE) == ["第12次联席会议通知"]  # …but WeCom had shown it
    waiting = row(wecom_services, row_id)
    assert (waiting.status, waiting.attempts) == (outbox.PENDING, 1)
    assert "network" in waiting.last_error
    clock.advance(seconds=30)
    assert send_all(wecom_services, sender) == 1
    assert len(wecom_api.calls_to("message/send")) == 2  # sent again, not shown again
    assert wecom_api.texts_to(OFFICE) == ["第12次联席会议通知"]
    assert len(wecom_api.duplicates) == 1
    assert results(wecom_services, row_id) == ["retry", "sent"]


def test_a_file_timing_out_after_wecom_accepted_it_is_uploaded_and_shown_once(
    wecom_services, sender, wecom_api, clock
):
    with wecom_services.sessions() as session, session.begin():
        doc = save_document(
            session,
            wecom_services.settings.files_path,
            kind="纪要",
            subject="HY12",
            filename="第12次会议纪要.docx",
            content=b"docx bytes",
            now=clock(),
        )
        doc_id = doc.id
    queue(wecom_services, kind="file", document_id=doc_id, safe=1)
    wecom_api.accept_then_stall(1, seconds=1.0)
    assert send_all(wecom_services, sender) == 0
    clock.advance(seconds=30)
    assert send_all(wecom_services, sender) == 1
    assert len(wecom_api.calls_to("media/upload")) == 1  # the retry reused the media_id
    (shown,) = wecom_api.sent_to(OFFICE)
    assert shown["msgtype"] == "file" and shown["safe"] == 1


def test_a_sender_killed_mid_send_resends_after_the_lease_and_wecom_shows_it_once(
    wecom_services, sender, wecom_api, clock
):
    class KilledAfterSending:
        channel, per_minute = "wecom", 0

        def send(self, row, document):
            sender.send(row, document)
            raise SystemExit("killed")  # the process dies before recording the outcome

    row_id = queue(wecom_services, text="第12次联席会议通知")
    with pytest.raises(SystemExit):
        drain(wecom_services, {"wecom": KilledAfterSending()})
    assert send_all(wecom_services, sender) == 0  # still leased
    clock.advance(seconds=LEASE.total_seconds() + 1)
    assert send_all(wecom_services, sender) == 1
    assert wecom_api.texts_to(OFFICE) == ["第12次联席会议通知"]
    assert results(wecom_services, row_id) == ["interrupted", "sent"]


def test_a_row_whose_every_attempt_was_cut_off_fails_for_good(wecom_services, sender, wecom_api):
    row_id = queue(wecom_services)
    with wecom_services.sessions() as session, session.begin():
        session.get(OutboxMessage, row_id).attempts = MAX_ATTEMPTS
    assert send_all(wecom_services, sender) == 0
    assert row(wecom_services, row_id).status == outbox.FAILED
    assert wecom_api.calls_to("message/send") == []


def test_the_retry_schedule_fits_inside_the_duplicate_check_interval():
    assert [backoff(n).total_seconds() for n in range(1, 9)] == [
        30,
        60,
        120,
        240,
        480,
        960,
        1800,
        1800,
    ]
    assert retry_horizon().total_seconds() < DUPLICATE_CHECK_INTERVAL


# -- bounded retries -------------------------------------------------------------------------------


def test_a_token_wecom_keeps_refusing_costs_one_refetch_per_attempt_then_backs_off(
    wecom_services, sender, wecom_api, clock, caplog
):
    caplog.set_level(logging.DEBUG)
    failed_before, retry_before = sends("wecom", "failed"), sends("wecom", "retry")
    wecom_api.fail_always(errcode=40014, path="message/send")
    row_id = queue(wecom_services)
    assert send_all(wecom_services, sender) == 0
    assert counts(wecom_api) == (2, 2)  # no token yet, send, refetch once, send once: done
    waiting = row(wecom_services, row_id)
    assert waiting.attempts == 1 and "40014" in waiting.last_error
    assert waiting.next_attempt_at == clock() + backoff(1)
    assert send_all(wecom_services, sender) == 0
    assert counts(wecom_api) == (2, 2)  # backing off: nothing sent
    for attempt in range(2, MAX_ATTEMPTS + 1):
        clock.advance(seconds=backoff(attempt - 1).total_seconds())
        send_all(wecom_services, sender)
        assert counts(wecom_api) == (1 + attempt, 2 * attempt)
    failed = row(wecom_services, row_id)
    assert (failed.status, failed.attempts) == (outbox.FAILED, MAX_ATTEMPTS)
    assert results(wecom_services, row_id) == ["retry"] * (MAX_ATTEMPTS - 1) + ["failed"]
    assert sends("wecom", "retry") - retry_before == MAX_ATTEMPTS - 1
    assert sends("wecom", "failed") - failed_before == 1
    clock.advance(hours=5)
    send_all(wecom_services, sender)
    assert counts(wecom_api) == (1 + MAX_ATTEMPTS, 2 * MAX_ATTEMPTS)
    assert "fake-token-" not in caplog.text + stored_text(wecom_services)


@pytest.mark.parametrize(
    "failure", [{"http_status": 500}, {"errcode": 40001}, {"http_status": 502}], ids=str
)
def test_every_error_kind_backs_off(wecom_services, sender, wecom_api, clock, failure):
    wecom_api.fail_always(path="message/send", **failure)
    row_id = queue(wecom_services)
    send_all(wecom_services, sender)
    clock.advance(seconds=29)
    send_all(wecom_services, sender)
    assert row(wecom_services, row_id).attempts == 1
    assert len(wecom_api.calls_to("message/send")) <= 2


# -- no secrets --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "failure", ["http_status", "errcode", "unreachable"], ids=["500", "40001", "unreachable"]
)
def test_a_failing_gettoken_leaves_its_secret_in_no_log_row_or_exception(
    wecom_services, sender, wecom_api, clock, caplog, failure
):
    caplog.set_level(logging.DEBUG)
    if failure == "http_status":
        wecom_api.fail_always(http_status=500, path="gettoken")
    elif failure == "errcode":
        wecom_api.fail_always(errcode=40001, path="gettoken")
    else:
        wecom_api.stop()
    row_id = queue(wecom_services)
    assert send_all(wecom_services, sender) == 0
    waiting = row(wecom_services, row_id)
    assert waiting.status == outbox.PENDING and waiting.last_error
    with pytest.raises(Exception) as raised:
        sender.client.fetch_access_token()
    shown = "".join(traceback.format_exception(raised.value))
    assert "gettoken" in waiting.last_error + shown
    everything = caplog.text + stored_text(wecom_services, ("outbox_message", "outbox_attempt"))
    everything += stored_text(wecom_services, ("cached_token",)) + shown
    assert FAKE_SECRET not in everything
    assert FAKE_SECRET[:10] not in everything


# -- sealed rows ---------------------------------------------------------------------------------


def test_a_sealed_row_is_sealed_at_rest_and_scrubbed_once_sent(wecom_services, sender, wecom_api):
    row_id = queue(wecom_services, address=REPORTER, text=WORDS, sealed=True)
    at_rest = stored_text(wecom_services)
    assert "13800001111" not in at_rest and "K7M2QX" not in at_rest
    assert send_all(wecom_services, sender) == 1
    assert wecom_api.texts_to(REPORTER) == [WORDS]
    done = row(wecom_services, row_id)
    assert done.address == SCRUBBED_ADDRESS and done.payload["text"] == SCRUBBED


def test_a_sealed_row_failing_for_good_is_scrubbed_and_its_error_names_no_one(
    wecom_services, sender, wecom_api
):
    row_id = queue(wecom_services, address="invalid-13800001111", text=WORDS, sealed=True)
    assert send_all(wecom_services, sender) == 0
    failed = row(wecom_services, row_id)
    assert failed.status == outbox.FAILED and "81013" in failed.last_error
    assert failed.address == SCRUBBED_ADDRESS and failed.payload["text"] == SCRUBBED_FAILED
    stored = stored_text(wecom_services)
    assert "13800001111" not in stored and "K7M2QX" not in stored


class ChattySender:
    """A sender whose errors quote the recipient and the words, as careless libraries do."""

    channel, per_minute = "wecom", 0

    def __init__(self, permanent: bool) -> None:
        self.error = PermanentSendError if permanent else TransientSendError

    def send(self, row, document) -> None:
        raise self.error(f"cannot reach {row.address} with «{row.payload['text']}»")


@pytest.mark.parametrize("permanent", [True, False], ids=["permanent", "transient"])
def test_an_error_quoting_a_sealed_address_or_text_is_stored_and_logged_masked(
    wecom_services, clock, caplog, permanent
):
    caplog.set_level(logging.DEBUG)
    row_id = queue(wecom_services, address=REPORTER, text=WORDS, sealed=True)
    chatty = ChattySender(permanent)
    for attempt in range(1, MAX_ATTEMPTS + 1):
        drain(wecom_services, {"wecom": chatty})
        clock.advance(seconds=backoff(attempt).total_seconds())
    failed = row(wecom_services, row_id)
    assert failed.status == outbox.FAILED and "cannot reach ***" in failed.last_error
    assert failed.payload["text"] == SCRUBBED_FAILED
    everything = caplog.text + stored_text(wecom_services)
    assert "13800001111" not in everything and "K7M2QX" not in everything


# -- 发送失败 and 重发 --------------------------------------------------------------------------


class RefusingSender:
    channel, per_minute = "console", 0

    def send(self, row, document) -> None:
        raise PermanentSendError("errcode 81013: user & party & tag all invalid")


def _fail(bot, address: str, words: str, sealed: bool = False) -> int:
    with bot.session() as s, s.begin():
        bot.services.context(s).push_to("console", address, {"text": words}, sealed=sealed)
        row_id = s.scalar(select(OutboxMessage.id).order_by(OutboxMessage.id.desc()))
    drain(bot.services, {"console": RefusingSender()})
    return row_id


def test_the_office_sees_failed_pushes_and_puts_one_back(bot, clock):
    assert bot.send(OFFICE, "发送失败") == "目前没有发送失败的消息。"
    roster = _fail(bot, "demo-u09-liaison", "请于本周五前报送月报")
    reporter = _fail(bot, REPORTER, WORDS, sealed=True)
    listing = bot.send(OFFICE, "发送失败")
    assert listing.splitlines()[0] == "发送失败的消息共 2 条（新的在前）："
    assert f"{reporter}. 11月23日 9:00 非名单人员（已保密）｜文字｜收件人无效" in listing
    assert f"{roster}. 11月23日 9:00 区人社局联络员（演示）｜文字｜收件人无效" in listing
    assert "13800001111" not in listing and "K7M2QX" not in listing
    assert "重发 编号" in listing

    answer = bot.send(OFFICE, f"重发 {roster}")
    assert answer == f"已将第 {roster} 条（发给区人社局联络员（演示）的文字）重新排队，稍后发送。"
    (push,) = bot.pushes()
    assert (push.to, push.text) == ("demo-u09-liaison", "请于本周五前报送月报")
    with bot.session() as s:
        attempts = outbox.attempts_of(s, roster)
        assert [(a.number, a.result) for a in attempts] == [(1, "failed"), (2, "sent")]
        assert s.get(OutboxMessage, roster).attempts == 1

    refused = bot.send(OFFICE, f"重发 {reporter}")
    assert "保密消息" in refused and "无法重发" in refused
    assert "没有编号为 999" in bot.send(OFFICE, "重发 999")
    assert "没有编号为" in bot.send(OFFICE, f"重发 {roster}")  # sent now, not failed
    assert "用法" in bot.send(OFFICE, "重发 某条")
    assert bot.send(OFFICE, "发送失败").splitlines()[0] == "发送失败的消息共 1 条（新的在前）："


def test_only_the_office_sees_send_failures(bot):
    _fail(bot, "demo-u09-liaison", "月报提醒")
    assert "发送失败的消息" not in bot.send("demo-u09-liaison", "发送失败")
    assert "重新排队" not in bot.send("demo-u09-liaison", "重发 1")


def test_a_long_failure_list_fits_one_message_and_says_how_many_more(bot):
    for n in range(60):
        _fail(bot, f"demo-u{n % 32 + 1:02d}-liaison", f"第{n}条提醒")
    listing = bot.send(OFFICE, "发送失败")
    assert len(listing.encode()) <= 2048
    shown = [line for line in listing.splitlines() if line[:1].isdigit()]
    assert 10 <= len(shown) < 60
    assert f"另有 {60 - len(shown)} 条未列出。" in listing
