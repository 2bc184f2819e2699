"""A fake WeCom server API on 127.0.0.1 (bolt's `mock_web_api_server`): real HTTP, recorded calls.

    api = FakeWeComAPI().start()          # api.base == "http://127.0.0.1:<port>/cgi-bin/"
    ...                                   # point WECOM_API_BASE at api.base
    api.sent_to("demo-office")            # every message/send body addressed to that user
    api.fail_next(2, errcode=45009)       # the next 2 API calls answer errcode 45009
    api.fail_next(1, http_status=500)     # ... or an HTTP 500
    api.add_media("MEDIA1", "纪要.docx", b"...")   # what media/get serves
    api.expire_tokens()                   # tokens handed out so far answer 42001
    api.fail_always(errcode=40014, path="message/send")   # every such call fails until api.heal()
    api.accept_then_stall(1, seconds=1.0) # the next message/send is delivered, answered late
    api.delivered                         # message/send bodies users actually saw
    api.stop()

message/send implements WeCom's duplicate check (WW-90236): with `enable_duplicate_check` = 1, the
same request JSON within `duplicate_check_interval` seconds (default 1800) answers ok but is not
delivered again (recorded in `api.duplicates`). `api.clock` (monotonic seconds) may be replaced.

Serves gettoken, message/send, media/upload, media/get and message/update_template_card, the way
the real ones answer (WW-91039, WW-90236, WW-90253, WW-90254, WW-94945). Each call is recorded as a
`Call` with its parsed JSON (or uploaded file) so a test can assert what each user received.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

FAKE_SECRET = "fake-wecom-secret"


class _QuietHandler(WSGIRequestHandler):
    """No access log: it is WeCom's, not ours, and would put `corpsecret` in the test's logs."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


@dataclass
class Call:
    path: str  # e.g. "message/send"
    params: dict[str, str]
    json: dict[str, Any] | None = None
    upload: tuple[str, bytes] | None = None  # (filename, content) for media/upload
    answer: dict[str, Any] = field(default_factory=dict)
    stall: float = 0.0  # seconds the answer is held back after the call took effect


@dataclass
class _Failure:
    errcode: int | None
    http_status: int | None
    path: str | None


class FakeWeComAPI:
    def __init__(self, secret: str = FAKE_SECRET) -> None:
        self.secret = secret
        self.calls: list[Call] = []
        self.media: dict[str, tuple[str, bytes]] = {}
        self._tokens: set[str] = set()
        self._failures: list[_Failure] = []
        self._always: _Failure | None = None
        self._stalls: list[float] = []
        self.delivered: list[dict[str, Any]] = []
        self.duplicates: list[dict[str, Any]] = []
        self._seen: dict[str, float] = {}  # request JSON -> when it was delivered
        self.clock: Callable[[], float] = time.monotonic
        self._lock = threading.Lock()
        self._server = None
        self._thread: threading.Thread | None = None
        self.token_count = 0

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> FakeWeComAPI:
        self._server = make_server(
            "127.0.0.1", 0, self._wsgi, threaded=True, request_handler=_QuietHandler
        )
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=5)
            self._server = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}/cgi-bin/"

    # -- what tests tell it and ask it ---------------------------------------------------------
    def fail_next(
        self, n: int = 1, *, errcode: int | None = None, http_status: int | None = None, path=None
    ) -> None:
        """Make the next `n` calls (to `path` if given; gettoken only if named) fail."""
        if errcode is None and http_status is None:
            errcode = -1
        with self._lock:
            self._failures.extend(_Failure(errcode, http_status, path) for _ in range(n))

    def fail_always(
        self, *, errcode: int | None = None, http_status: int | None = None, path=None
    ) -> None:
        """Every call (to `path` if given; gettoken only if named) fails until `heal()`."""
        with self._lock:
            self._always = _Failure(errcode, http_status, path)

    def heal(self) -> None:
        with self._lock:
            self._always = None

    def accept_then_stall(self, n: int = 1, *, seconds: float = 1.0) -> None:
        """The next `n` message/send calls are delivered, then answered only after `seconds` —
        longer than the client waits, so it cannot know the message arrived."""
        with self._lock:
            self._stalls.extend([seconds] * n)

    def add_media(self, media_id: str, filename: str, content: bytes) -> None:
        self.media[media_id] = (filename, content)

    def expire_tokens(self) -> None:
        with self._lock:
            self._tokens.clear()

    def calls_to(self, path: str) -> list[Call]:
        return [c for c in self.calls if c.path == path]

    def sent(self) -> list[dict[str, Any]]:
        """Bodies of message/send calls delivered to users, in order (duplicates dropped)."""
        with self._lock:
            return list(self.delivered)

    def sent_to(self, user: str) -> list[dict[str, Any]]:
        return [m for m in self.sent() if user in str(m.get("touser", "")).split("|")]

    def texts_to(self, user: str) -> list[str]:
        return [m["text"]["content"] for m in self.sent_to(user) if m.get("msgtype") == "text"]

    # -- the WSGI app ----------------------------------------------------------------------------
    def _wsgi(self, environ, start_response):
        request = Request(environ)
        path = request.path.removeprefix("/cgi-bin/")
        params = dict(request.args)
        call = Call(path=path, params=params)
        with request:  # closes uploaded temporary files
            if request.mimetype == "multipart/form-data":
                upload = request.files.get("media")
                call.upload = (upload.filename, upload.read()) if upload else None
            elif request.data:
                call.json = json.loads(request.data)
        response = self._answer(call)
        with self._lock:
            self.calls.append(call)
        if call.stall:
            time.sleep(call.stall)
        return response(environ, start_response)

    def _take_failure(self, path: str) -> _Failure | None:
        with self._lock:
            for i, failure in enumerate(self._failures):
                if failure.path == path or (failure.path is None and path != "gettoken"):
                    return self._failures.pop(i)
            always = self._always
            if always and (always.path == path or (always.path is None and path != "gettoken")):
                return always
        return None

    def _answer(self, call: Call) -> Response:
        failure = self._take_failure(call.path)
        if failure and failure.http_status:
            call.answer = {"http_status": failure.http_status}
            return Response("busy", status=failure.http_status)
        if failure:
            return self._json(call, {"errcode": failure.errcode, "errmsg": "fake failure"})
        if call.path == "gettoken":
            return self._gettoken(call)
        if call.params.get("access_token") not in self._tokens:
            return self._json(call, {"errcode": 42001, "errmsg": "access_token expired"})
        handler = {
            "message/send": self._send,
            "media/upload": self._upload,
            "media/get": self._media_get,
            "message/update_template_card": self._update_card,
        }.get(call.path)
        if handler is None:
            return self._json(call, {"errcode": 404, "errmsg": f"unknown api {call.path}"})
        return handler(call)

    def _json(self, call: Call, answer: dict[str, Any]) -> Response:
        call.answer = answer
        return Response(json.dumps(answer, ensure_ascii=False), mimetype="application/json")

    def _gettoken(self, call: Call) -> Response:
        if call.params.get("corpsecret") != self.secret:
            return self._json(call, {"errcode": 40001, "errmsg": "invalid credential"})
        with self._lock:
            self.token_count += 1
            token = f"fake-token-{self.token_count}"
            self._tokens.add(token)
        return self._json(
            call, {"errcode": 0, "errmsg": "ok", "access_token": token, "expires_in": 7200}
        )

    def _send(self, call: Call) -> Response:
        body = call.json or {}
        users = [u for u in str(body.get("touser", "")).split("|") if u]
        if not users or body.get("msgtype") not in {"text", "file", "template_card", "markdown"}:
            return self._json(call, {"errcode": 40008, "errmsg": "invalid message type"})
        if any(u.startswith("invalid") for u in users) and len(users) == 1:
            return self._json(call, {"errcode": 81013, "errmsg": "user & party & tag all invalid"})
        msgid = f"msg{len(self.calls)}"
        self._deliver(body)
        with self._lock:
            call.stall = self._stalls.pop(0) if self._stalls else 0.0
        return self._json(call, {"errcode": 0, "errmsg": "ok", "invaliduser": "", "msgid": msgid})

    def _deliver(self, body: dict[str, Any]) -> None:
        """Show the message, unless WeCom's duplicate check says it was shown already."""
        now = self.clock()
        key = json.dumps(body, sort_keys=True, ensure_ascii=False)
        with self._lock:
            if body.get("enable_duplicate_check") == 1:
                interval = int(body.get("duplicate_check_interval") or 1800)
                shown = self._seen.get(key)
                if shown is not None and now - shown < interval:
                    self.duplicates.append(body)
                    return
                self._seen[key] = now
            self.delivered.append(body)

    def _upload(self, call: Call) -> Response:
        if call.params.get("type") != "file" or call.upload is None:
            return self._json(call, {"errcode": 40004, "errmsg": "invalid media type"})
        media_id = f"up{len(self.calls)}"
        self.media[media_id] = call.upload
        return self._json(
            call, {"errcode": 0, "errmsg": "ok", "type": "file", "media_id": media_id}
        )

    def _media_get(self, call: Call) -> Response:
        found = self.media.get(call.params.get("media_id", ""))
        if found is None:
            return self._json(call, {"errcode": 40007, "errmsg": "invalid media_id"})
        filename, content = found
        call.answer = {"errcode": 0, "size": len(content)}
        disposition = f"attachment; filename*=UTF-8''{quote(filename)}"
        return Response(
            content,
            mimetype="application/octet-stream",
            headers={"Content-Disposition": disposition},
        )

    def _update_card(self, call: Call) -> Response:
        body = call.json or {}
        if not body.get("response_code"):
            return self._json(call, {"errcode": 40058, "errmsg": "response_code missing"})
        return self._json(call, {"errcode": 0, "errmsg": "ok", "invaliduser": []})
