"""The official WeCom crypto vectors, through our test helper and through our endpoint over HTTP.

The 2014/2016 vectors carry their own timestamps, so those tests set the FakeClock to that moment
(our endpoint refuses timestamps more than five minutes away from now).
"""

from __future__ import annotations

import json
import threading
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests
from werkzeug.serving import make_server

from bot.app import create_app
from bot.config import load_settings
from bot.dispatch import Services
from storage.db import make_engine, make_session_factory
from tests.fakes.wecom_crypto import WeComCrypto

VECTORS = Path(__file__).resolve().parents[1] / "vectors" / "wecom_callback_crypto.json"
SETS = {s["id"]: s for s in json.loads(VECTORS.read_text(encoding="utf-8"))["vector_sets"]}
XML_SETS = ["wecom_doc_QDG6eK", "wecom_python_sample_ww1436e0e65a779aee"]


def _crypto(vector: dict) -> WeComCrypto:
    return WeComCrypto(vector["token"], vector["encoding_aes_key"], vector["receive_id"])


@pytest.mark.parametrize("set_id", [*XML_SETS, "wechatpy_testsuite_deterministic"])
def test_helper_verifies_and_decrypts_every_official_echostr(set_id):
    vector = SETS[set_id]
    get = vector["verify_url"]
    crypto = _crypto(vector)
    assert crypto.sign(get["timestamp"], get["nonce"], get["echostr"]) == get["msg_signature"]
    assert crypto.decrypt(get["echostr"]) == get["expected_echostr_plaintext_computed"]


def test_helper_encrypts_byte_for_byte_like_the_deterministic_vector():
    vector = SETS["wechatpy_testsuite_deterministic"]
    out = vector["encrypt_reply"]
    crypto = _crypto(vector)
    encrypt = crypto.encrypt(out["plaintext"], random16=out["random16"].encode())
    assert encrypt == out["expected_encrypt"]
    assert crypto.sign(out["timestamp"], out["nonce"], encrypt) == out["expected_msg_signature"]


@pytest.fixture
def vector_server(request, env, clock):
    """Our app configured with one vector set's token/key/corp id, served on loopback."""
    vector = SETS[request.param]
    wecom = {
        "WECOM_CORP_ID": vector["receive_id"],
        "WECOM_AGENT_ID": "218",
        "WECOM_SECRET": "unused",
        "WECOM_TOKEN": vector["token"],
        "WECOM_AES_KEY": vector["encoding_aes_key"],
        "WECOM_API_BASE": "http://127.0.0.1:9/cgi-bin/",  # never called by the callback path
    }
    settings = load_settings({**env, **wecom})
    engine = make_engine(settings.database_url)
    services = Services(settings=settings, sessions=make_session_factory(engine), clock=clock)
    app = create_app(services)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield vector, f"http://127.0.0.1:{server.server_port}/wecom/callback"
    server.shutdown()
    server.server_close()
    app.blueprints["wecom"].callback.handling.close()
    app.blueprints["wecom"].callback.client.close()
    engine.dispose()


def _at(timestamp: str) -> datetime:
    return datetime.fromtimestamp(int(timestamp), tz=UTC)


@pytest.mark.parametrize("vector_server", XML_SETS, indirect=True)
def test_official_url_verification_through_our_endpoint(vector_server, clock):
    vector, url = vector_server
    get = vector["verify_url"]
    clock.set(_at(get["timestamp"]))
    params = {k: get[k] for k in ("msg_signature", "timestamp", "nonce", "echostr")}
    res = requests.get(url, params=params, timeout=10)
    assert res.status_code == 200
    assert res.text == get["expected_echostr_plaintext_computed"]
    assert res.headers["Content-Type"].startswith("text/plain")


@pytest.mark.parametrize("vector_server", XML_SETS, indirect=True)
def test_official_message_decrypts_through_our_endpoint_and_gets_an_encrypted_answer(
    vector_server, clock
):
    vector, url = vector_server
    post = vector["decrypt_msg"]
    clock.set(_at(post["timestamp"]))
    params = {k: post[k] for k in ("msg_signature", "timestamp", "nonce")}
    res = requests.post(url, params=params, data=post["body"].encode(), timeout=10)
    assert res.status_code == 200
    inner = ET.fromstring(_crypto(vector).open_reply(res.content))
    sender = "mycreate" if vector["id"] == "wecom_doc_QDG6eK" else "ChenJiaShun"
    assert inner.findtext("ToUserName") == sender
    assert inner.findtext("MsgType") == "text"
    # both official messages are greetings ("hello", "你好"): a stranger is told how to 举报
    answer = inner.findtext("Content")
    assert answer.startswith("您好，这里是") and "「举报」" in answer


@pytest.mark.parametrize("vector_server", ["wecom_doc_QDG6eK"], indirect=True)
def test_official_message_is_refused_a_day_later(vector_server, clock):
    vector, url = vector_server
    post = vector["decrypt_msg"]
    clock.set(_at(post["timestamp"]))
    clock.advance(days=1)
    params = {k: post[k] for k in ("msg_signature", "timestamp", "nonce")}
    res = requests.post(url, params=params, data=post["body"].encode(), timeout=10)
    assert res.status_code == 403
