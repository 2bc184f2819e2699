"""The WeCom callback over real HTTP: messages and events become Incoming, answers come back
encrypted, and anything that does not verify is refused without touching the database."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import func, select

from handlers.core import Context, Conversation, Incoming, Reply, button, command, flow
from storage.audit import AuditEntry, record
from storage.inbound import InboundMessage
from storage.outbox import OutboxMessage
from tests.fakes import wecom_crypto
from tests.fakes.fixtures import CORP_ID
from tests.fakes.wecom_crypto import WeComCrypto

USER = "demo-u09-liaison"


@command("测试企微计数", hidden=True)
def _counted(msg: Incoming, ctx: Context) -> str:
    """测试用：留下一条审计记录和一条推送，作为可数的效果。"""
    record(ctx.session, ctx.now, ctx.sender.name, "企微测试", msg.dedupe_key[:100])
    ctx.push_to("wecom", "demo-office", {"text": f"{ctx.sender.name} 计数"})
    return "已计数"


@command("测试企微长文", hidden=True)
def _long(msg: Incoming, ctx: Context) -> str:
    """测试用：超过 2048 字节的回复。"""
    return "\n".join(f"第{i}行：职业病防治工作联席会议联络员名单核对" for i in range(120))


@button("测试卡片")
def _card_click(msg: Incoming, ctx: Context) -> Reply:
    record(ctx.session, ctx.now, msg.user_id, "点卡片", msg.task_id, msg.response_code)
    label = "已确认" if msg.event_key.endswith(":yes") else "已拒绝"
    return Reply(text=f"{msg.task_id} 收到：{msg.event_key}", button_label=label)


@command("测试企微收文件", hidden=True)
def _expect_file(msg: Incoming, ctx: Context) -> str:
    """测试用：下一条消息应是文件。"""
    ctx.start_conversation("测试企微收文件", "等文件")
    return "请发送文件"


@flow("测试企微收文件")
def _got_file(msg: Incoming, ctx: Context, convo: Conversation) -> str:
    convo.end()
    digest = hashlib.sha256(msg.file_bytes or b"").hexdigest()[:12]
    return f"{msg.kind} {msg.file_name} {len(msg.file_bytes or b'')} {digest}"


def counts(services) -> tuple[int, int, int]:
    with services.sessions() as s:
        return tuple(
            s.scalar(select(func.count()).select_from(model))
            for model in (InboundMessage, OutboxMessage, AuditEntry)
        )


def test_text_message_gets_an_encrypted_passive_reply(wecom_client, wecom_services):
    reply = wecom_client.send_text(USER, "我是谁")
    assert reply.status == 200
    assert "区人社局联络员（演示）" in reply.text and "联络员" in reply.text
    assert reply.fields["ToUserName"] == USER and reply.fields["FromUserName"] == CORP_ID
    assert reply.fields["MsgType"] == "text"
    assert counts(wecom_services) == (1, 0, 0)  # answered passively: nothing queued


def test_url_verification_answers_the_decrypted_echostr(wecom_client):
    res = wecom_client.verify("8431204870412378")
    assert res.status_code == 200 and res.text == "8431204870412378"


def test_enter_agent_gets_the_welcome(wecom_client):
    reply = wecom_client.enter_agent("demo-office")
    assert "联络机器人" in reply.text and "帮助" in reply.text


def test_card_click_updates_the_button_and_sends_the_text_through_the_outbox(
    wecom_client, wecom_services
):
    reply = wecom_client.click_card(USER, "测试卡片:HY12:yes", "task-HY12-p9", "rc-123")
    assert reply.fields["MsgType"] == "update_button"
    assert reply.button == "已确认"
    with wecom_services.sessions() as s:
        entry = s.scalar(select(AuditEntry).where(AuditEntry.action == "点卡片"))
    assert (entry.subject, entry.detail) == ("task-HY12-p9", "rc-123")
    calls = wecom_client.deliver()
    assert [c.json["text"]["content"] for c in calls] == ["task-HY12-p9 收到：测试卡片:HY12:yes"]


def test_two_card_clicks_in_one_second_are_two_events(wecom_client, wecom_services):
    first = wecom_client.click_card(USER, "测试卡片:HY12:yes", "task-HY12-p9")
    second = wecom_client.click_card(USER, "测试卡片:HY13:no", "task-HY13-p9")
    assert (first.button, second.button) == ("已确认", "已拒绝")
    assert counts(wecom_services)[0] == 2


def test_the_same_msgid_twice_is_handled_once(wecom_client, wecom_services):
    first = wecom_client.send_text(USER, "测试企微计数", msg_id=4561255354251345929)
    again = wecom_client.send_text(USER, "测试企微计数", msg_id=4561255354251345929)
    assert first.text == again.text == "已计数"  # the retry gets the same answer
    assert counts(wecom_services) == (1, 1, 1)
    assert wecom_client.send_text(USER, "测试企微计数").text == "已计数"  # a new MsgId counts
    assert counts(wecom_services) == (2, 2, 2)


def test_a_long_reply_goes_through_the_outbox_in_parts(wecom_client):
    reply = wecom_client.send_text(USER, "测试企微长文")
    assert reply.status == 200 and reply.body == b""
    calls = wecom_client.deliver()
    parts = [c.json["text"]["content"] for c in calls]
    assert len(parts) >= 2 and all(len(p.encode()) <= 2048 for p in parts)
    assert parts[0].startswith("第0行") and parts[-1].endswith(
        "第119行：职业病防治工作联席会议联络员名单核对"
    )
    assert {c.json["touser"] for c in calls} == {USER}


def test_a_file_is_downloaded_and_handed_to_the_conversation(wecom_client, wecom_api):
    assert wecom_client.send_text(USER, "测试企微收文件").text == "请发送文件"
    content = b"PK\x03\x04 minutes" * 1000
    reply = wecom_client.send_file(USER, "第12次会议纪要.docx", content)
    digest = hashlib.sha256(content).hexdigest()[:12]
    assert reply.text == f"file 第12次会议纪要.docx {len(content)} {digest}"
    assert len(wecom_api.calls_to("media/get")) == 1


def test_a_file_that_cannot_be_downloaded_gets_a_clear_answer_and_stores_nothing(
    wecom_client, wecom_services
):
    xml = wecom_crypto.file_xml(CORP_ID, USER, "no-such-media", 99, wecom_client.now())
    reply = wecom_client.post(xml)
    assert reply.text == "文件接收失败，请稍后重新发送。"
    assert counts(wecom_services) == (1, 0, 0)  # the delivery is recorded as handled, nothing else


def _sealed(client, inner: str, **overrides):
    params, body = client.crypto.seal(inner, client.now())
    params.update(overrides)
    return params, body


def _text(client) -> str:
    return wecom_crypto.text_xml(CORP_ID, USER, "测试企微计数", 123456, client.now())


def _bad_signature(c):
    return _sealed(c, _text(c), msg_signature="0" * 40)


def _no_signature(c):
    params, body = _sealed(c, _text(c))
    del params["msg_signature"]
    return params, body


def _wrong_corp(c):
    other = WeComCrypto(c.crypto.token, c.crypto.aes_key, "ww0000000000000000")
    return other.seal(_text(c), c.now())


def _stale(c):
    return c.crypto.seal(_text(c), c.now() - 301)


def _future(c):
    return c.crypto.seal(_text(c), c.now() + 3600)


def _signed_body(c, encrypt: str) -> tuple[dict, bytes]:
    ts, nonce = str(c.now()), "12345"
    params = {"msg_signature": c.crypto.sign(ts, nonce, encrypt), "timestamp": ts, "nonce": nonce}
    return params, f"<xml><Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>".encode()


def _undecryptable(c):
    return _signed_body(c, "bm90IGEgY2lwaGVydGV4dA==")  # valid base64, not 32-byte blocks


def _bad_base64(c):
    return _signed_body(c, "%%%not-base64%%%")


def _outer_not_xml(c):
    params, _body = _sealed(c, _text(c))
    return params, b"<xml><Encrypt>unterminated"


def _outer_without_encrypt(c):
    params, _body = _sealed(c, _text(c))
    return params, b"<xml><ToUserName>x</ToUserName></xml>"


def _outer_doctype(c):
    params, body = _sealed(c, _text(c))
    evil = b'<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY a "aaaaaaaaaa">]>'
    return params, evil + body


def _inner_doctype(c):
    inner = '<!DOCTYPE xml [<!ENTITY e SYSTEM "file:///etc/passwd">]>' + _text(c)
    return c.crypto.seal(inner, c.now())


def _inner_not_xml(c):
    return c.crypto.seal("<xml><MsgType>text", c.now())


def _inner_without_type(c):
    return c.crypto.seal("<xml><FromUserName>u</FromUserName></xml>", c.now())


def _bad_timestamp(c):
    return _sealed(c, _text(c), timestamp="yesterday")


def _huge_timestamp(c):
    return _sealed(c, _text(c), timestamp="9" * 400)  # too big for a float: was a 500


def _odd_digit_timestamp(c):
    return _sealed(c, _text(c), timestamp="²" * 10)  # isdigit() yet int() refuses it


def _inner_without_sender(c):
    inner = _text(c).replace(f"<FromUserName><![CDATA[{USER}]]></FromUserName>", "")
    assert "FromUserName" not in inner
    return c.crypto.seal(inner, c.now())


def _too_big(c):
    params, _body = _sealed(c, _text(c))
    return params, b"<xml>" + b"a" * (1024 * 1024 + 10) + b"</xml>"


REFUSALS = [
    (_bad_signature, 403),
    (_no_signature, 403),
    (_wrong_corp, 403),
    (_stale, 403),
    (_future, 403),
    (_undecryptable, 400),
    (_bad_base64, 400),
    (_outer_not_xml, 400),
    (_outer_without_encrypt, 400),
    (_outer_doctype, 400),
    (_inner_doctype, 400),
    (_inner_not_xml, 400),
    (_inner_without_type, 400),
    (_bad_timestamp, 400),
    (_huge_timestamp, 400),
    (_odd_digit_timestamp, 400),
    (_inner_without_sender, 400),
    (_too_big, 413),
]


@pytest.mark.parametrize(("build", "status"), REFUSALS, ids=[b.__name__ for b, _ in REFUSALS])
def test_a_callback_that_does_not_verify_is_refused_and_changes_nothing(
    wecom_client, wecom_services, build, status
):
    params, body = build(wecom_client)
    res = wecom_client.post_raw(params, body)
    assert res.status_code == status
    assert counts(wecom_services) == (0, 0, 0)


def test_url_verification_with_a_bad_signature_or_corp_is_refused(wecom_client):
    params = wecom_client.crypto.echo_params("42", wecom_client.now())
    bad = {**params, "msg_signature": "f" * 40}
    assert wecom_client.http.get(wecom_client.url, params=bad, timeout=10).status_code == 403
    other = WeComCrypto(wecom_client.crypto.token, wecom_client.crypto.aes_key, "wwother")
    params = other.echo_params("42", wecom_client.now())
    assert wecom_client.http.get(wecom_client.url, params=params, timeout=10).status_code == 403
    assert wecom_client.http.get(wecom_client.url, timeout=10).status_code == 403


def test_url_verification_with_a_malformed_timestamp_is_a_4xx_not_a_500(wecom_client):
    params = wecom_client.crypto.echo_params("42", wecom_client.now())
    for timestamp in ("9" * 400, "²" * 10, "-1"):
        res = wecom_client.http.get(
            wecom_client.url, params={**params, "timestamp": timestamp}, timeout=10
        )
        assert res.status_code == 400, timestamp


@pytest.mark.parametrize(
    ("kind", "fields"),
    [
        ("image", {"PicUrl": "http://example.invalid/a.jpg", "MediaId": "m-1"}),
        ("voice", {"MediaId": "m-2", "Format": "amr"}),
        (
            "location",
            {"Location_X": "34.7", "Location_Y": "113.6", "Scale": "15", "Label": "二七区"},
        ),
    ],
)
def test_an_image_voice_or_location_gets_a_text_only_hint_once(wecom_client, kind, fields):
    inner = wecom_crypto._xml(
        {
            "ToUserName": CORP_ID,
            "FromUserName": USER,
            "CreateTime": wecom_client.now(),
            "MsgType": kind,
            **fields,
            "MsgId": 99887766,
            "AgentID": 1000002,
        }
    )
    first = wecom_client.post(inner)
    assert first.status == 200 and "只能识别文字消息" in first.text
    assert wecom_client.post(inner).text == first.text  # a re-delivery gets the same answer


def test_a_card_menu_event_is_not_taken_for_a_button_click(wecom_client, wecom_services):
    inner = wecom_crypto.card_event_xml(
        CORP_ID, USER, "测试卡片:1:yes", "task-1", wecom_client.now()
    ).replace("template_card_event", "template_card_menu_event")
    reply = wecom_client.post(inner)
    assert reply.status == 200 and reply.xml == ""
    with wecom_services.sessions() as s:
        assert s.scalar(select(func.count()).select_from(AuditEntry)) == 0
