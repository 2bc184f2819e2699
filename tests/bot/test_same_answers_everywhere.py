"""The same conversation — 帮助, a 举报 from start to case number, 查询 — gives the same answers on
WeCom, DingTalk (HTTP and Stream), the Official Account and the console; and a liaison officer on
DingTalk and one on WeCom take part in the same meeting."""

from __future__ import annotations

import re
from collections.abc import Callable

from sqlalchemy import select

from bot import dispatch
from handlers.core import Incoming
from storage.meetings import MeetingInvite
from storage.roster import Person, Unit

Ask = Callable[[str, str], str]
STEPS = [
    ("举报", "用人单位名称"),
    ("郑州市宏达机械制造有限公司", "地址"),
    ("淮河路街道建设路88号", "危害类型"),
    ("1", "描述"),
    ("打磨车间粉尘很大，没有除尘设备，工人没有防尘口罩，已经有人咳嗽。", "联系方式"),
    ("13812345678", "请核对举报内容"),
]
CASE = re.compile(r"编号：(JB\d{12})，查询码：([A-Z2-9]{6})")


def report_on(ask: Ask, user: str, answers: list[str] | None = None) -> tuple[str, str]:
    """Walk the 举报 dialogue through `ask`; (case number, query code)."""
    for text, expected in STEPS:
        answer = ask(user, text)
        assert expected in answer, answer
        if answers is not None:
            answers.append(answer)
    answer = ask(user, "提交")
    match = CASE.search(answer)
    assert match, answer
    if answers is not None:
        answers.append(answer)
    return match.group(1), match.group(2)


def conversation(ask: Ask, user: str) -> list[str]:
    """帮助, the 举报 dialogue and 查询, with case number and code made comparable."""
    answers = [ask(user, "帮助")]
    number, code = report_on(ask, user, answers)
    answers.append(ask(user, f"查询 {number} {code}"))
    return [a.replace(number, "<编号>").replace(code, "<查询码>") for a in answers]


def console_ask(services) -> Ask:
    def ask(user: str, text: str) -> str:
        reply, _ = dispatch.handle(services, Incoming(channel="console", user_id=user, text=text))
        return reply.text

    return ask


def wecom_ask(client) -> Ask:
    def ask(user: str, text: str) -> str:
        reply = client.send_text(user, text)
        if reply.text:
            return reply.text
        return "\n".join(c.json["text"]["content"] for c in client.deliver())

    return ask


def test_the_same_conversation_gets_the_same_answers_everywhere(channels, channel_services):
    heard = {
        "console": conversation(console_ask(channel_services), "worker-console"),
        "wecom": conversation(wecom_ask(channels.wecom), "worker-wecom"),
        "dingtalk": conversation(channels.dingtalk.ask, "worker-ding"),
        "dingtalk-stream": conversation(channels.stream().ask, "worker-stream"),
        "wechat": conversation(channels.wechat.ask, "oWorkerWeChat000000000000000"),
    }
    expected = heard["console"]
    assert "公众" in expected[0] and "<编号>" in expected[-2]
    for channel, answers in heard.items():
        assert answers == expected, channel


def _on_dingtalk(services, account: str, ding: str) -> None:
    with services.sessions() as s, s.begin():
        person = s.scalar(select(Person).where(Person.wecom_userid == account))
        person.wecom_userid, person.dingtalk_userid = None, ding


def _attendance(services) -> dict[str, str | None]:
    with services.sessions() as s:
        rows = s.execute(select(Unit.name, MeetingInvite.answer).join(MeetingInvite.unit)).all()
    return dict(rows)


def test_a_liaison_on_dingtalk_and_one_on_wecom_share_a_meeting(channels, channel_services):
    from bot.dingtalk_client import DingTalkSender
    from bot.outbox import drain

    office, rs, finance = "demo-office", "demo-u09-liaison", "ding-u08-liaison"
    _on_dingtalk(channel_services, "demo-u08-liaison", finance)  # 区财政局 uses DingTalk
    wecom = channels.wecom
    for text in ("新建会议", "专题会议", "2026-11-27 15:00", "区卫健委三楼", "工伤保险专项检查"):
        wecom.send_text(office, text)
    assert "请核对" in wecom.send_text(office, "09 08").text
    number = re.search(r"会议号 (HY\d+)", wecom.send_text(office, "确认").text).group(1)

    cards = [c.json for c in wecom.deliver() if c.path == "message/send"]
    assert [c["touser"] for c in cards if c["msgtype"] == "template_card"] == [rs]
    sender = DingTalkSender(channel_services)
    drain(channel_services, {"dingtalk": sender})
    sender.close()
    invitation = channels.dingtalk_api.work_to(finance)
    assert [m["msgtype"] for m in invitation] == ["action_card"]
    card = invitation[0]["action_card"]
    assert [b["title"] for b in card["btn_json_list"]] == ["参加", "请假", "代参"]
    assert f"参加 {number}" in card["markdown"]  # how to answer by text, always

    assert wecom.click_card(rs, f"rsvp:{number}:attend", "task-1", "rc-1").button == "已选择：参加"
    assert "请假" in channels.dingtalk.ask(finance, f"请假 {number} 临时执法任务")
    assert _attendance(channel_services) == {"区人社局": "参加", "区财政局": "请假"}
    table = wecom.send_text(office, f"参会情况 {number}").text
    assert "区人社局" in table and "区财政局" in table and "临时执法任务" in table
