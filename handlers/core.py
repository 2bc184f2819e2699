"""What every handler shares: message types, roles, the context, and the registries.

Handlers are plain functions `(Incoming, Context) -> Reply | str`; they never see XML, HTTP or a
platform token. The channels in `bot/` translate into these types, and `bot/router.py` finds the
function through the registries (handlers/registry.py, re-exported here). Adding a command touches only its domain module.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from storage import outbox
from storage.roster import Appointment, Person, Unit
from storage.sealing import seal


class Role(enum.StrEnum):
    OFFICE = "办公室"
    GENERAL_CONVENER = "总召集人"  # convenes and chairs the 全体会议 (seed 二、四(一))
    CONVENER = "召集人"
    LIAISON = "联络员"
    DEPUTY = "联络员（B角）"  # acts for the unit while its liaison officers are away (外出)
    LEADER = "分管领导"
    PUBLIC = "公众"


ROSTER_ROLES = (
    Role.OFFICE,
    Role.GENERAL_CONVENER,
    Role.CONVENER,
    Role.LIAISON,
    Role.DEPUTY,
    Role.LEADER,
)


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
        """The channel and user id through which `person` is reached first, by preference."""
        return self.addresses_of(person)[0]

    def addresses_of(self, person: Person) -> list[tuple[str, str]]:
        """Every configured platform on which the roster gives `person` an account (the
        console when none): a person on WeCom and DingTalk is reached on both."""
        accounts = {"wecom": person.wecom_userid, "dingtalk": person.dingtalk_userid}
        found = [(c, accounts[c]) for c in self.push_channels if accounts.get(c)]
        return found or [
            ("console", person.wecom_userid or person.dingtalk_userid or f"p{person.id}")
        ]

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
            queued = 0
            for n, (channel, address) in enumerate(self.addresses_of(person)):
                suffix = f":{channel}" if n else ""  # the first platform keeps the plain key
                queued += self.push_to(
                    channel,
                    address,
                    dict(payload or {"text": text}),
                    kind=kind,
                    key=f"{key}:p{person.id}{suffix}" if key else None,
                    person_id=person.id,
                )
            count += bool(queued)  # a person reached on two platforms counts once
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
        so the outbox never holds a reporter's account in clear. A sealed or private row's text is
        sealed too (a query code, an answer naming the reporter); the drainer opens both to send,
        then scrubs the row once sent or failed for good.
        """
        body = dict(payload)
        if sealed or body.get("private"):
            if self.seal_key is None:
                raise RuntimeError("sealed push without a seal key")
            if sealed:
                address = seal(self.seal_key, address)
                body["sealed_address"] = True
            if isinstance(body.get("text"), str):
                body["text"] = seal(self.seal_key, body["text"])
                body["sealed_text"] = True
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

    def today(self) -> date:
        """The reader's calendar day: messages drop the year of dates that fall in it."""
        return self.local().date()


# the registries live in handlers/registry.py; handlers import everything from here
from handlers.registry import (  # noqa: E402
    BUTTONS,
    COMMANDS,
    FLOWS,
    JOBS,
    Command,
    Flow,
    FlowHandler,
    Handler,
    Job,
    JobFunc,
    button,
    command,
    command_args,
    flow,
    job,
    split_args,
    split_command,
)

__all__ = [
    "BUTTONS",
    "COMMANDS",
    "FLOWS",
    "JOBS",
    "ROSTER_ROLES",
    "SYSTEM",
    "Command",
    "Context",
    "Conversation",
    "Flow",
    "FlowHandler",
    "Handler",
    "Incoming",
    "Job",
    "JobFunc",
    "Reply",
    "Role",
    "Sender",
    "UserError",
    "button",
    "command",
    "command_args",
    "flow",
    "job",
    "split_args",
    "split_command",
]
