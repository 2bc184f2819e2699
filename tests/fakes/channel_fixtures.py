"""DingTalk (HTTP and Stream) and the WeChat Official Account over real HTTP, for any test
(registered in tests/conftest.py).

Fixtures:
- `dingtalk_api`, `wechat_api`: the fake platform APIs on loopback (tests/fakes/*_api.py).
- `channel_services`: Services with WeCom, DingTalk and the Official Account all configured
  against the fakes, on the test's database and FakeClock, demo roster in.
- `channels`: `create_app` served on 127.0.0.1 and one client per way in, each talking exactly as
  its platform does (signed, encrypted, timestamped by the FakeClock):

    channels.dingtalk.ask("ding-u10", "帮助")        # the answer text(s) that user saw
    channels.wechat.ask(OPENID, "举报")              # passive, or late through the API
    channels.wecom.send_text("demo-office", "帮助").text
    channels.stream().ask("ding-u10", "帮助")        # the same through a Stream connection

The settings reuse the published vectors' values: the DingTalk secret is the one of the robot
sign example ("this is secret"), the Official Account token, key and AppID are Tencent's sample.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import secrets
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
import requests
from wechatpy.crypto import WeChatCrypto
from werkzeug.serving import make_server

from bot.app import create_app
from bot.channels.dingtalk import robot_sign
from bot.config import load_settings
from bot.dispatch import Services
from handlers.demo import seed_demo
from storage.db import make_engine, make_session_factory
from tests.fakes.dingtalk_api import FAKE_APP_KEY, FakeDingTalkAPI, FakeStreamGateway
from tests.fakes.fixtures import WeComCallbackClient, wecom_vars
from tests.fakes.wechat_api import FakeWeChatAPI
from tests.fakes.wecom_api import FakeWeComAPI
from tests.support import FakeClock

DT_SECRET = (
    "this is secret"  # the robot sign example's secret (vectors/dingtalk_callback_crypto.json)
)
ROBOT_CODE = "dingrobotfake"
MP_TOKEN = "spamtest"  # Tencent's sample (vectors/wechat_mp_crypto.json)
MP_AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
MP_APP_ID = "wx2c2769f8efd9abc2"
STREAM_TOPIC = "/v1.0/im/bot/messages/get"


def dingtalk_vars(api_base: str) -> dict[str, str]:
    return {
        "DINGTALK_APP_KEY": FAKE_APP_KEY,
        "DINGTALK_APP_SECRET": DT_SECRET,
        "DINGTALK_ROBOT_CODE": ROBOT_CODE,
        "DINGTALK_AGENT_ID": "3001",
        "DINGTALK_API_BASE": api_base,
    }


def wechat_vars(api_base: str, aes: bool = True) -> dict[str, str]:
    values = {
        "WECHAT_APP_ID": MP_APP_ID,
        "WECHAT_APP_SECRET": "fake-mp-secret",
        "WECHAT_TOKEN": MP_TOKEN,
        "WECHAT_API_BASE": api_base,
    }
    return {**values, "WECHAT_AES_KEY": MP_AES_KEY} if aes else values


def robot_message(user: str, text: str, msg_id: str, now_ms: int, webhook: str, **extra) -> dict:
    """A robot message as DingTalk posts it (fields of the official sample)."""
    return {
        "conversationId": "cidfake==",
        "chatbotCorpId": "dingcorpfake",
        "chatbotUserId": "$:LWCP_v1:$fake",
        "msgId": msg_id,
        "senderNick": "测试",
        "isAdmin": False,
        "senderStaffId": user,
        "sessionWebhookExpiredTime": now_ms + 90 * 60 * 1000,
        "createAt": now_ms,
        "senderCorpId": "dingcorpfake",
        "conversationType": "1",
        "senderId": f"$:LWCP_v1:${user}",
        "sessionWebhook": webhook,
        "robotCode": ROBOT_CODE,
        "msgtype": "text",
        "text": {"content": text},
        **extra,
    }


class DingTalkCallbackClient:
    """Plays DingTalk's HTTP-mode robot against our server."""

    def __init__(self, base_url: str, services: Services, api: FakeDingTalkAPI) -> None:
        self.url = base_url + "/dingtalk/callback"
        self.services = services
        self.api = api
        self.http = requests.Session()
        self.webhooks: dict[str, str] = {}
        self._ids = itertools.count(1)

    def now_ms(self) -> int:
        return int(self.services.clock().timestamp() * 1000)

    def message(self, user: str, text: str, msg_id: str | None = None, **extra) -> dict:
        webhook = self.webhooks.setdefault(user, self.api.new_session(user))
        msg_id = msg_id or f"msg{secrets.token_hex(6)}{next(self._ids)}=="
        return robot_message(user, text, msg_id, self.now_ms(), webhook, **extra)

    def post(self, body: bytes | dict, timestamp: str | None = None, sign: str | None = None):
        timestamp = timestamp or str(self.now_ms())
        sign = sign if sign is not None else robot_sign(timestamp, DT_SECRET)
        data = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json; charset=utf-8"}
        headers.update({"timestamp": timestamp, "sign": sign})
        return self.http.post(self.url, data=data, headers=headers, timeout=30)

    def send_text(self, user: str, text: str, msg_id: str | None = None, **extra):
        return self.post(self.message(user, text, msg_id, **extra))

    def ask(self, user: str, text: str, answers: int = 1) -> str:
        """Send as `user`; the text(s) the answer brought that user."""
        before = len(self.api.to(user))
        res = self.send_text(user, text)
        assert res.status_code == 200, res.status_code
        got = self.api.wait_for(user, before + answers)[before:]
        return "\n".join(d.text for d in got)

    def close(self) -> None:
        self.http.close()


class StreamClient:
    """Plays the Stream gateway: pushes CALLBACK frames to our runner, reads its acks."""

    def __init__(self, services: Services, api: FakeDingTalkAPI) -> None:
        from bot.channels.dingtalk_stream import StreamRunner

        self.services = services
        self.api = api
        self.gateway = FakeStreamGateway(api).start()
        self.runner = StreamRunner(services, reconnect_delay=0.2)
        self.thread = threading.Thread(target=self.runner.run, daemon=True)
        self.thread.start()
        assert self.gateway.wait_connected(), "the stream client did not connect"
        self.webhooks: dict[str, str] = {}

    def frame(self, user: str, text: str, msg_id: str | None = None) -> dict:
        now_ms = int(self.services.clock().timestamp() * 1000)
        webhook = self.webhooks.setdefault(user, self.api.new_session(user))
        body = robot_message(user, text, msg_id or f"smsg{secrets.token_hex(8)}==", now_ms, webhook)
        return {
            "specVersion": "1.0",
            "type": "CALLBACK",
            "headers": {
                "appId": "fake-app",
                "contentType": "application/json",
                "messageId": f"frame_{secrets.token_hex(6)}",
                "time": str(now_ms),
                "topic": STREAM_TOPIC,
            },
            "data": json.dumps(body, ensure_ascii=False),
        }

    def push(self, frame: dict) -> dict | None:
        self.gateway.push(frame)
        return self.gateway.wait_ack(frame["headers"]["messageId"])

    def ask(self, user: str, text: str, answers: int = 1) -> str:
        before = len(self.api.to(user))
        ack = self.push(self.frame(user, text))
        assert ack and ack["code"] == 200, ack
        got = self.api.wait_for(user, before + answers)[before:]
        return "\n".join(d.text for d in got)

    def close(self) -> None:
        self.runner.stop()
        self.thread.join(timeout=10)
        self.gateway.stop()


@dataclass
class MPReply:
    status: int
    body: str
    xml: str = ""
    fields: dict[str, str] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return self.fields.get("Content", "")


class WeChatCallbackClient:
    """Plays the Official Account server: plaintext, compatible or safe mode."""

    def __init__(self, base_url: str, services: Services, api: FakeWeChatAPI) -> None:
        self.url = base_url + "/wechat/callback"
        self.services = services
        self.api = api
        self.crypto = WeChatCrypto(MP_TOKEN, MP_AES_KEY, MP_APP_ID)
        self.http = requests.Session()
        self.mode = "safe"
        self._ids = itertools.count(6_054_768_590_064_700_000 + secrets.randbelow(10**6))

    def now(self) -> int:
        return int(self.services.clock().timestamp())

    @staticmethod
    def signature(timestamp: str, nonce: str, token: str = MP_TOKEN) -> str:
        return hashlib.sha1("".join(sorted([token, timestamp, nonce])).encode()).hexdigest()

    def text_xml(self, openid: str, text: str, msg_id: int | None = None) -> str:
        msg_id = msg_id if msg_id is not None else next(self._ids)
        return (
            f"<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName>"
            f"<FromUserName><![CDATA[{openid}]]></FromUserName><CreateTime>{self.now()}</CreateTime>"
            f"<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[{text}]]></Content>"
            f"<MsgId>{msg_id}</MsgId></xml>"
        )

    def event_xml(self, openid: str, event: str) -> str:
        return (
            f"<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName>"
            f"<FromUserName><![CDATA[{openid}]]></FromUserName><CreateTime>{self.now()}</CreateTime>"
            f"<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[{event}]]></Event></xml>"
        )

    def post(self, xml: str, mode: str | None = None, timestamp: int | None = None) -> MPReply:
        mode = mode or self.mode
        ts, nonce = str(timestamp or self.now()), str(secrets.randbelow(10**9))
        params = {"signature": self.signature(ts, nonce), "timestamp": ts, "nonce": nonce}
        body = xml
        if mode in ("safe", "compat"):
            sealed = self.crypto.encrypt_message(xml, nonce, ts)
            encrypt = sealed.split("<Encrypt><![CDATA[")[1].split("]]>")[0]
            params.update(encrypt_type="aes", msg_signature=_tag(sealed, "MsgSignature"))
            inner = xml.removeprefix("<xml>").removesuffix("</xml>") if mode == "compat" else ""
            body = f"<xml>{inner or '<ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName>'}"
            body += f"<Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>"
        return self.open(self.http.post(self.url, params=params, data=body.encode(), timeout=30))

    def open(self, res: requests.Response) -> MPReply:
        body = res.text
        if res.status_code != 200 or not body.startswith("<xml>"):
            return MPReply(res.status_code, body)
        xml = body
        if "<Encrypt>" in body:
            xml = self.crypto.decrypt_message(
                body, _tag(body, "MsgSignature"), _tag(body, "TimeStamp"), _tag(body, "Nonce")
            )
        import xml.etree.ElementTree as ET

        fields = {el.tag: el.text or "" for el in ET.fromstring(xml).iter()}
        return MPReply(200, body, xml, fields)

    def send_text(self, openid: str, text: str, msg_id: int | None = None, **kw) -> MPReply:
        return self.post(self.text_xml(openid, text, msg_id), **kw)

    def ask(self, openid: str, text: str) -> str:
        """The answer a follower sees: passive, or (late) through the customer-service API."""
        before = len(self.api.texts_to(openid))
        reply = self.send_text(openid, text)
        assert reply.status == 200, reply
        if reply.text:
            return reply.text
        return "\n".join(self.api.wait_for(openid, before + 1)[before:])

    def close(self) -> None:
        self.http.close()


def _tag(xml: str, name: str) -> str:
    part = xml.split(f"<{name}>")[1].split(f"</{name}>")[0]
    return part.removeprefix("<![CDATA[").removesuffix("]]>")


@pytest.fixture
def dingtalk_api() -> Iterator[FakeDingTalkAPI]:
    api = FakeDingTalkAPI(secret=DT_SECRET).start()
    yield api
    api.stop()


@pytest.fixture
def wechat_api() -> Iterator[FakeWeChatAPI]:
    api = FakeWeChatAPI().start()
    yield api
    api.stop()


@pytest.fixture
def channel_services(
    env: dict[str, str],
    clock: FakeClock,
    wecom_api: FakeWeComAPI,
    dingtalk_api: FakeDingTalkAPI,
    wechat_api: FakeWeChatAPI,
) -> Iterator[Services]:
    values = {
        **env,
        **wecom_vars(wecom_api.base),
        **dingtalk_vars(dingtalk_api.base),
        **wechat_vars(wechat_api.base),
    }
    settings = load_settings(values)
    engine = make_engine(settings.database_url)
    services = Services(settings=settings, sessions=make_session_factory(engine), clock=clock)
    with services.sessions() as session, session.begin():
        seed_demo(session, clock())
    yield services
    engine.dispose()


@dataclass
class Channels:
    services: Services
    wecom: WeComCallbackClient
    dingtalk: DingTalkCallbackClient
    wechat: WeChatCallbackClient
    dingtalk_api: FakeDingTalkAPI
    app: object = None
    _streams: list[StreamClient] = field(default_factory=list)

    def stream(self) -> StreamClient:
        if not self._streams:
            self._streams.append(StreamClient(self.services, self.dingtalk_api))
        return self._streams[0]


@pytest.fixture
def channels(channel_services, wecom_api, dingtalk_api, wechat_api) -> Iterator[Channels]:
    app = create_app(channel_services)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    found = Channels(
        services=channel_services,
        wecom=WeComCallbackClient(base, channel_services, wecom_api),
        dingtalk=DingTalkCallbackClient(base, channel_services, dingtalk_api),
        wechat=WeChatCallbackClient(base, channel_services, wechat_api),
        dingtalk_api=dingtalk_api,
        app=app,
    )
    yield found
    for stream in found._streams:
        stream.close()
    for client in (found.wecom, found.dingtalk, found.wechat):
        client.close()
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)
    app.blueprints["wecom"].callback.handling.close()
    app.blueprints["dingtalk"].callback.inbound.close()
    app.blueprints["wechat_mp"].callback.handling.close()
    time.sleep(0)
