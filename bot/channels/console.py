"""The local console: type as any roster member, see the reply and the pushes addressed to you.

Runs the same dispatch, router and handlers as the WeCom callback. Only the speaker's pushes are
delivered; other people's wait for a console opened as them, so two consoles never take each
other's. `--all` shows (and delivers) everyone's, as one screen for a demonstration. At a terminal, lines can be
edited and earlier ones recalled (readline, history kept in the instance directory); when
standard input is not a terminal, each line is one message, so a session can be scripted.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterable
from pathlib import Path
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

    def __init__(
        self, services: Services, out: TextIO, speaker: str = "", show_all: bool = True
    ) -> None:
        self.services = services
        self.out = out
        self.show_all = show_all
        with services.sessions() as session:
            person = find_person(session, speaker)
        self.speaker = (person.id if person else None, speaker)
        self.only = None if show_all else self.is_speaker

    def is_speaker(self, person_id: int | None, address: str) -> bool:
        speaker_id, speaker_address = self.speaker
        return (person_id is not None and person_id == speaker_id) or address == speaker_address

    def _to_speaker(self, row: OutboxMessage) -> bool:
        return self.is_speaker(row.person_id, row.address)

    def _name(self, row: OutboxMessage) -> str:
        with self.services.sessions() as session:
            person = session.get(Person, row.person_id) if row.person_id else None
            person = person or find_person(session, row.address)
        return f"{person.name}（{row.address}）" if person else row.address

    def send(self, row: OutboxMessage, document: Document | None) -> None:
        mine = self._to_speaker(row)
        if not (mine or self.show_all):
            return
        body = render_payload(row, document, self.services)
        who = "您" if mine else self._name(row)
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


def run_shell(
    services: Services,
    user_id: str,
    lines: Iterable[str],
    out: TextIO,
    show_all: bool = False,
) -> None:
    sender = ConsoleSender(services, out, user_id, show_all)
    interactive = lines is sys.stdin and sys.stdin.isatty()
    with services.sessions() as session:
        who = find_person(session, user_id)
    name = who.name if who else f"{user_id}（不在名单中，按公众身份）"
    scope = "回复和所有人收到的推送" if show_all else "回复和发给您的推送"
    print(
        f"以 {name} 的身份对话，显示{scope}。发送「帮助」查看指令，Ctrl-D 退出。",
        file=out,
        flush=True,
    )
    drain(services, {CHANNEL: sender}, only=sender.only)
    history = services.settings.instance_path / "shell_history"
    with _line_editing(history if interactive else None):
        for line in _prompted(lines, interactive, out):
            text = line.rstrip("\n")
            if not text.strip():
                continue
            if not interactive:
                print(f"> {text}", file=out)
            msg = Incoming(channel=CHANNEL, user_id=user_id, text=text)
            reply, _ = dispatch.handle(services, msg)
            if reply.text:
                print(reply.text, file=out, flush=True)
            drain(services, {CHANNEL: sender}, only=sender.only)


@contextlib.contextmanager
def _line_editing(history: Path | None):
    """readline for input(): arrow keys, editing, and history across sessions (at a terminal)."""
    try:
        import readline
    except ImportError:  # not on every platform; input() still works, just without editing
        readline = None
    if history is None or readline is None:
        yield
        return
    with contextlib.suppress(OSError):
        readline.read_history_file(history)
    readline.set_history_length(1000)
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            history.parent.mkdir(parents=True, exist_ok=True)
            readline.write_history_file(history)


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
        except KeyboardInterrupt:  # Ctrl-C clears the line, as in a shell; Ctrl-D leaves
            print(file=out)
