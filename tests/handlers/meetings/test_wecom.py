"""The RSVP card over real HTTP: sealed and signed the way WeCom sends a template_card_event."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from storage.meetings import MeetingInvite
from storage.roster import Unit
from tests.handlers.meetings.helpers import CONVENER, EDU, FINANCE, OFFICE, RS, liaison
from tests.support import TZ


def _answer(services, unit_name: str) -> tuple[str | None, str]:
    with services.sessions() as session:
        row = session.scalar(select(MeetingInvite).join(Unit).where(Unit.name == unit_name))
        return row.answer, row.delegate_name or row.reason


def _call_meeting(client) -> str:
    for text in ("新建会议", "专题会议", "2026-11-27 15:00", "区卫健委三楼", "工伤保险专项检查"):
        client.send_text(OFFICE, text)
    assert "请核对" in client.send_text(OFFICE, f"{RS} {FINANCE}").text
    assert "会议号 HY1" in client.send_text(OFFICE, "确认").text
    return "HY1"


def test_rsvp_by_encrypted_card_click_updates_the_button_once(wecom_client, wecom_services):
    number = _call_meeting(wecom_client)
    cards = {c.json["touser"]: c.json for c in wecom_client.deliver() if c.path == "message/send"}
    assert set(cards) == {liaison(RS), liaison(FINANCE)}
    card = cards[liaison(RS)]["template_card"]
    assert card["card_type"] == "button_interaction"
    assert card["button_list"][0] == {"text": "参加", "style": 1, "key": f"rsvp:{number}:attend"}

    reply = wecom_client.click_card(liaison(RS), f"rsvp:{number}:attend", card["task_id"], "rc-1")
    assert reply.fields["MsgType"] == "update_button" and reply.button == "已选择：参加"
    assert _answer(wecom_services, "区人社局") == ("参加", "")

    # the unit changes its mind by text; WeCom then re-delivers the old click: nothing changes
    assert "请假" in wecom_client.send_text(liaison(RS), f"请假 {number} 临时执法任务").text
    again = wecom_client.click_card(liaison(RS), f"rsvp:{number}:attend", card["task_id"], "rc-1")
    assert again.button == "已选择：参加"
    assert _answer(wecom_services, "区人社局") == ("请假", "临时执法任务")


def test_delegate_by_card_then_the_name_by_text(wecom_client, wecom_services):
    number = _call_meeting(wecom_client)
    cards = {c.json["touser"]: c.json for c in wecom_client.deliver() if c.path == "message/send"}
    task = cards[liaison(FINANCE)]["template_card"]["task_id"]
    reply = wecom_client.click_card(liaison(FINANCE), f"rsvp:{number}:delegate", task)
    assert reply.button == "已选择：代参"
    assert "代参（王五 副科长）" in wecom_client.send_text(liaison(FINANCE), "王五 副科长").text
    assert _answer(wecom_services, "区财政局") == ("代参", "王五")


def test_issued_minutes_go_out_as_confidential_files(wecom_client, wecom_services, clock):
    number = _call_meeting(wecom_client)
    wecom_client.send_text(liaison(RS), f"参加 {number}")
    clock.set(datetime(2026, 11, 27, 17, 0, tzinfo=TZ))
    wecom_client.send_text(OFFICE, f"纪要 {number} 一、议定事项。")
    wecom_client.send_text(OFFICE, "确认")
    wecom_client.send_text(liaison(RS), f"会签 {number} 同意")
    assert "已签发" in wecom_client.send_text(CONVENER, f"签发 {number}").text
    calls = wecom_client.deliver() + wecom_client.deliver()
    files = [c.json for c in calls if c.path == "message/send" and c.json["msgtype"] == "file"]
    to_liaison = [f for f in files if f["touser"] == liaison(EDU)]
    assert len(to_liaison) == 1 and to_liaison[0]["safe"] == 1
