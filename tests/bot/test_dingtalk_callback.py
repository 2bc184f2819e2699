"""The DingTalk robot in HTTP mode over real HTTP: signed the way DingTalk signs, answers back
through the chat's sessionWebhook (or the robot OpenAPI once it expired), and anything that does
not verify is refused without touching the database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.channels.dingtalk import robot_sign
from handlers.core import Context, Incoming, command
from storage.audit import AuditEntry, record
from storage.channels import ChatSession
from storage.inbound import InboundMessage
from storage.outbox import OutboxMessage
from storage.roster import Person
from tests.fakes.channel_fixtures import DT_SECRET
from tests.support import TZ

DING_LIAISON = "ding-u10-liaison"
PUBLIC = "ding-worker-001"
VECTORS = Path(__file__).resolve().parents[1] / "vectors"


@command("测试钉钉计数", hidden=True)
def _counted(msg: Incoming, ctx: Context) -> str:
    """测试用：留下一条审计记录，作为可数的效果。"""
    record(ctx.session, ctx.now, ctx.sender.name, "钉钉测试", msg.dedupe_key[:100])
    return "已计数"


def counts(services) -> tuple[int, int, int, int]:
    with services.sessions() as s:
        return tuple(
            s.scalar(select(func.count()).select_from(model))
            for model in (InboundMessage, OutboxMessage, AuditEntry, ChatSession)
        )


def on_dingtalk(services, account: str = "demo-u10-liaison", ding: str = DING_LIAISON) -> None:
    """Move a demo person from WeCom to DingTalk (the roster's 钉钉账号)."""
    with services.sessions() as s, s.begin():
        person = s.scalar(select(Person).where(Person.wecom_userid == account))
        person.wecom_userid, person.dingtalk_userid = None, ding


def test_the_robot_sign_matches_the_computed_vector():
    with (VECTORS / "dingtalk_callback_crypto.json").open(encoding="utf-8") as f:
        vector = json.load(f)["robot_sign_example_computed"]
    assert robot_sign(vector["timestamp"], vector["secret"]) == vector["sign_base64"]


def test_the_vector_headers_are_accepted_at_their_time(channels, clock):
    with (VECTORS / "dingtalk_callback_crypto.json").open(encoding="utf-8") as f:
        vector = json.load(f)["robot_sign_example_computed"]
    assert vector["secret"] == DT_SECRET
    clock.set(datetime_ms(int(vector["timestamp"])))
    body = channels.dingtalk.message(PUBLIC, "帮助")
    res = channels.dingtalk.post(body, vector["timestamp"], vector["sign_base64"])
    assert res.status_code == 200
    assert "公众" in "".join(d.text for d in channels.dingtalk_api.wait_for(PUBLIC, 1))


def datetime_ms(ms: int):
    from datetime import datetime

    return datetime.fromtimestamp(ms / 1000, TZ)


def test_a_roster_member_is_known_by_the_dingtalk_account(channels, channel_services):
    on_dingtalk(channel_services)
    answer = channels.dingtalk.ask(DING_LIAISON, "我是谁")
    assert "联络员" in answer and "公众" not in answer
    assert channels.dingtalk_api.routes_to(DING_LIAISON) == ["session"]


def test_someone_not_on_the_roster_is_public(channels):
    assert "公众" in channels.dingtalk.ask(PUBLIC, "我是谁")
    assert "仅限" in channels.dingtalk.ask(PUBLIC, "新建会议")


def test_the_official_sample_body_is_understood(channels, channel_services):
    with (VECTORS / "dingtalk_payloads.json").open(encoding="utf-8") as f:
        sample = json.load(f)["robot_message_text"]["json"]
    sample = {**sample, "robotCode": "dingrobotfake", "createAt": channels.dingtalk.now_ms()}
    sample["sessionWebhook"] = channels.dingtalk_api.new_session(sample["senderStaffId"])
    sample["sessionWebhookExpiredTime"] = sample["createAt"] + 5_400_231
    assert channels.dingtalk.post(sample).status_code == 200
    got = channels.dingtalk_api.wait_for(sample["senderStaffId"], 1)
    assert got[0].route == "session" and "帮助" in got[0].text  # unknown words: a hint


def test_after_the_session_expires_answers_come_from_the_robot(channels, clock):
    channels.dingtalk.ask(PUBLIC, "帮助")
    clock.advance(minutes=95)  # the sessionWebhook lives ~90 minutes
    channels.dingtalk.webhooks.clear()
    channels.dingtalk_api.expire_sessions()
    body = channels.dingtalk.message(PUBLIC, "帮助", sessionWebhookExpiredTime=0)
    assert channels.dingtalk.post(body).status_code == 200
    channels.dingtalk_api.wait_for(PUBLIC, 2)
    assert channels.dingtalk_api.routes_to(PUBLIC) == ["session", "robot"]


def test_a_group_message_is_answered_in_private(channels, channel_services):
    res = channels.dingtalk.send_text(PUBLIC, " 帮助", conversationType="2")
    assert res.status_code == 200
    got = channels.dingtalk_api.wait_for(PUBLIC, 1)
    assert got[0].route == "robot" and "公众" in got[0].text
    assert counts(channel_services)[3] == 0  # the group's webhook is not kept


def test_the_same_msgid_twice_is_handled_once(channels, channel_services):
    first = channels.dingtalk.send_text(PUBLIC, "测试钉钉计数", msg_id="msgDUP==")
    channels.dingtalk_api.wait_for(PUBLIC, 1)
    again = channels.dingtalk.send_text(PUBLIC, "测试钉钉计数", msg_id="msgDUP==")
    assert first.status_code == again.status_code == 200
    assert counts(channel_services)[:3] == (1, 1, 1)
    assert channels.dingtalk_api.texts_to(PUBLIC) == ["已计数"]


@pytest.mark.parametrize(
    "change",
    [
        pytest.param({"sign": "AAAA"}, id="bad-sign"),
        pytest.param({"sign": ""}, id="no-sign"),
        pytest.param({"timestamp": "stale"}, id="timestamp-over-an-hour-old"),
        pytest.param({"timestamp": "future"}, id="timestamp-over-an-hour-ahead"),
        pytest.param({"timestamp": "12ab"}, id="malformed-timestamp"),
        pytest.param({"body": b"not json"}, id="not-json"),
        pytest.param({"body": b"[1, 2]"}, id="not-an-object"),
        pytest.param({"robotCode": "another"}, id="another-robot"),
        pytest.param({"senderStaffId": ""}, id="no-sender"),
        pytest.param({"msgId": ""}, id="no-msgid"),
        pytest.param({"body": b"{" + b" " * (1024 * 1024 + 10) + b"}"}, id="oversized"),
    ],
)
def test_what_does_not_verify_is_refused_and_changes_nothing(channels, channel_services, change):
    client = channels.dingtalk
    now = client.now_ms()
    timestamp = {"stale": now - 3_601_000, "future": now + 3_601_000}.get(
        change.get("timestamp"), change.get("timestamp") or now
    )
    timestamp = str(timestamp)
    body = client.message(PUBLIC, "测试钉钉计数")
    for key in ("robotCode", "senderStaffId", "msgId"):
        if key in change:
            body[key] = change[key]
    data = change.get("body") or json.dumps(body).encode()
    sign = change["sign"] if "sign" in change else robot_sign(timestamp, DT_SECRET)
    res = client.post(data, timestamp, sign)
    assert 400 <= res.status_code < 500
    assert counts(channel_services) == (0, 0, 0, 0)
    assert channels.dingtalk_api.to(PUBLIC) == []
