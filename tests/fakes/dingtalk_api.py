"""A fake DingTalk on 127.0.0.1: real HTTP (and a Stream gateway over a real WebSocket), every
call recorded.

    api = FakeDingTalkAPI().start()        # point DINGTALK_API_BASE at api.base
    url = api.new_session("ding-u10")     # a sessionWebhook as a robot message carries it
    api.expire_sessions()                 # every sessionWebhook answers errcode 300001
    api.refuse_work = 88                  # asyncsend_v2 answers that errcode (0: accepts again)
    api.expire_tokens()                   # tokens handed out so far are refused
    api.texts_to("ding-u10")              # every text that user saw, whatever the route
    api.routes_to("ding-u10")             # ["session", "robot", "work", …]
    api.work_to("ding-u10")               # asyncsend_v2 `msg` bodies addressed to that user
    gateway = FakeStreamGateway(api).start()   # connections/open answers with its endpoint
    gateway.push(frame)                   # a CALLBACK frame to the connected client
    gateway.acks                          # what the client acknowledged
    gateway.drop()                        # closes the connection (a network loss)

Serves gettoken, topapi/message/corpconversation/asyncsend_v2, media/upload,
v1.0/robot/oToMessages/batchSend, robot/sendBySession and v1.0/gateway/connections/open as the real
ones answer (protocols.md §4a, §4b, §4d).
"""

from __future__ import annotations

import asyncio
import json
import secrets
import threading
from dataclasses import dataclass, field
from typing import Any

from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

FAKE_APP_SECRET = "fake-dingtalk-secret"
FAKE_APP_KEY = "dingfakeappkey"


class _Quiet(WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


@dataclass
class Call:
    path: str
    params: dict[str, str]
    json: dict[str, Any] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    answer: dict[str, Any] = field(default_factory=dict)


@dataclass
class Delivered:
    user: str
    route: str  # session / robot / work
    msgtype: str
    text: str
    body: dict[str, Any]


class LoopbackServer:
    """A werkzeug server on a free loopback port, in a thread."""

    def __init__(self, app) -> None:
        self._server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_Quiet)
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,))
        self._thread.daemon = True

    @property
    def port(self) -> int:
        return self._server.server_port

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


class FakeDingTalkAPI:
    def __init__(self, secret: str = FAKE_APP_SECRET) -> None:
        self.secret = secret
        self.calls: list[Call] = []
        self.delivered: list[Delivered] = []
        self.sessions: dict[str, str] = {}  # session id -> user
        self.sessions_expired = False
        self.refuse_work = 0  # an errcode asyncsend_v2 answers instead of sending
        self.stream_endpoint = ""
        self.tickets: list[str] = []
        self._tokens: set[str] = set()
        self._lock = threading.Lock()
        self._server: LoopbackServer | None = None
        self.changed = threading.Condition(self._lock)

    def start(self) -> FakeDingTalkAPI:
        self._server = LoopbackServer(self._wsgi)
        self._server.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self._server.port}/"

    # -- what tests ask ------------------------------------------------------------------------
    def new_session(self, user: str) -> str:
        sid = secrets.token_hex(8)
        self.sessions[sid] = user
        return f"{self.base}robot/sendBySession?session={sid}"

    def expire_tokens(self) -> None:
        with self._lock:
            self._tokens.clear()

    def expire_sessions(self) -> None:
        self.sessions_expired = True

    def to(self, user: str) -> list[Delivered]:
        with self._lock:
            return [d for d in self.delivered if d.user == user]

    def texts_to(self, user: str) -> list[str]:
        return [d.text for d in self.to(user) if d.msgtype in ("text", "sampleText")]

    def routes_to(self, user: str) -> list[str]:
        return [d.route for d in self.to(user)]

    def work_to(self, user: str) -> list[dict[str, Any]]:
        return [d.body for d in self.to(user) if d.route == "work"]

    def wait_for(self, user: str, count: int, timeout: float = 15.0) -> list[Delivered]:
        """Wait until `user` has received at least `count` messages in all."""
        with self.changed:
            self.changed.wait_for(
                lambda: sum(d.user == user for d in self.delivered) >= count, timeout
            )
        return self.to(user)

    def paths(self) -> list[str]:
        return [c.path for c in self.calls]

    # -- the WSGI app -------------------------------------------------------------------------
    def _wsgi(self, environ, start_response):
        request = Request(environ)
        call = Call(path=request.path.strip("/"), params=dict(request.args))
        call.headers = {k.lower(): v for k, v in request.headers.items()}
        with request:
            if request.mimetype == "multipart/form-data":
                upload = request.files.get("media")
                call.json = {"upload": upload.filename if upload else None}
            elif request.data:
                call.json = json.loads(request.data)
        status, answer = self._answer(call)
        call.answer = answer
        with self.changed:
            self.calls.append(call)
            self.changed.notify_all()
        body = json.dumps(answer, ensure_ascii=False)
        return Response(body, status=status, mimetype="application/json")(environ, start_response)

    def _answer(self, call: Call) -> tuple[int, dict]:
        path = call.path
        if path == "gettoken":
            if call.params.get("appsecret") != self.secret:
                return 200, {"errcode": 40089, "errmsg": "invalid appkey or appsecret"}
            token = f"dt-token-{secrets.token_hex(4)}"
            self._tokens.add(token)
            return 200, {"errcode": 0, "errmsg": "ok", "access_token": token, "expires_in": 7200}
        if path == "v1.0/gateway/connections/open":
            body = call.json or {}
            if body.get("clientSecret") != self.secret or not self.stream_endpoint:
                return 401, {"code": "InvalidAuthentication", "message": "bad credential"}
            ticket = secrets.token_hex(8)
            self.tickets.append(ticket)
            return 200, {"endpoint": self.stream_endpoint, "ticket": ticket}
        if path == "robot/sendBySession":
            return self._session(call)
        if path.startswith("v1.0/"):
            if call.headers.get("x-acs-dingtalk-access-token") not in self._tokens:
                return 401, {"code": "InvalidAuthentication", "message": "token invalid"}
            if path == "v1.0/robot/oToMessages/batchSend":
                return self._robot(call)
            return 404, {"code": "NotFound", "message": path}
        if call.params.get("access_token") not in self._tokens:
            return 200, {"errcode": 40014, "errmsg": "不合法的access_token"}
        if path == "topapi/message/corpconversation/asyncsend_v2":
            return self._work(call)
        if path == "media/upload":
            return 200, {"errcode": 0, "errmsg": "ok", "type": "file", "media_id": "@lA" + path}
        return 200, {"errcode": 404, "errmsg": f"unknown api {path}"}

    def _record(self, user: str, route: str, msgtype: str, text: str, body: dict) -> None:
        with self._lock:
            self.delivered.append(Delivered(user, route, msgtype, text, body))

    def _session(self, call: Call) -> tuple[int, dict]:
        user = self.sessions.get(call.params.get("session", ""))
        if user is None or self.sessions_expired:
            return 200, {"errcode": 300001, "errmsg": "session 不存在"}
        body = call.json or {}
        kind = body.get("msgtype", "")
        text = (body.get("text") or {}).get("content", "") if kind == "text" else ""
        self._record(user, "session", kind, text, body)
        return 200, {"errcode": 0, "errmsg": "ok"}

    def _robot(self, call: Call) -> tuple[int, dict]:
        body = call.json or {}
        param = json.loads(body.get("msgParam") or "{}")
        for user in body.get("userIds") or []:
            self._record(user, "robot", body.get("msgKey", ""), param.get("content", ""), body)
        return 200, {"processQueryKey": secrets.token_hex(6), "invalidStaffIdList": []}

    def _work(self, call: Call) -> tuple[int, dict]:
        if self.refuse_work:
            return 200, {"errcode": self.refuse_work, "errmsg": "refused (fake)"}
        body = call.json or {}
        msg = body.get("msg") or {}
        kind = msg.get("msgtype", "")
        text = (msg.get("text") or {}).get("content", "") if kind == "text" else ""
        if kind == "action_card":
            text = msg["action_card"].get("markdown", "")
        for user in str(body.get("userid_list", "")).split(","):
            if user:
                self._record(user, "work", kind, text, msg)
        return 200, {"errcode": 0, "errmsg": "ok", "task_id": 1, "request_id": "r1"}


class FakeStreamGateway:
    """The Stream gateway's WebSocket (protocol.md): sends frames, records acks, can drop."""

    def __init__(self, api: FakeDingTalkAPI) -> None:
        self.api = api
        self.acks: list[dict[str, Any]] = []
        self.connections = 0
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._ws = None
        self._server = None
        self._connected = threading.Event()
        self._acked = threading.Condition()

    def start(self) -> FakeStreamGateway:
        from websockets.asyncio.server import serve

        async def listen():
            return await serve(self._handler, "127.0.0.1", 0)

        self._thread.start()
        self._server = asyncio.run_coroutine_threadsafe(listen(), self._loop).result(5)
        port = self._server.sockets[0].getsockname()[1]
        self.api.stream_endpoint = f"ws://127.0.0.1:{port}/connect"
        return self

    async def _handler(self, websocket) -> None:
        ticket = websocket.request.path.split("ticket=")[-1]
        if ticket not in self.api.tickets:
            await websocket.close(code=4001)
            return
        self.api.tickets.remove(ticket)  # single use
        self._ws = websocket
        self.connections += 1
        self._connected.set()
        try:
            async for raw in websocket:
                with self._acked:
                    self.acks.append(json.loads(raw))
                    self._acked.notify_all()
        except Exception:
            pass

    def wait_connected(self, count: int = 1, timeout: float = 10.0) -> bool:
        for _ in range(int(timeout * 20)):
            if self.connections >= count and self._ws is not None:
                return True
            self._connected.wait(0.05)
        return False

    def push(self, frame: dict[str, Any]) -> None:
        ws = self._ws
        asyncio.run_coroutine_threadsafe(ws.send(json.dumps(frame)), self._loop).result(5)

    def wait_ack(self, message_id: str, timeout: float = 15.0) -> dict[str, Any] | None:
        def found():
            return next(
                (a for a in self.acks if a.get("headers", {}).get("messageId") == message_id), None
            )

        with self._acked:
            self._acked.wait_for(lambda: found() is not None, timeout)
            return found()

    def drop(self) -> None:
        ws, self._ws = self._ws, None
        self._connected.clear()
        asyncio.run_coroutine_threadsafe(ws.close(code=1011), self._loop).result(5)

    def stop(self) -> None:
        async def close():
            self._server.close()
            await self._server.wait_closed()

        asyncio.run_coroutine_threadsafe(close(), self._loop).result(5)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)
        self._loop.close()
