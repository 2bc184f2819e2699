"""DingTalk Stream mode against a fake gateway on loopback (a real WebSocket): the same handlers
answer, a message is acknowledged only once stored, duplicates and bad frames change nothing, and
the runner reconnects after the connection is lost."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot import dispatch
from storage.inbound import InboundMessage
from storage.outbox import OutboxMessage

USER = "ding-stream-worker"


def stored(services) -> tuple[int, int]:
    with services.sessions() as s:
        return tuple(
            s.scalar(select(func.count()).select_from(m)) for m in (InboundMessage, OutboxMessage)
        )


def test_a_message_is_answered_through_its_session_webhook(channels):
    stream = channels.stream()
    assert "公众" in stream.ask(USER, "我是谁")
    assert channels.dingtalk_api.routes_to(USER) == ["session"]


def test_the_official_frame_sample_is_acknowledged(channels):
    with (Path(__file__).resolve().parents[1] / "vectors" / "dingtalk_payloads.json").open(
        encoding="utf-8"
    ) as f:
        frame = json.load(f)["stream_callback_frame"]["json"]
    data = json.loads(frame["data"])
    data["robotCode"] = "dingrobotfake"
    frame = {**frame, "data": json.dumps(data, ensure_ascii=False)}
    ack = channels.stream().push(frame)
    assert ack["code"] == 200 and ack["headers"]["messageId"] == frame["headers"]["messageId"]
    got = channels.dingtalk_api.wait_for(data["senderStaffId"], 1)
    assert got[0].route == "robot"  # a group message is answered in private


def test_a_duplicate_is_acknowledged_and_handled_once(channels, channel_services):
    stream = channels.stream()
    frame = stream.frame(USER, "帮助", msg_id="msgSAME==")
    assert stream.push(frame)["code"] == 200
    channels.dingtalk_api.wait_for(USER, 1)
    again = {**frame, "headers": {**frame["headers"], "messageId": "frame_again"}}
    assert stream.push(again)["code"] == 200
    assert stored(channel_services)[0] == 1
    assert len(channels.dingtalk_api.to(USER)) == 1


@pytest.mark.parametrize("change", ["another-robot", "no-sender"])
def test_a_bad_frame_is_refused_and_changes_nothing(channels, channel_services, change):
    stream = channels.stream()
    frame = stream.frame(USER, "帮助")
    data = json.loads(frame["data"])
    if change == "another-robot":
        data["robotCode"] = "someone-else"
    else:
        data["senderStaffId"] = ""
    frame["data"] = json.dumps(data)
    assert stream.push(frame)["code"] == 400
    assert stored(channel_services) == (0, 0)


def test_nothing_is_acknowledged_that_was_not_stored(channels, channel_services, monkeypatch):
    stream = channels.stream()

    def unavailable(*args, **kwargs):
        raise dispatch.Unavailable("OperationalError")

    monkeypatch.setattr(dispatch, "accept", unavailable)
    assert stream.push(stream.frame(USER, "帮助"))["code"] == 500
    assert stored(channel_services) == (0, 0)


def test_it_reconnects_after_the_connection_is_lost(channels):
    stream = channels.stream()
    assert "公众" in stream.ask(USER, "我是谁")
    stream.gateway.drop()
    assert stream.gateway.wait_connected(2), "no new connection after the drop"
    for _ in range(100):  # the runner counts the connection once its handshake returns
        if stream.runner.connections == 2:
            break
        time.sleep(0.05)
    assert stream.runner.connections == 2
    assert "公众" in stream.ask(USER, "帮助")
