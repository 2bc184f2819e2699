"""What a newcomer types first: greetings, question marks, HELP, and help on one family."""

from __future__ import annotations

import pytest

WORKER = "wx-worker-7"  # not on the roster: a worker who came to report


@pytest.mark.parametrize("greeting", ["你好", "您好", "hi", "Hi", "hello", "你好！"])
def test_a_worker_greeting_learns_how_to_report(bot, greeting):
    answer = bot.send(WORKER, greeting)
    assert "\n" not in answer.strip()  # one paragraph
    assert "「举报」" in answer and "「查询 编号 查询码」" in answer
    assert "没有识别" not in answer


@pytest.mark.parametrize(
    ("user", "says"),
    [
        ("demo-u09-liaison", "「月报」"),
        ("demo-u09-leader", "分管领导"),
        ("demo-office", "「待办」"),
        ("demo-director", "「同意公开 会议号」"),
        ("demo-convener", "「签发 会议号」"),
    ],
)
def test_a_member_greeting_is_about_their_role(bot, user, says):
    answer = bot.send(user, "您好")
    assert "\n" not in answer.strip()
    assert says in answer and "「帮助」" in answer


@pytest.mark.parametrize(
    "ask",
    [
        "?",
        "？",
        "HELP",
        "help",
        "帮助",
        "帮助？",
    ],
)
def test_question_marks_and_help_in_any_case_show_help(bot, ask):
    assert "您的身份：办公室" in bot.send("demo-office", ask)


def test_help_on_a_family_lists_its_commands(bot):
    answer = bot.send("demo-office", "帮助 简报")
    assert "简报 生成" in answer and "简报 发布" in answer
    assert "没有「简报」这条指令" not in answer


@pytest.mark.parametrize("text", ["xq这是什么", "。。"])
def test_a_hint_does_not_offer_the_unrecognised_text_back(bot, text):
    answer = bot.send("demo-office", text)
    assert f"您是不是要：{text}" not in answer and "「帮助」" in answer
