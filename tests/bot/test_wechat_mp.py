"""The WeChat Official Account over real HTTP, in plaintext, compatible and safe mode: followers
are the public, answers are passive within five seconds or come through the customer-service API,
and a reporter's case news waits for the 48-hour window."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from storage.channels import Follower, KeptNews
from storage.inbound import InboundMessage
from storage.outbox import OutboxMessage
from tests.fakes.channel_fixtures import MP_TOKEN, WeChatCallbackClient
from tests.support import TZ

OPENID = "oyORnuP8q7ou2gfYjqLzSIWZf0rs"
VECTORS = Path(__file__).resolve().parents[1] / "vectors" / "wechat_mp_crypto.json"


def vectors() -> dict:
    with VECTORS.open(encoding="utf-8") as f:
        return json.load(f)


def counts(services) -> tuple[int, int, int]:
    with services.sessions() as s:
        return tuple(
            s.scalar(select(func.count()).select_from(model))
            for model in (InboundMessage, OutboxMessage, Follower)
        )


def test_the_plaintext_signature_matches_the_doc_example():
    v = vectors()["plaintext_mode_signature"]
    assert WeChatCallbackClient.signature(v["timestamp"], v["nonce"], v["token"]) == v["signature"]


def test_url_verification_echoes_echostr(channels):
    ts, nonce = str(channels.wechat.now()), "486452656"
    params = {"signature": channels.wechat.signature(ts, nonce), "timestamp": ts, "nonce": nonce}
    res = channels.wechat.http.get(channels.wechat.url, params={**params, "echostr": "e123"})
    assert res.status_code == 200 and res.text == "e123"
    params["signature"] = "0" * 40
    assert channels.wechat.http.get(channels.wechat.url, params=params).status_code == 403


def test_the_official_safe_mode_vector_is_accepted_and_answered_encrypted(channels, clock):
    v = vectors()
    assert v["token"] == MP_TOKEN
    d = v["decrypt_msg"]
    clock.set(datetime.fromtimestamp(int(d["timestamp"]), TZ))
    sig = channels.wechat.signature(d["timestamp"], d["nonce"])
    params = {"signature": sig, "timestamp": d["timestamp"], "nonce": d["nonce"]}
    params.update(encrypt_type="aes", msg_signature=d["msg_signature"])
    res = channels.wechat.http.post(channels.wechat.url, params=params, data=d["body"].encode())
    reply = channels.wechat.open(res)
    assert reply.status == 200 and "<Encrypt>" in reply.body
    assert reply.fields["ToUserName"] == OPENID and "帮助" in reply.text  # "abcdteT": a hint


@pytest.mark.parametrize("mode", ["plain", "compat", "safe"])
def test_help_in_every_mode(channels, mode):
    reply = channels.wechat.send_text(OPENID, "帮助", mode=mode)
    assert "公众" in reply.text and "举报" in reply.text and "查询" in reply.text
    assert ("<Encrypt>" in reply.body) == (mode != "plain")


def test_a_follow_gets_the_introduction(channels):
    reply = channels.wechat.post(channels.wechat.event_xml(OPENID, "subscribe"))
    assert "联络机器人" in reply.text and "帮助" in reply.text


def test_roster_commands_answer_as_for_the_public(channels):
    assert "仅限" in channels.wechat.send_text(OPENID, "新建会议").text
    assert "公众" in channels.wechat.send_text(OPENID, "我是谁").text


def test_a_late_answer_is_success_then_the_customer_service_api(channels, channel_services):
    channels.app.blueprints["wechat_mp"].callback.budget = 0.0
    reply = channels.wechat.send_text(OPENID, "帮助")
    assert reply.status == 200 and reply.body == "success"
    texts = channels.wechat.api.wait_for(OPENID, 1)
    assert "公众" in texts[0]


def test_the_same_msgid_twice_is_handled_once(channels, channel_services):
    first = channels.wechat.send_text(OPENID, "帮助", msg_id=6054768590064713728)
    again = channels.wechat.send_text(OPENID, "帮助", msg_id=6054768590064713728)
    assert first.text == again.text and first.text
    assert counts(channel_services)[:2] == (1, 0)


def test_case_news_waits_for_the_window_and_is_shown_at_the_next_message(
    channels, channel_services, clock
):
    from tests.bot.test_same_answers_everywhere import report_on

    number, _code = report_on(channels.wechat.ask, OPENID)
    clock.advance(hours=49)  # the follower's window has closed
    office = channels.wecom
    # 不予受理 tells the reporter (受理 itself sends them nothing in handlers/referrals)
    answer = office.send_text("demo-office", f"不予受理 {number} 不属于职业病危害问题").text
    assert "已告知举报人" in answer
    _deliver_mp(channels)
    with channel_services.sessions() as s:
        kept = s.scalar(select(func.count()).select_from(KeptNews))
    assert kept >= 1 and channels.wechat.api.texts_to(OPENID) == []
    reply = channels.wechat.send_text(OPENID, "帮助")  # the follower writes again
    assert "公众" in reply.text
    texts = channels.wechat.api.wait_for(OPENID, kept)
    assert any(number in t for t in texts)
    with channel_services.sessions() as s:
        assert s.scalar(select(func.count()).select_from(KeptNews)) == 0


def _deliver_mp(channels):
    callback = channels.wechat
    from bot.outbox import drain
    from bot.wechat_mp_client import WeChatMPSender

    sender = WeChatMPSender(callback.services)
    drain(callback.services, {"wechat_mp": sender})
    sender.close()


@pytest.mark.parametrize(
    "change",
    [
        "bad-signature",
        "no-signature",
        "stale",
        "bad-msg-signature",
        "doctype",
        "not-xml",
        "no-encrypt",
        "oversized",
    ],
)
def test_what_does_not_verify_is_refused_and_changes_nothing(channels, channel_services, change):
    client = channels.wechat
    ts, nonce = str(client.now()), "12345"
    if change == "stale":
        ts = str(client.now() - 301)
    params = {"signature": client.signature(ts, nonce), "timestamp": ts, "nonce": nonce}
    xml = client.text_xml(OPENID, "帮助")
    body = xml.encode()
    if change == "bad-signature":
        params["signature"] = "0" * 40
    elif change == "no-signature":
        del params["signature"]
    elif change in ("bad-msg-signature", "no-encrypt"):
        sealed = client.crypto.encrypt_message(xml, nonce, ts)
        params.update(encrypt_type="aes", msg_signature="0" * 40)
        body = sealed.encode() if change == "bad-msg-signature" else xml.encode()
    elif change == "doctype":
        body = b'<!DOCTYPE x [<!ENTITY a "b">]>' + body
    elif change == "not-xml":
        body = b"hello"
    elif change == "oversized":
        body = b"<xml>" + b" " * (1024 * 1024 + 10) + b"</xml>"
    res = client.http.post(client.url, params=params, data=body, timeout=30)
    assert 400 <= res.status_code < 500, (res.status_code, res.text)
    assert counts(channel_services) == (0, 0, 0)


def test_a_reporters_openid_is_never_stored_in_clear(channels, channel_services, clock):
    from sqlalchemy import text

    import storage
    from tests.bot.test_same_answers_everywhere import report_on

    number, _code = report_on(channels.wechat.ask, OPENID)
    clock.advance(hours=49)
    office = channels.wecom.send_text("demo-office", f"不予受理 {number} 不属于职业病危害问题")
    assert office.status == 200
    _deliver_mp(channels)  # the window is closed: the news is kept
    with channel_services.sessions() as s:
        dump = "\n".join(
            " ".join(str(v) for v in row)
            for table in storage.Base.metadata.sorted_tables
            for row in s.execute(text(f"SELECT * FROM {table.name}")).all()
        )
    assert number in dump and OPENID not in dump
