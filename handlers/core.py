"""What every handler shares: message types, roles, the context, and the registries.

Handlers are plain functions `(Incoming, Context) -> Reply | str`; they never see XML, HTTP or a
platform token. The channels in `bot/` translate into these types, and `bot/router.py` finds the
function through the registries below. Adding a command touches only its domain module.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from storage import outbox
from storage.roster import Appointment, Person, Unit
from storage.sealing import seal


class Role(enum.StrEnum):
    OFFICE = "办公室"
    CONVENER = "召集人"
    LIAISON = "联络员"
    LEADER = "分管领导"
    PUBLIC = "公众"


ROSTER_ROLES = (Role.OFFICE, Role.CONVENER, Role.LIAISON, Role.LEADER)


class UserError(Exception):
    """An expected problem; its Chinese text is the answer and the handler's changes are undone."""


@dataclass(frozen=True)
class Incoming:
    """One message or event from a person, whatever the platform."""

    channel: str  # wecom / dingtalk / console
    user_id: str
    text: str = ""
    kind: str = "text"  # text / event / file, or the platform's own (image, voice…): not read
    event: str = ""  # enter_agent / click / template_card_event
    event_key: str = ""
    task_id: str = ""
    response_code: str = ""
    file_name: str = ""
    file_bytes: bytes | None = None
    dedupe_key: str = ""
    received_at: datetime | None = None


@dataclass
class Reply:
    text: str = ""
    documents: list[int] = field(default_factory=list)  # storage.documents.Document ids to send
    button_label: str = ""  # for a card click: the clicked button's new label
    private: bool = False  # holds a secret (a query code, an unsealed identity): never stored

    @classmethod
    def of(cls, value: Reply | str | None) -> Reply:
        if value is None:
            return cls()
        return value if isinstance(value, Reply) else cls(text=value)


@dataclass(frozen=True)
class Sender:
    """Who wrote the message: their roster entry (if any) and current appointments."""

    channel: str
    user_id: str
    person: Person | None = None
    appointments: tuple[Appointment, ...] = ()

    @property
    def roles(self) -> frozenset[Role]:
        if not self.appointments:
            return frozenset({Role.PUBLIC})
        return frozenset(Role(a.role) for a in self.appointments)

    def units(self, role: Role | None = None) -> list[Unit]:
        seen: dict[int, Unit] = {}
        for a in self.appointments:
            if role is None or a.role == role:
                seen.setdefault(a.unit_id, a.unit)
        return list(seen.values())

    @property
    def name(self) -> str:
        return self.person.name if self.person else "公众"


SYSTEM = Sender(channel="system", user_id="system")


@dataclass
class Conversation:
    """The state of one user's dialogue; change `step`/`data`, or call `end()`."""

    flow: str
    step: str
    data: dict[str, Any] = field(default_factory=dict)
    ended: bool = False

    def goto(self, step: str) -> None:
        self.step = step

    def end(self) -> None:
        self.ended = True


@dataclass
class Context:
    """Everything a handler or job may use; built per message (or per job run) by `bot/`."""

    session: Session
    now: datetime
    tz: ZoneInfo
    sender: Sender = SYSTEM
    org_name: str = ""
    files_root: Path = Path("instance/files")
    options: Mapping[str, str] = field(default_factory=dict)
    push_channels: tuple[str, ...] = ("console",)
    seal_key: bytes | None = None
    conversation: Conversation | None = None
    new_conversation: Conversation | None = None

    def option(self, name: str, default: str) -> str:
        return self.options.get(name, default)

    def option_int(self, name: str, default: int) -> int:
        try:
            return int(self.options.get(name, default))
        except ValueError:
            return default

    def start_conversation(self, flow: str, step: str, **data: Any) -> Conversation:
        self.new_conversation = Conversation(flow=flow, step=step, data=dict(data))
        return self.new_conversation

    def address_of(self, person: Person) -> tuple[str, str]:
        """The channel and user id through which `person` is reached, by preference."""
        for channel in self.push_channels:
            if channel == "wecom" and person.wecom_userid:
                return "wecom", person.wecom_userid
            if channel == "dingtalk" and person.dingtalk_userid:
                return "dingtalk", person.dingtalk_userid
            if channel == "console":
                return "console", person.wecom_userid or person.dingtalk_userid or f"p{person.id}"
        return "console", person.wecom_userid or person.dingtalk_userid or f"p{person.id}"

    def push(
        self,
        people: Person | Iterable[Person],
        text: str = "",
        *,
        key: str | None = None,
        kind: str = "text",
        payload: Mapping[str, Any] | None = None,
    ) -> int:
        """Queue a message to each person; with `key`, a second queue of the same key is a no-op.

        The key is suffixed with the person id, so one key covers one round of a reminder.
        Returns how many messages were newly queued.
        """
        if isinstance(people, Person):
            people = [people]
        count = 0
        for person in people:
            channel, address = self.address_of(person)
            body = dict(payload or {"text": text})
            count += self.push_to(
                channel,
                address,
                body,
                kind=kind,
                key=f"{key}:p{person.id}" if key else None,
                person_id=person.id,
            )
        return count

    def push_to(
        self,
        channel: str,
        address: str,
        payload: Mapping[str, Any],
        *,
        kind: str = "text",
        key: str | None = None,
        person_id: int | None = None,
        sealed: bool = False,
    ) -> int:
        """Queue one message to a raw platform address (e.g. a reporter not on the roster).

        With `sealed`, the address is stored encrypted and opened only by the sender at send time,
        so the outbox never holds a reporter's account in clear.
        """
        body = dict(payload)
        if sealed:
            if self.seal_key is None:
                raise RuntimeError("sealed push without a seal key")
            address = seal(self.seal_key, address)
            body["sealed_address"] = True
        inserted = outbox.insert_message(
            self.session,
            {
                "channel": channel,
                "address": address,
                "person_id": person_id,
                "kind": kind,
                "payload": body,
                "dedupe_key": key,
                "status": outbox.PENDING,
                "attempts": 0,
                "created_at": self.now,
                "next_attempt_at": self.now,
            },
        )
        return int(inserted)

    def local(self, moment: datetime | None = None) -> datetime:
        return (moment or self.now).astimezone(self.tz)


Handler = Callable[[Incoming, Context], "Reply | str | None"]
FlowHandler = Callable[[Incoming, Context, Conversation], "Reply | str | None"]
JobFunc = Callable[[Context], None]


@dataclass(frozen=True)
class Command:
    keyword: str
    func: Handler
    aliases: tuple[str, ...] = ()
    roles: frozenset[Role] | None = None  # None: anyone, including 公众
    usage: str = ""
    hidden: bool = False

    @property
    def help(self) -> str:
        doc = (self.func.__doc__ or "").strip()
        return doc.splitlines()[0] if doc else ""

    def allows(self, roles: frozenset[Role]) -> bool:
        return self.roles is None or bool(self.roles & roles)


@dataclass(frozen=True)
class Flow:
    name: str
    func: FlowHandler
    timeout: timedelta


@dataclass(frozen=True)
class Job:
    id: str
    func: JobFunc
    trigger: str  # "interval" or "cron"
    trigger_args: Mapping[str, Any]


COMMANDS: dict[str, Command] = {}  # keyword or alias -> command
FLOWS: dict[str, Flow] = {}
BUTTONS: dict[str, Handler] = {}  # event key prefix (before ':') -> handler
JOBS: dict[str, Job] = {}


def command(
    keyword: str,
    *,
    aliases: Iterable[str] = (),
    roles: Iterable[Role] | None = None,
    usage: str = "",
    hidden: bool = False,
) -> Callable[[Handler], Handler]:
    """Register a chat command. The function's first docstring line is its help text."""

    def register(func: Handler) -> Handler:
        cmd = Command(
            keyword=keyword,
            func=func,
            aliases=tuple(aliases),
            roles=frozenset(roles) if roles is not None else None,
            usage=usage or keyword,
            hidden=hidden,
        )
        for word in (keyword, *cmd.aliases):
            if word in COMMANDS and COMMANDS[word].func is not func:
                raise ValueError(f"command keyword registered twice: {word}")
            COMMANDS[word] = cmd
        return func

    return register


def flow(name: str, *, timeout: timedelta = timedelta(minutes=30)) -> Callable:
    """Register the function that carries on a multi-turn conversation named `name`."""

    def register(func: FlowHandler) -> FlowHandler:
        FLOWS[name] = Flow(name=name, func=func, timeout=timeout)
        return func

    return register


def button(prefix: str) -> Callable[[Handler], Handler]:
    """Register the handler of card-button and menu clicks whose key starts with `prefix:`."""

    def register(func: Handler) -> Handler:
        BUTTONS[prefix] = func
        return func

    return register


def job(job_id: str, *, trigger: str = "interval", **trigger_args: Any) -> Callable:
    """Register a scheduled job: a plain function of a Context, safe to run twice at once."""

    def register(func: JobFunc) -> JobFunc:
        JOBS[job_id] = Job(id=job_id, func=func, trigger=trigger, trigger_args=trigger_args)
        return func

    return register


_SPLIT = re.compile(r"[\s\u3000]+")
# what people put between words: spaces (full-width too) and Chinese or ASCII punctuation
_PUNCT = "，,：:；;、。.！!？?"
_WORD = re.compile(rf"[^\s\u3000{re.escape(_PUNCT)}]+")
_ARG_SPLIT = re.compile(r"[\s\u3000，,；;、]+")
_EDGE = " \u3000\t\r\n" + _PUNCT


def _rest(text: str) -> str:
    """Arguments after a keyword, without the separator the person put after it."""
    return text.lstrip(_EDGE).rstrip()


def split_command(text: str) -> tuple[Command | None, str]:
    """The command the text starts with (two-word keywords first) and the rest of the text.

    Punctuation counts as a space around the keyword: 「参加，HY12」「月报 查看。」「帮助？」.
    """
    text = text.strip()
    words = []
    for match in _WORD.finditer(text):
        words.append(match)
        if len(words) == 2:
            break
    for n in (2, 1):
        if len(words) >= n:
            word = " ".join(m.group() for m in words[:n])
            if word in COMMANDS:
                return COMMANDS[word], _rest(text[words[n - 1].end() :])
    # keyword glued to its argument, e.g. "参加HY12", "月报查看": the longest keyword wins
    for word in sorted(COMMANDS, key=lambda w: len(w.replace(" ", "")), reverse=True):
        compact = word.replace(" ", "")
        if text.startswith(compact) and (len(text) > len(compact) or compact != word):
            return COMMANDS[word], _rest(text[len(compact) :])
    return None, text


def command_args(msg: Incoming) -> str:
    """The text after the command keyword, for handlers that take arguments."""
    return split_command(msg.text)[1]


def split_args(text: str, maxsplit: int = -1) -> list[str]:
    """Arguments separated by spaces (full-width ones too), commas, semicolons or 、.

    With `maxsplit`, the last part is the free text after the first `maxsplit` arguments and
    keeps its punctuation; the arguments before it lose a trailing 。！？ (「参加 HY12。」).
    """
    text = text.lstrip(_EDGE).rstrip(" \u3000\t\r\n，,；;、")
    if not text:
        return []
    parts = _ARG_SPLIT.split(text, maxsplit=max(maxsplit, 0))  # re: 0 = no limit
    words = len(parts) if maxsplit <= 0 else min(maxsplit, len(parts))
    return [p.rstrip(_PUNCT) if i < words else p for i, p in enumerate(parts)]
