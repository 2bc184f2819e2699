"""WeCom over real HTTP, for any test (registered in tests/conftest.py).

Fixtures:
- `wecom_api`: the fake WeCom server API on loopback (`tests/fakes/wecom_api.py`).
- `wecom_env`: `env` plus WECOM_* (the official vector's token, key and corp id
  `ww1436e0e65a779aee`) with WECOM_API_BASE at the fake API.
- `wecom_services`: Services from `wecom_env` on the test's database and FakeClock, demo roster in.
- `wecom_client`: `create_app` served by werkzeug on 127.0.0.1, and a helper that talks to it
  exactly as WeCom does (encrypted, signed, timestamped by the FakeClock):

    reply = wecom_client.send_text("demo-u09-liaison", "我是谁")       # -> CallbackReply
    reply.text                                                       # decrypted passive answer
    reply = wecom_client.click_card("demo-office", "rsvp:HY12:yes", "task-HY12-p3")
    reply.button                                                     # update_button label
    wecom_client.enter_agent("demo-office")
    wecom_client.send_file("demo-office", "纪要.docx", data)          # served by the fake media/get
    wecom_client.deliver()          # drain the wecom outbox into the fake API; returns new calls
    wecom_client.api.texts_to("demo-office")                         # what that user received

A reply that missed the passive window (or was too long) has `reply.xml == ""`; its text arrives
through `deliver()`.
"""

from __future__ import annotations

import itertools
import secrets
import threading
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
import requests
from werkzeug.serving import make_server

from bot.app import create_app
from bot.config import load_settings
from bot.dispatch import Services
from bot.outbox import drain
from bot.wecom_client import WeComSender
from handlers.demo import seed_demo
from storage.db import make_engine, make_session_factory
from tests.fakes import wecom_crypto
from tests.fakes.wecom_api import FAKE_SECRET, Call, FakeWeComAPI
from tests.fakes.wecom_crypto import WeComCrypto
from tests.support import FakeClock

CORP_ID = "ww1436e0e65a779aee"  # from the official Python sample (protocols.md §1.8)
TOKEN = "hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo"
AES_KEY = "6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt"
AGENT_ID = "1000002"


def wecom_vars(api_base: str) -> dict[str, str]:
    return {
        "WECOM_CORP_ID": CORP_ID,
        "WECOM_AGENT_ID": AGENT_ID,
        "WECOM_SECRET": FAKE_SECRET,
        "WECOM_TOKEN": TOKEN,
        "WECOM_AES_KEY": AES_KEY,
        "WECOM_API_BASE": api_base,
    }


@dataclass
class CallbackReply:
    """What WeCom got back: the HTTP status and, for a passive reply, the decrypted XML."""

    status: int
    body: bytes
    xml: str = ""
    fields: dict[str, str] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return self.fields.get("Content", "")

    @property
    def button(self) -> str:
        return self.fields.get("ReplaceName", "")


class WeComCallbackClient:
    """Plays WeCom against our server: seals messages, posts them, opens the passive replies."""

    def __init__(self, base_url: str, services: Services, api: FakeWeComAPI) -> None:
        self.url = base_url + "/wecom/callback"
        self.services = services
        self.api = api
        self.crypto = WeComCrypto(TOKEN, AES_KEY, CORP_ID)
        self.http = requests.Session()
        self.sender = WeComSender(services)
        self._ids = itertools.count(7_000_000_000 + secrets.randbelow(10**9))

    def now(self) -> int:
        return int(self.services.clock().timestamp())

    def post_raw(self, params: dict[str, str], body: bytes) -> requests.Response:
        return self.http.post(self.url, params=params, data=body, timeout=30)

    def post(self, inner_xml: str, timestamp: int | None = None) -> CallbackReply:
        params, body = self.crypto.seal(inner_xml, timestamp or self.now())
        return self.open(self.post_raw(params, body))

    def open(self, res: requests.Response) -> CallbackReply:
        if res.status_code != 200 or not res.content:
            return CallbackReply(status=res.status_code, body=res.content)
        inner = self.crypto.open_reply(res.content)
        fields = {el.tag: el.text or "" for el in ET.fromstring(inner).iter()}
        return CallbackReply(status=200, body=res.content, xml=inner, fields=fields)

    def verify(self, echo_plaintext: str) -> requests.Response:
        return self.http.get(
            self.url, params=self.crypto.echo_params(echo_plaintext, self.now()), timeout=30
        )

    def send_text(self, user: str, text: str, msg_id: int | None = None) -> CallbackReply:
        msg_id = msg_id if msg_id is not None else next(self._ids)
        return self.post(wecom_crypto.text_xml(CORP_ID, user, text, msg_id, self.now()))

    def click_card(
        self, user: str, event_key: str, task_id: str, response_code: str = ""
    ) -> CallbackReply:
        xml = wecom_crypto.card_event_xml(
            CORP_ID, user, event_key, task_id, self.now(), response_code
        )
        return self.post(xml)

    def enter_agent(self, user: str) -> CallbackReply:
        return self.post(wecom_crypto.event_xml(CORP_ID, user, "enter_agent", self.now()))

    def send_file(self, user: str, filename: str, content: bytes) -> CallbackReply:
        media_id = f"media-{secrets.token_hex(6)}"
        self.api.add_media(media_id, filename, content)
        return self.post(
            wecom_crypto.file_xml(CORP_ID, user, media_id, next(self._ids), self.now())
        )

    def deliver(self) -> list[Call]:
        """Send everything due in the wecom outbox to the fake API; the API calls it made."""
        start = len(self.api.calls)
        drain(self.services, {"wecom": self.sender})
        return [c for c in self.api.calls[start:] if c.path != "gettoken"]

    def close(self) -> None:
        self.http.close()
        self.sender.close()


@pytest.fixture
def wecom_api() -> Iterator[FakeWeComAPI]:
    api = FakeWeComAPI().start()
    yield api
    api.stop()


@pytest.fixture
def wecom_env(env: dict[str, str], wecom_api: FakeWeComAPI) -> dict[str, str]:
    return {**env, **wecom_vars(wecom_api.base)}


@pytest.fixture
def wecom_services(wecom_env: dict[str, str], clock: FakeClock) -> Iterator[Services]:
    settings = load_settings(wecom_env)
    engine = make_engine(settings.database_url)
    services = Services(settings=settings, sessions=make_session_factory(engine), clock=clock)
    with services.sessions() as session, session.begin():
        seed_demo(session, clock())
    yield services
    engine.dispose()


@pytest.fixture
def wecom_client(wecom_services: Services, wecom_api: FakeWeComAPI) -> Iterator:
    app = create_app(wecom_services)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    client = WeComCallbackClient(
        f"http://127.0.0.1:{server.server_port}", wecom_services, wecom_api
    )
    yield client
    client.close()
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)
    callback = app.blueprints["wecom"].callback
    callback.handling.close()
    callback.client.close()
