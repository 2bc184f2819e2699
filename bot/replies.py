"""Who carries an answer: the waiting request (a passive reply) or the outbox.

The `Gate` settles it once, between the request waiting within its budget and the worker about to
commit; whatever the request will not carry goes to the outbox in the handling's own transaction.
"""

from __future__ import annotations

import threading
from dataclasses import replace

from handlers.core import Context, Incoming, Reply

TEXT_LIMIT = 2048  # bytes of UTF-8 in one platform text message (WeCom WW-90236)


class Gate:
    """Decides, once, whether the request still waiting will carry the answer (passive reply)."""

    def __init__(self, button_only: bool = False) -> None:
        self.button_only = button_only  # a passive card-click answer carries no text (WeCom)
        self._lock = threading.Lock()
        self._state = "waiting"
        self.done = threading.Event()
        self.result: object = None  # what the worker hands the request

    def claim(self) -> bool:
        """The worker, just before committing: True if the request will answer passively."""
        with self._lock:
            if self._state == "waiting":
                self._state = "claimed"
                return True
            return False

    def abandon(self) -> bool:
        """The request, out of time: True if it may answer empty (the worker will use the outbox)."""
        with self._lock:
            if self._state == "waiting":
                self._state = "abandoned"
                return True
            return False

    def finish(self, result: object) -> None:
        self.result = result
        self.done.set()


def is_card_click(msg: Incoming, reply: Reply) -> bool:
    return msg.event == "template_card_event" and bool(reply.button_label)


def fits_passive(msg: Incoming, reply: Reply) -> bool:
    if is_card_click(msg, reply):
        return True  # the passive answer updates the button; any text goes out separately
    return len(reply.text.encode()) <= TEXT_LIMIT


def split_text(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Split at line breaks into parts of at most `limit` UTF-8 bytes (a long line is cut)."""
    parts: list[str] = []
    current = ""
    for line in text.splitlines(keepends=True):
        while len(line.encode()) > limit:
            cut = limit
            while len(line[:cut].encode()) > limit:
                cut -= 1
            if current:
                parts.append(current)
                current = ""
            parts.append(line[:cut])
            line = line[cut:]
        if len((current + line).encode()) > limit:
            parts.append(current)
            current = ""
        current += line
    if current.strip():
        parts.append(current)
    return [p.rstrip("\n") for p in parts]


def queue_reply(ctx: Context, msg: Incoming, reply: Reply, *, sealed: bool = True) -> None:
    """Put a reply the passive answer will not carry into the outbox; `sealed` keeps the address
    of someone not on the roster (a reporter, perhaps) encrypted."""
    for part in split_text(reply.text) if reply.text else ():
        payload = {"text": part, "private": True} if reply.private else {"text": part}
        ctx.push_to(msg.channel, msg.user_id, payload, sealed=sealed or reply.private)
    if reply.button_label and msg.response_code:
        payload = {"response_code": msg.response_code, "replace_name": reply.button_label}
        ctx.push_to(msg.channel, msg.user_id, payload, kind="card_update", sealed=sealed)


def settle(ctx: Context, msg: Incoming, reply: Reply, sealed: bool, gate: Gate | None) -> bool:
    """Queue what the request will not carry; True when the request answers passively."""
    passive = gate is not None and fits_passive(msg, reply) and gate.claim()
    if not passive:
        queue_reply(ctx, msg, reply, sealed=sealed)
    elif gate.button_only and is_card_click(msg, reply) and reply.text:
        queue_reply(ctx, msg, replace(reply, button_label=""), sealed=sealed)
    return passive
