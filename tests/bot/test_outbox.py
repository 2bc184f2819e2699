"""The outbox end to end against the fake WeCom API: sent once, retried after failures, never
marked sent before the API says so, safe with two drainers, resent after a crashed claim."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from bot.outbox import LEASE, drain
from bot.wecom_client import DbTokenStorage, WeComSender, split_text
from handlers.core import Context, Incoming, command
from storage import outbox
from storage.documents import save_document
from storage.outbox import OutboxMessage
from storage.tokens import CachedToken

OFFICE = "demo-office"


@command("测试企微推送", hidden=True)
def _push_to_office(msg: Incoming, ctx: Context) -> str:
    """测试用：给办公室推送一条消息。"""
    ctx.push_to("wecom", OFFICE, {"text": f"{ctx.sender.name} 来信"})
    return "已转告办公室"


@pytest.fixture
def sender(wecom_services):
    s = WeComSender(wecom_services)
    yield s
    s.close()


def queue(services, address: str = OFFICE, kind: str = "text", **payload) -> int:
    with services.sessions() as session, session.begin():
        ctx = services.context(session)
        ctx.push_to("wecom", address, payload or {"text": "会议通知"}, kind=kind)
        return session.scalar(select(OutboxMessage.id).order_by(OutboxMessage.id.desc()))


def row(services, row_id: int) -> OutboxMessage:
    with services.sessions() as session:
        return session.get(OutboxMessage, row_id)


def send_all(services, sender) -> int:
    return drain(services, {"wecom": sender})


def test_a_message_is_sent_once(wecom_services, sender, wecom_api):
    row_id = queue(wecom_services, text="第12次联席会议通知")
    assert send_all(wecom_services, sender) == 1
    assert send_all(wecom_services, sender) == 0
    assert wecom_api.sent_to(OFFICE) == [
        {
            "touser": OFFICE,
            "agentid": 1000002,
            "msgtype": "text",
            "text": {"content": "第12次联席会议通知"},
            "enable_duplicate_check": 1,
            "duplicate_check_interval": 14400,
        }
    ]
    assert row(wecom_services, row_id).status == outbox.SENT


@pytest.mark.parametrize(
    "failure", [{"errcode": 45009}, {"errcode": -1}, {"http_status": 500}], ids=str
)
def test_a_failing_api_is_retried_later_and_only_then_marked_sent(
    wecom_services, sender, wecom_api, clock, failure
):
    row_id = queue(wecom_services)
    wecom_api.fail_next(1, path="message/send", **failure)
    assert send_all(wecom_services, sender) == 0
    failed = row(wecom_services, row_id)
    assert (failed.status, failed.attempts, failed.sent_at) == (outbox.PENDING, 1, None)
    assert failed.next_attempt_at > clock()
    assert send_all(wecom_services, sender) == 0  # not due yet: back-off
    clock.advance(seconds=31)
    assert send_all(wecom_services, sender) == 1
    assert row(wecom_services, row_id).status == outbox.SENT
    assert len(wecom_api.sent_to(OFFICE)) == 1


def test_an_unreachable_api_is_a_transient_failure(wecom_services, wecom_api, clock):
    wecom_api.stop()
    sender = WeComSender(wecom_services)
    row_id = queue(wecom_services)
    assert send_all(wecom_services, sender) == 0
    failed = row(wecom_services, row_id)
    assert failed.status == outbox.PENDING and "network" in failed.last_error
    sender.close()


@pytest.mark.parametrize("address", ["invalid-user"])
def test_all_recipients_invalid_fails_for_good(wecom_services, sender, wecom_api, clock, address):
    row_id = queue(wecom_services, address=address)
    send_all(wecom_services, sender)
    failed = row(wecom_services, row_id)
    assert failed.status == outbox.FAILED and "81013" in failed.last_error
    clock.advance(hours=2)
    assert send_all(wecom_services, sender) == 0


def test_errcode_40003_fails_for_good(wecom_services, sender, wecom_api):
    row_id = queue(wecom_services)
    wecom_api.fail_next(1, errcode=40003, path="message/send")
    send_all(wecom_services, sender)
    assert row(wecom_services, row_id).status == outbox.FAILED


def test_two_drainers_at_once_still_send_each_message_once(wecom_services, wecom_api):
    ids = [queue(wecom_services, address=f"demo-u{n:02d}-liaison") for n in range(1, 21)]
    senders = [WeComSender(wecom_services) for _ in range(2)]
    barrier = threading.Barrier(2)

    def run(s):
        barrier.wait()
        send_all(wecom_services, s)

    threads = [threading.Thread(target=run, args=(s,)) for s in senders]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    recipients = sorted(m["touser"] for m in wecom_api.sent())
    assert recipients == sorted(f"demo-u{n:02d}-liaison" for n in range(1, 21))
    assert all(row(wecom_services, i).status == outbox.SENT for i in ids)
    for s in senders:
        s.close()


def test_a_row_claimed_by_a_crashed_drainer_is_resent_after_the_lease(
    wecom_services, sender, wecom_api, clock
):
    row_id = queue(wecom_services)
    with wecom_services.sessions() as session, session.begin():
        assert outbox.claim(session, row_id, clock(), LEASE)  # …and then the process died
    assert send_all(wecom_services, sender) == 0
    clock.advance(seconds=LEASE.total_seconds() + 1)
    assert send_all(wecom_services, sender) == 1
    assert len(wecom_api.sent_to(OFFICE)) == 1


def test_the_request_only_writes_the_outbox(wecom_client, wecom_api):
    assert wecom_client.send_text("demo-u09-liaison", "测试企微推送").text == "已转告办公室"
    assert wecom_api.calls_to("message/send") == []
    wecom_client.deliver()
    assert wecom_api.texts_to(OFFICE) == ["区人社局联络员（演示） 来信"]


def test_a_long_text_is_split_under_2048_bytes(wecom_services, sender, wecom_api):
    text = "\n".join(f"{i:03d} 区职业病防治工作联席会议成员单位联络员" for i in range(150))
    queue(wecom_services, text=text)
    send_all(wecom_services, sender)
    parts = wecom_api.sent_to(OFFICE)
    assert len(parts) >= 3
    assert all(len(p["text"]["content"].encode()) <= 2048 for p in parts)
    assert all(p["enable_duplicate_check"] == 1 for p in parts)
    assert "\n".join(p["text"]["content"] for p in parts) == text


def test_split_text_cuts_one_long_line_by_characters():
    parts = split_text("职" * 1000)
    assert [len(p) for p in parts] == [682, 318]
    assert split_text("短消息") == ["短消息"]


def test_a_document_is_uploaded_then_sent_as_a_file(wecom_services, sender, wecom_api, clock):
    with wecom_services.sessions() as session, session.begin():
        doc = save_document(
            session,
            wecom_services.settings.files_path,
            kind="简报",
            subject="2026Q3",
            filename="2026年第三季度工作简报.docx",
            content=b"docx bytes",
            now=clock(),
        )
        doc_id = doc.id
    queue(wecom_services, kind="file", document_id=doc_id)
    assert send_all(wecom_services, sender) == 1
    (upload,) = wecom_api.calls_to("media/upload")
    assert upload.params["type"] == "file"
    assert upload.upload == ("2026年第三季度工作简报.docx", b"docx bytes")
    (message,) = wecom_api.sent_to(OFFICE)
    assert message["msgtype"] == "file"
    assert message["file"] == {"media_id": upload.answer["media_id"]}


def test_a_template_card_is_sent_with_duplicate_check(wecom_services, sender, wecom_api):
    card = {
        "card_type": "button_interaction",
        "main_title": {"title": "第12次联席会议", "desc": "请确认是否参加"},
        "task_id": "HY12-p3",
        "button_list": [{"text": "参加", "style": 1, "key": "rsvp:HY12:yes"}],
    }
    queue(wecom_services, kind="template_card", fallback_text="回复「参加 HY12」", **card)
    send_all(wecom_services, sender)
    (message,) = wecom_api.sent_to(OFFICE)
    assert message["msgtype"] == "template_card"
    # the console's text fallback stays ours: WeCom gets exactly the card
    assert message["template_card"] == card and message["enable_duplicate_check"] == 1


def test_a_card_update_replaces_the_whole_card(wecom_services, sender, wecom_api):
    new_card = {"card_type": "text_notice", "main_title": {"title": "已确认参加"}}
    queue(wecom_services, kind="card_update", response_code="rc-9", template_card=new_card)
    send_all(wecom_services, sender)
    (update,) = wecom_api.calls_to("message/update_template_card")
    assert update.json["response_code"] == "rc-9" and update.json["template_card"] == new_card
    assert update.json["userids"] == [OFFICE]


def test_the_token_is_fetched_once_and_shared_by_every_sender(wecom_services, wecom_api, clock):
    senders = [WeComSender(wecom_services) for _ in range(3)]  # as three processes would
    for s in senders:
        queue(wecom_services)
        send_all(wecom_services, s)
    assert len(wecom_api.calls_to("gettoken")) == 1
    with wecom_services.sessions() as session:
        (token,) = session.scalars(select(CachedToken))
    assert token.value == "fake-token-1" and token.expires_at > clock()
    clock.advance(hours=2)  # past its TTL: the next send fetches a new one
    queue(wecom_services)
    send_all(wecom_services, senders[0])
    assert len(wecom_api.calls_to("gettoken")) == 2
    for s in senders:
        s.close()


def test_a_token_revoked_early_is_refetched_and_the_send_retried(wecom_services, sender, wecom_api):
    queue(wecom_services, text="会议通知")
    send_all(wecom_services, sender)
    wecom_api.expire_tokens()
    queue(wecom_services, text="会议改期通知")
    assert send_all(wecom_services, sender) == 1
    assert len(wecom_api.calls_to("gettoken")) == 2
    assert wecom_api.texts_to(OFFICE) == ["会议通知", "会议改期通知"]


def test_token_storage_honours_the_ttl(wecom_services, clock):
    storage = DbTokenStorage(wecom_services)
    storage.set("k", "v1", 100)
    storage.set("k", "v2", 100)  # overwrite, not a duplicate key
    assert storage.get("k") == "v2"
    clock.advance(seconds=101)
    assert storage.get("k") is None and storage.get("k", "d") == "d"
    storage.set("k", "v3", 100)
    storage.delete("k")
    assert storage.get("k") is None


def test_a_sealed_address_the_key_cannot_open_fails_alone_and_the_rest_go_out(
    wecom_services, sender, wecom_api
):
    from cryptography.fernet import Fernet

    from storage.sealing import seal

    foreign = seal(Fernet.generate_key(), "worker-1")  # sealed under a key since replaced
    bad = queue(wecom_services, address=foreign, text="办理结果", sealed_address=True)
    good = queue(wecom_services, text="会议通知")
    assert send_all(wecom_services, sender) == 1  # the drain went on past the bad row
    assert row(wecom_services, bad).status == outbox.FAILED
    assert row(wecom_services, good).status == outbox.SENT
    assert [m["touser"] for m in wecom_api.sent()] == [OFFICE]


def test_every_message_send_carries_the_duplicate_check_and_a_card_update_does_not(
    wecom_services, sender, wecom_api, clock
):
    with wecom_services.sessions() as session, session.begin():
        doc = save_document(
            session,
            wecom_services.settings.files_path,
            kind="简报",
            subject="2026Q4",
            filename="简报.docx",
            content=b"docx",
            now=clock(),
        )
        doc_id = doc.id
    queue(wecom_services, text="短消息")
    queue(wecom_services, text="\n".join(f"{i:03d} 联席会议成员单位联络员名单" for i in range(150)))
    queue(wecom_services, kind="file", document_id=doc_id)
    queue(wecom_services, kind="template_card", card_type="text_notice", task_id="t1")
    queue(wecom_services, kind="card_update", response_code="rc-1", replace_name="已确认")
    assert send_all(wecom_services, sender) == 5
    sends = [c.json for c in wecom_api.calls_to("message/send")]
    assert {m["msgtype"] for m in sends} == {"text", "file", "template_card"}
    assert len(sends) >= 5
    assert all(
        (m["enable_duplicate_check"], m["duplicate_check_interval"]) == (1, 14400) for m in sends
    )
    (update,) = wecom_api.calls_to("message/update_template_card")
    assert "enable_duplicate_check" not in update.json


def test_the_token_cache_key_holds_no_part_of_the_secret(wecom_services, sender, wecom_api):
    queue(wecom_services)
    send_all(wecom_services, sender)
    secret = wecom_services.settings.wecom.secret
    with wecom_services.sessions() as session:
        (token,) = session.scalars(select(CachedToken))
    assert token.key == "wecom:ww1436e0e65a779aee:1000002:access_token"
    assert secret[:4] not in token.key


def test_the_same_words_twice_within_four_hours_are_shown_once_as_wecom_does(
    wecom_services, sender, wecom_api
):
    """The price of the duplicate check (bot/wecom_client.py): identical requests collapse."""
    queue(wecom_services, text="请于今日报送月报")
    queue(wecom_services, text="请于今日报送月报")
    assert send_all(wecom_services, sender) == 2
    assert wecom_api.texts_to(OFFICE) == ["请于今日报送月报"]
    assert len(wecom_api.duplicates) == 1
