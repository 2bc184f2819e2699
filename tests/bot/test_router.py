"""Routing, roles, hints and conversations, through the same dispatch the platforms use."""

from __future__ import annotations

from datetime import timedelta

import pytest

from handlers.core import (
    Context,
    Conversation,
    Incoming,
    Role,
    UserError,
    command,
    flow,
    split_args,
    split_command,
)
from storage.audit import AuditEntry, record


@command("测试登记", roles={Role.OFFICE}, hidden=True)
def _start_test_flow(msg: Incoming, ctx: Context) -> str:
    """测试用的两步对话。"""
    ctx.start_conversation("测试登记", "名称")
    return "请输入名称"


@flow("测试登记", timeout=timedelta(minutes=10))
def _test_flow(msg: Incoming, ctx: Context, convo: Conversation) -> str:
    if convo.step == "名称":
        if msg.text == "坏":
            raise UserError("名称不能为「坏」，请重新输入")
        convo.data["名称"] = msg.text
        convo.goto("确认")
        return f"名称：{msg.text}，发送「确认」保存"
    if msg.text == "确认":
        record(ctx.session, ctx.now, ctx.sender.name, "测试", convo.data["名称"])
        convo.end()
        return "已保存"
    return "请发送「确认」或「取消」"


def test_help_lists_only_what_the_role_may_use(bot):
    office = bot.send("demo-office", "帮助")
    public = bot.send("stranger", "帮助")
    assert "办公室" in office and "我是谁" in office
    assert "公众" in public
    assert "测试登记" not in office  # hidden commands stay out of help


def test_help_is_short_grouped_and_explains_one_command(bot):
    overview = bot.send("demo-u09-liaison", "帮助")
    assert "【月报与简报】月报、月报 查看" in overview
    assert len(overview.encode()) < 2048  # fits one passive WeCom reply
    detail = bot.send("demo-u09-liaison", "帮助 转办")
    assert "用法：转办 编号 单位" in detail and "您当前的身份不能使用" in detail
    assert "没有「飞行」这条指令" in bot.send("demo-u09-liaison", "帮助 飞行")
    assert len(bot.send("demo-office", "帮助").encode()) < 2048


def test_who_am_i_shows_name_unit_and_role(bot):
    text = bot.send("demo-u09-liaison", "我是谁")
    assert "区人社局联络员（演示）" in text and "区人社局" in text and "联络员" in text
    assert "不在联席会议名单中" in bot.send("stranger", "我是谁")


def test_unknown_text_gets_a_hint_with_the_closest_command(bot):
    assert "您是不是要：帮助" in bot.send("demo-office", "帮主")
    assert "发送「帮助」" in bot.send("demo-office", "今天天气怎么样")


def test_role_refusal_says_why(bot):
    text = bot.send("demo-u09-liaison", "测试登记")
    assert "仅限办公室使用" in text


def test_conversation_survives_a_new_process_and_stores_on_confirm(bot, services, clock):
    assert bot.send("demo-office", "测试登记") == "请输入名称"
    # a second "process": new services on the same database
    from bot.dispatch import Services
    from storage.db import make_engine, make_session_factory

    engine = make_engine(services.settings.database_url)
    other = Services(services.settings, make_session_factory(engine), clock)
    from tests.support import TestBot

    bot2 = TestBot(other, clock)
    assert "名称：甲" in bot2.send("demo-office", "甲")
    assert bot.send("demo-office", "确认") == "已保存"
    with bot.session() as s:
        assert [e.subject for e in s.query(AuditEntry)] == ["甲"]
    engine.dispose()


def test_user_error_keeps_the_step_and_stores_nothing(bot):
    bot.send("demo-office", "测试登记")
    assert "不能为「坏」" in bot.send("demo-office", "坏")
    assert "名称：乙" in bot.send("demo-office", "乙")


def test_cancel_leaves_any_conversation(bot):
    bot.send("demo-office", "测试登记")
    assert "已退出「测试登记」" in bot.send("demo-office", "取消")
    assert "没有识别" in bot.send("demo-office", "确认")
    assert "没有进行中的操作" in bot.send("demo-office", "取消")


def test_conversation_expires(bot, clock):
    bot.send("demo-office", "测试登记")
    clock.advance(minutes=11)
    text = bot.send("demo-office", "帮助")
    assert "已超时" in text and "【通用】帮助" in text


@command("测试崩溃", hidden=True)
def _crash(msg: Incoming, ctx: Context) -> str:
    """测试用：处理中途出错。"""
    record(ctx.session, ctx.now, "x", "测试", "不应保存")
    raise RuntimeError("secret internal detail")


def test_a_crashing_handler_answers_with_an_apology_and_stores_nothing(bot):
    text = bot.send("demo-office", "测试崩溃")
    assert "抱歉" in text and "secret" not in text and "Traceback" not in text
    with bot.session() as s:
        assert s.query(AuditEntry).count() == 0


@command("测试密送", hidden=True)
def _sealed_push(msg: Incoming, ctx: Context) -> str:
    """测试用：向原始地址密封推送。"""
    ctx.push_to(msg.channel, msg.user_id, {"text": "密封推送"}, sealed=True)
    return "ok"


def test_sealed_push_keeps_the_address_out_of_the_outbox_and_still_arrives(bot):
    from storage.outbox import OutboxMessage

    bot.send("worker-13800001111", "测试密送")
    with bot.session() as s:
        (row,) = s.query(OutboxMessage).all()
        assert "13800001111" not in row.address
    (push,) = bot.pushes()
    assert push.to == "worker-13800001111" and push.text == "密封推送"


def test_a_private_push_is_scrubbed_from_the_outbox_once_sent(bot):
    from bot.outbox import SCRUBBED
    from storage.outbox import OutboxMessage

    with bot.session() as s, s.begin():
        ctx = bot.services.context(s)
        ctx.push_to("console", "worker-1", {"text": "查询码 K7M2QX", "private": True}, sealed=True)
    (push,) = bot.pushes()
    assert push.text == "查询码 K7M2QX" and push.to == "worker-1"
    with bot.session() as s:
        (row,) = s.query(OutboxMessage).all()
        assert row.payload["text"] == SCRUBBED and "worker-1" not in row.address


@command("测试另一对话", roles={Role.OFFICE}, hidden=True)
def _start_other_flow(msg: Incoming, ctx: Context) -> str:
    """测试用：开始另一个对话。"""
    ctx.start_conversation("测试另一对话", "内容")
    return "请输入内容"


@flow("测试另一对话")
def _other_flow(msg: Incoming, ctx: Context, convo: Conversation) -> str:
    convo.end()
    return f"收到：{msg.text}"


def test_a_bare_command_mid_conversation_is_run_not_taken_as_the_answer(bot):
    bot.send("demo-office", "测试登记")
    text = bot.send("demo-office", "帮助")
    assert "【通用】帮助" in text and "您还在「测试登记」中" in text
    assert "姓名：" in bot.send("demo-office", "我是谁。")  # punctuation does not hide it
    assert "仅限联络员" in bot.send("demo-office", "月报")  # a refusal keeps the dialogue too
    assert "名称：甲" in bot.send("demo-office", "甲")  # the dialogue went on where it was
    assert bot.send("demo-office", "确认") == "已保存"


def test_a_command_that_starts_a_dialogue_replaces_the_unfinished_one(bot):
    bot.send("demo-office", "测试登记")
    bot.send("demo-office", "甲")
    text = bot.send("demo-office", "测试另一对话")
    assert text.startswith("（已退出未完成的「测试登记」") and "请输入内容" in text
    assert bot.send("demo-office", "确认") == "收到：确认"
    bot.send("demo-office", "测试登记")
    bot.send("demo-office", "乙")
    again = bot.send("demo-office", "测试登记")
    assert "已重新开始「测试登记」" in again and again.endswith("请输入名称")
    assert "名称：丙" in bot.send("demo-office", "丙")


def test_a_command_with_arguments_mid_conversation_is_still_an_answer(bot):
    bot.send("demo-office", "测试登记")
    assert "名称：帮助 我是谁" in bot.send("demo-office", "帮助 我是谁")


def test_an_image_or_voice_gets_a_hint_and_leaves_the_dialogue_alone(bot):
    text = bot.reply("demo-office", "", kind="image").text
    assert "只能识别文字消息" in text and "帮助" in text
    bot.send("demo-office", "测试登记")
    text = bot.reply("demo-office", "", kind="voice").text
    assert "只能识别文字消息" in text and "您还在「测试登记」中" in text
    assert "名称：甲" in bot.send("demo-office", "甲")


def test_a_file_outside_a_dialogue_gets_a_hint_for_the_senders_role(bot):
    office = bot.reply("demo-office", "", kind="file", file_name="a.docx", file_bytes=b"x").text
    liaison = bot.reply("demo-u09-liaison", "", kind="file", file_name="a.docx", file_bytes=b"x")
    assert "纪要 会议号" in office
    assert "纪要" not in liaison.text and "帮助" in liaison.text


@pytest.mark.parametrize(
    ("text", "keyword", "args"),
    [
        ("参加，HY12", "参加", ["HY12"]),
        ("参加：HY12。", "参加", ["HY12"]),
        ("请假，HY12，出差", "请假", ["HY12", "出差"]),
        ("代参　HY12　张三，副局长", "代参", ["HY12", "张三", "副局长"]),
        ("月报查看 2026-10", "月报 查看", ["2026-10"]),
        ("月报查看", "月报 查看", []),
        ("月报 查看，2026-10", "月报 查看", ["2026-10"]),
        ("简报生成2026Q3", "简报 生成", ["2026Q3"]),
        ("帮助？", "帮助", []),
        ("我是谁。", "我是谁", []),
    ],
)
def test_keywords_and_arguments_survive_full_width_punctuation(text, keyword, args):
    cmd, rest = split_command(text)
    assert cmd is not None and cmd.keyword == keyword
    assert split_args(rest) == args


def test_free_text_after_the_arguments_keeps_its_punctuation():
    assert split_args("HY12 家中有事，无法参加。", 1) == ["HY12", "家中有事，无法参加。"]
    assert split_args("HY12。", 1) == ["HY12"]


_conflict_attempts: list[int] = []


@command("测试并发", hidden=True)
def _conflicting(msg: Incoming, ctx: Context) -> str:
    """测试用：第一次运行时撞上另一事务已提交的唯一约束。"""
    from storage.calendar import CalendarYear

    _conflict_attempts.append(1)
    if len(_conflict_attempts) == 1:  # as if a concurrent transaction had committed this row first
        ctx.session.add(CalendarYear(year=2099, source="并发写入"))
        ctx.session.flush()
    record(ctx.session, ctx.now, ctx.sender.name, "测试", "并发后重试")
    return "已完成"


def test_a_unique_conflict_reruns_the_message_instead_of_apologising(bot):
    from storage.calendar import CalendarYear
    from storage.inbound import InboundMessage

    _conflict_attempts.clear()
    with bot.session() as s, s.begin():
        s.add(CalendarYear(year=2099, source="先到的事务"))
    reply = bot.reply("demo-office", "测试并发", dedupe_key="msg:42")
    assert reply.text == "已完成" and len(_conflict_attempts) == 2
    with bot.session() as s:
        assert [e.subject for e in s.query(AuditEntry)] == ["并发后重试"]
        assert s.query(InboundMessage).count() == 1  # the retry recorded the delivery once
    # and a re-delivery of the same message is still a duplicate that changes nothing
    assert bot.reply("demo-office", "测试并发", dedupe_key="msg:42").text == "已完成"
    assert len(_conflict_attempts) == 2
