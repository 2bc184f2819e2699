"""click's own words (usage line, headings, `-h`, mistakes in options) in Chinese.

click marks these strings for gettext (`from gettext import gettext as _` in each module) and ships
no catalogue; installing a compiled .mo for a handful of lines would need a build step, so the
`liaison` command swaps each click module's `_` for a lookup in this table instead. A string not
listed stays in English rather than failing.
"""

from __future__ import annotations

import importlib

import click

ZH = {
    "Usage:": "用法:",
    "Options": "选项",
    "Commands": "命令",
    "Positional arguments": "参数",
    "Show this message and exit.": "显示本帮助并退出。",
    "Error: {message}": "错误：{message}",
    "Try '{command} {option}' for help.": "运行「{command} {option}」查看帮助。",
    "No such command {name!r}.": "没有「{name}」这个命令。",
    "No such option {name!r}.": "没有「{name}」这个选项。",
    "Missing command.": "缺少命令。",
    "Missing argument": "缺少参数",
    "Missing option": "缺少选项",
    "Missing parameter": "缺少参数",
    "Missing parameter: {param_name}": "缺少参数：{param_name}",
    "Invalid value for {param_hint}: {message}": "{param_hint} 的值无效：{message}",
    "Invalid value: {message}": "值无效：{message}",
    "{value!r} is not a valid {number_type}.": "「{value}」不是有效的数值。",
    "{value} is not in the range {range}.": "{value} 不在范围 {range} 内。",
    "default: {default}": "默认：{default}",
    "Aborted!": "已中止。",
    "{name} {filename!r} does not exist.": "{name}「{filename}」不存在。",
    "file": "文件",
    "path": "路径",
    "directory": "目录",
}

ZH_PLURAL = {
    "Did you mean {possibility}?": "您是不是要：{possibility}？",
    "(Did you mean one of: {possibilities}?)": "（您是不是要：{possibilities}？）",
    "Got unexpected extra argument ({args})": "多余的参数：{args}",
    "Got unexpected extra arguments ({args})": "多余的参数：{args}",
    "Option {name!r} requires an argument.": "选项「{name}」需要一个值。",
    "Option {name!r} requires {nargs} arguments.": "选项「{name}」需要 {nargs} 个值。",
}

MODULES = ("click.core", "click.decorators", "click.exceptions", "click.formatting", "click.types")


class Command(click.Command):
    """A command whose usage line reads `[选项]` instead of `[OPTIONS]`."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("options_metavar", "[选项]")
        super().__init__(*args, **kwargs)


class Group(click.Group):
    """A group whose subcommands and subgroups are Chinese too (`命令 [参数]...`)."""

    command_class = Command
    group_class = type  # subgroups: this same class

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("options_metavar", "[选项]")
        kwargs.setdefault("subcommand_metavar", "命令 [参数]...")
        super().__init__(*args, **kwargs)


def gettext(message: str) -> str:
    return ZH.get(message, message)


def ngettext(singular: str, plural: str, n: int) -> str:
    message = singular if n == 1 else plural
    return ZH_PLURAL.get(message, message)


def install() -> None:
    for name in (*MODULES, "click.parser", "click._parser"):
        try:
            module = importlib.import_module(name)
        except ImportError:  # the parser module's name differs between click releases
            continue
        if hasattr(module, "_"):
            module._ = gettext
        if hasattr(module, "ngettext"):
            module.ngettext = ngettext
