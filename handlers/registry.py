"""The registries that make "one function = one command": @command, @flow, @button, @job, and the
splitting of a message into keyword and arguments. Re-exported by handlers.core, which handlers
import from; kept apart so the message types and the registry each stay small.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from handlers.core import Context, Conversation, Incoming, Reply, Role

Handler = Callable[["Incoming", "Context"], "Reply | str | None"]
FlowHandler = Callable[["Incoming", "Context", "Conversation"], "Reply | str | None"]
JobFunc = Callable[["Context"], None]
PromptFunc = Callable[["Context", "Conversation"], str]


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
    prompt: PromptFunc | None = None  # the question the dialogue waits on, asked again after
    # a command typed mid-dialogue (the router decides what is a command: docs/architecture.md)


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


def flow(
    name: str, *, timeout: timedelta = timedelta(minutes=30), prompt: PromptFunc | None = None
) -> Callable:
    """Register the function that carries on a multi-turn conversation named `name`.

    `prompt(ctx, convo)` gives the question the dialogue is waiting on at its current step.
    """

    def register(func: FlowHandler) -> FlowHandler:
        FLOWS[name] = Flow(name=name, func=func, timeout=timeout, prompt=prompt)
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
    if text in COMMANDS:  # a keyword that is all punctuation, such as «?»
        return COMMANDS[text], ""
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
