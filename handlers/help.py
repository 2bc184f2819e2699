"""帮助, 我是谁, 你好 and the welcome shown when someone opens the app.

The overview lists keywords grouped by domain, short enough for one passive WeCom reply
(2048 bytes); `帮助 <指令>` gives the usage and description of one command, `帮助 简报` every
command of that family. A greeting gets one paragraph about what the sender's role does here:
people who come to say 你好 are often workers who do not know the word 举报 yet.
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
    (("handlers.monitoring.", "handlers.assessment."), "监测预警与考核"),
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


def _family(topic: str, roles: frozenset[Role]) -> str | None:
    """`帮助 简报`: every visible command whose keyword starts with the word, with its usage."""
    members = [
        cmd
        for cmd in _visible_commands(frozenset(Role))
        if cmd.keyword.split()[0] == topic and cmd.keyword != topic
    ]
    if not members:
        return None
    lines = [f"「{topic}」的指令："]
    for cmd in sorted(members, key=lambda c: c.keyword):
        mark = "" if cmd.allows(roles) else "（您当前的身份不能使用）"
        lines.append(f"{cmd.usage}：{cmd.help}{mark}")
    lines.append(f"发送「帮助 {members[0].keyword}」查看一条指令的详细用法。")
    return "\n".join(lines)


@command("帮助", aliases=["help", "HELP", "Help", "？", "?", "菜单"], usage="帮助 [指令]")
def show_help(msg: Incoming, ctx: Context) -> str:
    """列出您可以使用的指令；「帮助 指令」查看某条指令的用法。"""
    topic = command_args(msg)
    if not topic:
        return _overview(ctx)
    cmd, _ = core.split_command(topic)
    if cmd is None or cmd.hidden or (cmd.keyword != topic.strip() and " " not in cmd.keyword):
        family = _family(topic.strip(), ctx.sender.roles)
        if family:
            return family
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


GREETINGS = ["您好", "你好呀", "您好！", "你好！", "hi", "Hi", "HI", "hello", "Hello", "嗨", "在吗"]

ROLE_INTRO = {  # one sentence per role, joined into one paragraph in this order
    Role.OFFICE: (
        "您是联席会议办公室工作人员：「报送情况」看月报进度、「催报」催未报单位、"
        "「简报 生成 2026Q3」汇编简报；「待办」看待受理和待转办的举报；「新建会议」发会议通知。"
    ),
    Role.CONVENER: (
        "您是联席会议召集人：「新建会议」召集会议，「参会情况」看各单位回复，"
        "纪要会签完成后「签发 会议号」。"
    ),
    Role.LEADER: (
        "您是本单位的分管领导：「月报 查看」看本单位月报，「承办」看本单位承办的举报，"
        "会议通知可回复「参加」或「请假」；转办超期时您会收到提醒。"
    ),
    Role.LIAISON: (
        "您是本单位的联络员：每月发送「月报」填报工作情况；办公室转办的举报请「签收」，"
        "办理后「反馈 编号 办理情况」；收到会议通知可回复「参加」「请假」或「代参」。"
    ),
}
PUBLIC_INTRO = (
    "如果您的工作场所有粉尘、噪声、化学毒物、放射、高温等职业病危害，发送「举报」，"
    "按提示说明用人单位、地点和情况即可，您的身份和联系方式加密保存；提交后会得到编号和查询码，"
    "之后发送「查询 编号 查询码」了解办理进度。"
)


@command("你好", aliases=GREETINGS)
def greet(msg: Incoming, ctx: Context) -> str:
    """打个招呼：介绍您在这里能做什么。"""
    from handlers.meetings.base import is_director

    sender = ctx.sender
    who = f"{sender.person.name}，" if sender.person else ""
    parts = [f"{who}您好，这里是{ctx.org_name}联络机器人。"]
    parts += [text for role, text in ROLE_INTRO.items() if role in sender.roles]
    if Role.OFFICE in sender.roles and is_director(sender):
        parts.append("会议文件对外公开须由您「同意公开 会议号」。")
    if len(parts) == 1:
        parts.append(PUBLIC_INTRO)
    parts.append("发送「帮助」查看您可以使用的全部指令。")
    return "".join(parts)
