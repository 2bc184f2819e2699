"""The local console: type as any roster member, see the reply and every push it causes.

Runs the same dispatch, router and handlers as the WeCom callback. When standard input is not a
terminal, each line is one message, so a session can be scripted.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import TextIO

from bot import dispatch
from bot.dispatch import Services
from bot.outbox import drain
from handlers.core import Incoming
from storage.documents import Document
from storage.outbox import OutboxMessage
from storage.roster import Person, find_person

CHANNEL = "console"


class ConsoleSender:
    """Delivers console-channel pushes by printing them, with the recipient's name."""

    channel = CHANNEL
    per_minute = 0

    def __init__(self, services: Services, out: TextIO) -> None:
        self.services = services
        self.out = out

    def _name(self, row: OutboxMessage) -> str:
        with self.services.sessions() as session:
            person = session.get(Person, row.person_id) if row.person_id else None
            person = person or find_person(session, row.address)
        return f"{person.name}（{row.address}）" if person else row.address

    def send(self, row: OutboxMessage, document: Document | None) -> None:
        who = self._name(row)
        body = render_payload(row, document, self.services)
        print(f"  ↳ 推送给 {who}：\n{_indent(body)}", file=self.out, flush=True)


def render_payload(row: OutboxMessage, document: Document | None, services: Services) -> str:
    payload = row.payload
    if row.kind == "file" and document is not None:
        path = services.settings.files_path / document.path
        return f"[文件] {document.filename}\n{path}"
    if row.kind == "template_card":
        title = payload.get("main_title", {}).get("title", "")
        desc = payload.get("main_title", {}).get("desc", "")
        buttons = " / ".join(b.get("text", "") for b in payload.get("button_list", []))
        fallback = payload.get("fallback_text", "")
        return "\n".join(x for x in (f"[卡片] {title}", desc, f"按钮：{buttons}", fallback) if x)
    if row.kind == "card_update":
        return f"[卡片更新] {payload.get('replace_name', '')}"
    return str(payload.get("text", payload))


def _indent(text: str) -> str:
    return "\n".join(f"    {line}" for line in text.splitlines())


def run_shell(services: Services, user_id: str, lines: Iterable[str], out: TextIO) -> None:
    sender = ConsoleSender(services, out)
    interactive = lines is sys.stdin and sys.stdin.isatty()
    with services.sessions() as session:
        who = find_person(session, user_id)
    name = who.name if who else f"{user_id}（不在名单中，按公众身份）"
    print(f"以 {name} 的身份对话。发送「帮助」查看指令，Ctrl-D 退出。", file=out, flush=True)
    drain(services, {CHANNEL: sender})
    for line in _prompted(lines, interactive, out):
        text = line.rstrip("\n")
        if not text.strip():
            continue
        if not interactive:
            print(f"> {text}", file=out)
        reply, _ = dispatch.handle(services, Incoming(channel=CHANNEL, user_id=user_id, text=text))
        if reply.text:
            print(reply.text, file=out, flush=True)
        drain(services, {CHANNEL: sender})


def _prompted(lines: Iterable[str], interactive: bool, out: TextIO) -> Iterable[str]:
    if not interactive:
        yield from lines
        return
    while True:
        try:
            yield input("> ")
        except EOFError:
            print(file=out)
            return
