"""帮助, 我是谁 and the welcome shown when someone opens the app."""

from __future__ import annotations

from handlers import core
from handlers.core import Command, Context, Incoming, Role, command


def _visible_commands(roles: frozenset[Role]) -> list[Command]:
    seen: dict[int, Command] = {}
    for cmd in core.COMMANDS.values():
        if cmd.allows(roles) and not cmd.hidden:
            seen.setdefault(id(cmd.func), cmd)
    return sorted(seen.values(), key=lambda c: (c.roles is not None, c.keyword))


@command("帮助", aliases=["help", "？", "?", "菜单"])
def show_help(msg: Incoming, ctx: Context) -> str:
    """列出您可以使用的指令。"""
    roles = ctx.sender.roles
    lines = [f"{ctx.org_name}联络机器人", f"您的身份：{'、'.join(sorted(r.value for r in roles))}"]
    lines.append("可用指令：")
    for cmd in _visible_commands(roles):
        lines.append(f"· {cmd.usage} — {cmd.help}")
    lines.append("多步操作中随时发送「取消」可退出。")
    return "\n".join(lines)


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
