"""帮助, 我是谁 and the welcome shown when someone opens the app.

The overview lists keywords grouped by domain, short enough for one passive WeCom reply
(2048 bytes); `帮助 <指令>` gives the usage and description of one command.
"""

from __future__ import annotations

from handlers import core
from handlers.core import Command, Context, Incoming, Role, command, command_args

# domain package → group title, in the order shown; a new domain adds one line
GROUPS = (
    (("handlers.reports.",), "月报与简报"),
    (("handlers.referrals.",), "举报与转办"),
    (("handlers.meetings.",), "会议与纪要"),
    (("handlers.followup.",), "督办与征求意见"),
    (("handlers.",), "通用"),
)


def _visible_commands(roles: frozenset[Role]) -> list[Command]:
    seen: dict[int, Command] = {}
    for cmd in core.COMMANDS.values():
        if cmd.allows(roles) and not cmd.hidden:
            seen.setdefault(id(cmd.func), cmd)
    return list(seen.values())


def _group_of(cmd: Command) -> str:
    module = cmd.func.__module__
    return next(title for prefixes, title in GROUPS if module.startswith(prefixes))


def _overview(ctx: Context) -> str:
    roles = ctx.sender.roles
    grouped: dict[str, list[str]] = {title: [] for _, title in GROUPS}
    for cmd in _visible_commands(roles):
        grouped[_group_of(cmd)].append(cmd.keyword)
    for words in grouped.values():  # a family ("月报", "月报 查看") together, its base first
        heads = list(dict.fromkeys(w.split()[0] for w in words))
        words.sort(key=lambda w: (heads.index(w.split()[0]), len(w.split())))
    lines = [f"{ctx.org_name}联络机器人", f"您的身份：{'、'.join(sorted(r.value for r in roles))}"]
    lines += [f"【{title}】{'、'.join(words)}" for title, words in grouped.items() if words]
    lines.append(
        "发送「帮助 指令」查看用法，如「帮助 "
        + _example(grouped)
        + "」；多步操作中发送「取消」可退出。"
    )
    return "\n".join(lines)


def _example(grouped: dict[str, list[str]]) -> str:
    for words in grouped.values():
        if words:
            return words[0]
    return "我是谁"


@command("帮助", aliases=["help", "？", "?", "菜单"], usage="帮助 [指令]")
def show_help(msg: Incoming, ctx: Context) -> str:
    """列出您可以使用的指令；「帮助 指令」查看某条指令的用法。"""
    topic = command_args(msg)
    if not topic:
        return _overview(ctx)
    cmd, _ = core.split_command(topic)
    if cmd is None or cmd.hidden:
        return f"没有「{topic}」这条指令。发送「帮助」查看您可以使用的指令。"
    who = "所有人" if cmd.roles is None else "、".join(sorted(r.value for r in cmd.roles))
    lines = [f"用法：{cmd.usage}", cmd.help, f"适用：{who}"]
    if cmd.aliases:
        lines.append(f"也可以发送：{'、'.join(cmd.aliases)}")
    if not cmd.allows(ctx.sender.roles):
        lines.append("（您当前的身份不能使用这条指令。）")
    return "\n".join(line for line in lines if line)


@command("我是谁", aliases=["身份"])
def who_am_i(msg: Incoming, ctx: Context) -> str:
    """查看您在名单中的姓名、单位和角色。"""
    sender = ctx.sender
    if sender.person is None:
        return (
            f"您（{msg.user_id}）不在联席会议名单中，按公众身份使用："
            "可以发送「举报」反映职业病危害问题，或「查询 编号 查询码」查看办理进度。"
        )
    lines = [f"姓名：{sender.person.name}"]
    if sender.person.title:
        lines.append(f"职务：{sender.person.title}")
    for appt in sender.appointments:
        lines.append(f"单位：{appt.unit.name}　角色：{appt.role}")
    if not sender.appointments:
        lines.append("目前没有在任的角色。")
    return "\n".join(lines)


@command("欢迎", hidden=True)
def welcome(msg: Incoming, ctx: Context) -> str:
    """进入应用时的欢迎语。"""
    who = ctx.sender.person.name if ctx.sender.person else "您"
    return f"{who}好，这里是{ctx.org_name}联络机器人。发送「帮助」查看可用指令。"
