"""Pushes reach a person on every platform the roster names, through the same outbox; DingTalk
work notifications keep its limits (500 a day, the same words once a day, robot 20 a minute)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.dingtalk_client import DingTalkSender, _digest, remember_session
from bot.outbox import drain
from bot.wecom_client import WeComSender
from storage.channels import SendLog
from storage.documents import Document
from storage.inbound import sender_hash
from storage.outbox import OutboxMessage
from storage.roster import Person

BOTH, DING = "demo-u09-liaison", "ding-u09-liaison"


@pytest.fixture
def deliver(channel_services):
    senders = {"wecom": WeComSender(channel_services), "dingtalk": DingTalkSender(channel_services)}
    yield lambda: drain(channel_services, senders)
    for sender in senders.values():
        sender.close()


def on_both(services) -> int:
    with services.sessions() as s, s.begin():
        person = s.scalar(select(Person).where(Person.wecom_userid == BOTH))
        person.dingtalk_userid = DING
        return person.id


def push(services, person_id: int, text: str, key: str | None = None, **kw) -> int:
    with services.sessions() as s, s.begin():
        ctx = services.context(s)
        return ctx.push(s.get(Person, person_id), text, key=key, **kw)


def rows(services) -> list[OutboxMessage]:
    with services.sessions() as s:
        return list(s.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_a_person_on_both_platforms_is_reached_on_both(channels, channel_services, deliver):
    person = on_both(channel_services)
    assert push(channel_services, person, "【提醒】请报送本月月报。", key="r1") == 1
    assert push(channel_services, person, "【提醒】请报送本月月报。", key="r1") == 0  # once
    assert sorted(r.channel for r in rows(channel_services)) == ["dingtalk", "wecom"]
    deliver()
    assert channels.wecom.api.texts_to(BOTH) == ["【提醒】请报送本月月报。"]
    work = channels.dingtalk_api.work_to(DING)
    assert work == [{"msgtype": "text", "text": {"content": "【提醒】请报送本月月报。"}}]


def test_the_same_words_twice_a_day_are_made_distinct(channels, channel_services, deliver):
    person = on_both(channel_services)
    push(channel_services, person, "【催报】区人社局尚未报送。", key="a")
    deliver()
    push(channel_services, person, "【催报】区人社局尚未报送。", key="b")
    deliver()
    texts = [m["text"]["content"] for m in channels.dingtalk_api.work_to(DING)]
    assert texts == ["【催报】区人社局尚未报送。", "【催报】区人社局尚未报送。\n（今日第 2 次）"]


def _log(services, user: str, route: str, n: int, minutes_ago: float = 0) -> None:
    now = services.clock()
    who = sender_hash(services.seal_key, "dingtalk", user)
    day = now.astimezone(services.settings.timezone).date().isoformat()
    with services.sessions() as s, s.begin():
        for i in range(n):
            s.add(
                SendLog(
                    channel="dingtalk",
                    sender_hash=who,
                    day=day,
                    route=route,
                    content_hash=_digest(str(i)),
                    outbox_id=10_000 + i,
                    sent_at=now - timedelta(minutes=minutes_ago),
                )
            )


def test_no_more_than_500_work_notifications_a_day(channels, channel_services, deliver):
    person = on_both(channel_services)
    _log(channel_services, DING, "work", 500, minutes_ago=60)
    push(channel_services, person, "第501条")
    deliver()
    assert channels.dingtalk_api.work_to(DING) == []
    ding = next(r for r in rows(channel_services) if r.channel == "dingtalk")
    assert ding.status == "failed" and "500" in ding.last_error


def _counted(services, route: str) -> int:
    with services.sessions() as s:
        return len(s.scalars(select(SendLog).where(SendLog.route == route)).all())


def test_a_call_dingtalk_refused_does_not_count_toward_the_limits(
    channels, channel_services, deliver, clock
):
    person = on_both(channel_services)
    channels.dingtalk_api.refuse_work = 88  # e.g. busy: nothing was sent
    push(channel_services, person, "【提醒】请报送本月月报。")
    deliver()
    assert channels.dingtalk_api.work_to(DING) == [] and _counted(channel_services, "work") == 0
    channels.dingtalk_api.refuse_work = 0
    clock.advance(minutes=5)  # past the first back-off
    deliver()
    assert len(channels.dingtalk_api.work_to(DING)) == 1
    assert _counted(channel_services, "work") == 1  # the delivered call alone

    with channel_services.sessions() as s, s.begin():  # an answer on an expired chat session
        ctx = channel_services.context(s)
        ctx.push_to("dingtalk", "ding-worker", {"text": "已收到。"}, sealed=True)
    url = channels.dingtalk_api.new_session("ding-worker")
    expires_ms = int((clock() + timedelta(hours=1)).timestamp() * 1000)
    remember_session(channel_services, "ding-worker", url, expires_ms)
    channels.dingtalk_api.expire_sessions()
    deliver()
    assert _counted(channel_services, "session") == 0


def test_the_robot_sends_at_most_20_a_minute(channels, channel_services, deliver, clock):
    _log(channel_services, "someone", "robot", 20)
    with channel_services.sessions() as s, s.begin():
        services_ctx = channel_services.context(s)
        services_ctx.push_to("dingtalk", "ding-worker", {"text": "您的举报已办结。"}, sealed=True)
    deliver()
    assert channels.dingtalk_api.to("ding-worker") == []
    clock.advance(minutes=2)
    deliver()
    assert [d.route for d in channels.dingtalk_api.to("ding-worker")] == ["robot"]


def test_a_bulletin_file_is_uploaded_and_sent_as_a_work_notification(
    channels, channel_services, deliver
):
    person = on_both(channel_services)
    files = channel_services.settings.files_path
    (files / "b").mkdir(parents=True, exist_ok=True)
    (files / "b" / "简报.docx").write_bytes(b"PK docx")
    with channel_services.sessions() as s, s.begin():
        doc = Document(
            kind="简报",
            filename="简报.docx",
            path="b/简报.docx",
            sha256="0" * 64,
            size=7,
            created_at=channel_services.clock(),
        )
        s.add(doc)
        s.flush()
        doc_id = doc.id
    push(channel_services, person, kind="file", text="", key="f", payload={"document_id": doc_id})
    deliver()
    assert "media/upload" in channels.dingtalk_api.paths()
    assert [m["msgtype"] for m in channels.dingtalk_api.work_to(DING)] == ["file"]
    assert [m["msgtype"] for m in channels.wecom.api.sent_to(BOTH)] == ["file"]


def test_a_rejected_token_is_fetched_again_once(channels, channel_services, deliver):
    person = on_both(channel_services)
    push(channel_services, person, "一")
    deliver()
    channels.dingtalk_api.expire_tokens()
    push(channel_services, person, "二")
    deliver()
    assert [m["text"]["content"] for m in channels.dingtalk_api.work_to(DING)] == ["一", "二"]
    assert channels.dingtalk_api.paths().count("gettoken") == 2
