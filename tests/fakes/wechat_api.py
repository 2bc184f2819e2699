"""A fake WeChat Official Account API on 127.0.0.1: real HTTP, every call recorded.

    api = FakeWeChatAPI().start()       # api.base == "http://127.0.0.1:<port>/cgi-bin/"
    api.texts_to(openid)                # customer-service texts that follower received
    api.close_window(openid)            # message/custom/send to them answers errcode 45015

Serves `token` and `message/custom/send` as the real ones answer (protocols.md §5).
"""

from __future__ import annotations

import json
import secrets
import threading
from typing import Any

from werkzeug.wrappers import Request, Response

from tests.fakes.dingtalk_api import Call, LoopbackServer

FAKE_MP_SECRET = "fake-mp-secret"


class FakeWeChatAPI:
    def __init__(self, secret: str = FAKE_MP_SECRET) -> None:
        self.secret = secret
        self.calls: list[Call] = []
        self.sent: list[dict[str, Any]] = []
        self.closed: set[str] = set()
        self._tokens: set[str] = set()
        self.changed = threading.Condition()
        self._server: LoopbackServer | None = None

    def start(self) -> FakeWeChatAPI:
        self._server = LoopbackServer(self._wsgi)
        self._server.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self._server.port}/cgi-bin/"

    def close_window(self, openid: str) -> None:
        self.closed.add(openid)

    def texts_to(self, openid: str) -> list[str]:
        with self.changed:
            return [m["text"]["content"] for m in self.sent if m.get("touser") == openid]

    def wait_for(self, openid: str, count: int, timeout: float = 15.0) -> list[str]:
        with self.changed:
            self.changed.wait_for(
                lambda: sum(m.get("touser") == openid for m in self.sent) >= count, timeout
            )
        return self.texts_to(openid)

    def _wsgi(self, environ, start_response):
        request = Request(environ)
        call = Call(path=request.path.removeprefix("/cgi-bin/"), params=dict(request.args))
        if request.data:
            call.json = json.loads(request.data)
        call.answer = self._answer(call)
        with self.changed:
            self.calls.append(call)
            self.changed.notify_all()
        body = json.dumps(call.answer, ensure_ascii=False)
        return Response(body, mimetype="application/json")(environ, start_response)

    def _answer(self, call: Call) -> dict[str, Any]:
        if call.path == "token":
            if call.params.get("secret") != self.secret:
                return {"errcode": 40001, "errmsg": "invalid credential"}
            token = f"mp-token-{secrets.token_hex(4)}"
            self._tokens.add(token)
            return {"access_token": token, "expires_in": 7200}
        if call.params.get("access_token") not in self._tokens:
            return {"errcode": 42001, "errmsg": "access_token expired"}
        if call.path != "message/custom/send":
            return {"errcode": 404, "errmsg": "unknown api"}
        body = call.json or {}
        if body.get("touser") in self.closed:
            return {"errcode": 45015, "errmsg": "response out of time limit"}
        with self.changed:
            self.sent.append(body)
        return {"errcode": 0, "errmsg": "ok"}
