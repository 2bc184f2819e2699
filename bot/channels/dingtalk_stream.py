"""DingTalk Stream mode (`liaison dingtalk-stream`): robot messages over an outbound WebSocket, for
deployments with no public address (developerpedia docs/learn/stream/protocol.md; protocols.md §4b).

The `dingtalk-stream` package parses the frames and writes the acks; here a message becomes an
`Incoming` through the same `DingTalkInbound` as HTTP mode (same inbox, same handlers, answers
through the outbox), and is acknowledged 200 only once it is stored — a database that cannot take
it gets a 500 ack. Two things of the package are replaced: the connection-open call (it has no
timeout and reads its address from an environment variable at import) and the reconnect loop (so
it can be stopped, and its delay set). After a network loss it opens a new connection (a ticket is
single-use) and goes on; one runner per deployment.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from urllib.parse import quote_plus

import dingtalk_stream
import requests
import websockets
from dingtalk_stream import AckMessage, CallbackMessage, ChatbotMessage

from bot import dispatch
from bot.channels.dingtalk import DingTalkInbound, Refused
from bot.dispatch import Services
from bot.logs import new_request_id
from bot.redact import redact

__all__ = ["StoreThenAck", "StreamRunner"]

log = logging.getLogger(__name__)
OPEN_PATH = "v1.0/gateway/connections/open"
RECONNECT_DELAY = 10.0  # seconds after a lost connection (the package's own choice)
TIMEOUT = 10.0


class StoreThenAck(dingtalk_stream.CallbackHandler):
    """Acknowledges a robot message only after it is in the inbox."""

    def __init__(self, inbound: DingTalkInbound) -> None:
        super().__init__()
        self.inbound = inbound

    async def process(self, message: CallbackMessage) -> tuple[int, str]:
        data = message.data if isinstance(message.data, dict) else {}
        try:
            result = await asyncio.to_thread(self.inbound.take, data, new_request_id())
        except Refused as err:
            log.warning("dingtalk stream message refused: %s", err)
            return AckMessage.STATUS_BAD_REQUEST, "refused"
        except dispatch.Unavailable:
            log.warning("dingtalk stream message not stored: database unavailable")
            return AckMessage.STATUS_SYSTEM_EXCEPTION, "not stored"
        log.info("dingtalk stream message %s", result)
        return AckMessage.STATUS_OK, "OK"


class StreamRunner(dingtalk_stream.DingTalkStreamClient):
    """The package's client with a timed connection-open call and a stoppable reconnect loop."""

    def __init__(self, services: Services, reconnect_delay: float = RECONNECT_DELAY) -> None:
        cfg = services.settings.dingtalk
        super().__init__(dingtalk_stream.Credential(cfg.app_key, cfg.app_secret))
        self.settings = cfg
        self.reconnect_delay = reconnect_delay
        self.inbound = DingTalkInbound(services)
        self.register_callback_handler(ChatbotMessage.TOPIC, StoreThenAck(self.inbound))
        self.stopping = threading.Event()
        self.connections = 0  # how many connections were opened (tests watch reconnects)

    def open_connection(self) -> dict | None:
        body = {
            "clientId": self.settings.app_key,
            "clientSecret": self.settings.app_secret,
            "subscriptions": [{"type": "CALLBACK", "topic": t} for t in self.callback_handler_map],
            "ua": "liaison-bot",
            "localIp": "",
        }
        try:
            res = requests.post(self.settings.openapi_base + OPEN_PATH, json=body, timeout=TIMEOUT)
            res.raise_for_status()
            answer = res.json()
            return answer if answer.get("endpoint") and answer.get("ticket") else None
        except (requests.RequestException, ValueError) as err:
            log.warning(
                "dingtalk stream: cannot open a connection: %s",
                redact(type(err).__name__, self.settings.app_secret),
            )
            return None

    async def start(self) -> None:
        self.pre_start()
        while not self.stopping.is_set():
            connection = await asyncio.to_thread(self.open_connection)
            if connection is None:
                await self._pause()
                continue
            uri = f"{connection['endpoint']}?ticket={quote_plus(connection['ticket'])}"
            try:
                async with websockets.connect(uri, open_timeout=TIMEOUT) as websocket:
                    self.websocket = websocket
                    self.connections += 1
                    log.info("dingtalk stream connected")
                    await self._listen(websocket)
            except (TimeoutError, OSError, websockets.exceptions.WebSocketException) as err:
                log.warning("dingtalk stream connection lost: %s", type(err).__name__)
            await self._pause()

    async def _listen(self, websocket) -> None:
        tasks = set()
        while not self.stopping.is_set():
            try:
                raw = await asyncio.wait_for(websocket.recv(), timeout=0.5)
            except TimeoutError:
                continue
            task = asyncio.create_task(self.background_task(json.loads(raw)))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _pause(self) -> None:
        waited = 0.0
        while waited < self.reconnect_delay and not self.stopping.is_set():
            await asyncio.sleep(0.1)
            waited += 0.1

    def run(self) -> None:
        """Until `stop()` (or SIGTERM in the CLI)."""
        try:
            asyncio.run(self.start())
        finally:
            self.inbound.close()

    def stop(self) -> None:
        self.stopping.set()
