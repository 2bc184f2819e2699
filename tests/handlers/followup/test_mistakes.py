"""Bad input gets a clear Chinese answer and changes nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from storage import followup as st
from tests.handlers.followup.helpers import FINANCE, OFFICE, RS, UNION, at, liaison


def counts(bot) -> tuple[int, int, int]:
    with bot.session() as session:
        return tuple(
            session.scalar(select(func.count()).select_from(t))
            for t in (st.FollowupItem, st.FollowupEvent, st.CommentReply)
        )


def test_bad_input_changes_nothing(bot):
    created = bot.send(OFFICE, "督办 新建 开展工伤保险专项检查；牵头 区人社局；期限 2026-12-31")
    assert "已立项 DB1" in created
    before = counts(bot)
    cases = [
        (liaison(RS), "进展 DB99 已开展", "没有找到您单位可以报告进展的事项「DB99」"),
        (liaison(UNION), "进展 DB1 已开展", "没有找到您单位可以报告进展的事项「DB1」"),
        (liaison(FINANCE), "办结申请 DB1 完成", "没有找到您单位可以申请办结的事项「DB1」"),
        (OFFICE, "督办 新建 某事项；牵头 区人社局；期限 2026-01-05", "已经过去"),
        (OFFICE, "督办 新建 某事项；牵头 区不存在局；期限 2026-12-05", "没有找到成员单位"),
        (OFFICE, "督办 新建 某事项；牵头 区人社局；期限 下个月", "无法识别期限"),
        (OFFICE, "督办 办结 DB1", "尚未申请办结"),
        (OFFICE, "督办 办结 DB77", "没有找到事项「DB77」"),
        (OFFICE, "督办 通报 2026-13", "月份格式"),
        (liaison(RS), "办结申请 DB1", "不能为空"),
        (liaison(RS), "意见 ZQ5 无", "没有找到征求意见「ZQ5」"),
        (liaison(RS), "检查记录 JC4 某公司 问题：无", "没有找到联合检查「JC4」"),
    ]
    for user, text, expected in cases:
        assert expected in bot.send(user, text), text
    assert counts(bot) == before

    # a file that is not a .docx inside, an empty and an oversize progress report
    assert "请发送DB1的进展情况" in bot.send(liaison(RS), "进展 DB1")
    fake = bot.send(liaison(RS), "", kind="file", file_name="进展.docx", file_bytes=b"PK\x03\x04no")
    assert "不是有效的 .docx 文件" in fake
    assert "不能为空" in bot.send(liaison(RS), "   ")
    assert "太长" in bot.send(liaison(RS), "字" * 50000)
    bot.send(liaison(RS), "取消")
    assert counts(bot) == before

    # a 进展 on a closed item
    bot.send(liaison(RS), "办结申请 DB1 已完成")
    bot.send(OFFICE, "督办 办结 DB1")
    assert "已办结，不能再报告进展" in bot.send(liaison(RS), "进展 DB1 补充")


def test_bad_opinions_change_nothing(bot):
    bot.send(OFFICE, "征求意见")
    bot.send(OFFICE, "实施方案")
    bot.send(OFFICE, "正文：一、总体要求")
    bot.send(OFFICE, "区人社局")
    assert "已经过去" in bot.send(OFFICE, "2026-11-01")
    bot.send(OFFICE, "2026-11-30")
    assert "ZQ1" in bot.send(OFFICE, "确认")
    before = counts(bot)
    assert "请发送对ZQ1的修改意见" in bot.send(liaison(RS), "意见 ZQ1")
    assert "不能为空" in bot.send(liaison(RS), "")
    assert "太长" in bot.send(liaison(RS), "改" * 50000)
    fake = bot.send(liaison(RS), "", kind="file", file_name="意见.docx", file_bytes=b"not a zip")
    assert "不是有效的 .docx 文件" in fake
    assert "只接收 .docx" in bot.send(
        liaison(RS), "", kind="file", file_name="a.pdf", file_bytes=b"%PDF"
    )
    bot.send(liaison(RS), "取消")
    assert "没有找到征求意见「ZQ1」" in bot.send(liaison(UNION), "意见 ZQ1 无")
    with bot.session() as session:
        assert [r.status for r in st.replies(session, 1)] == [st.PENDING]
    assert counts(bot) == before
    bot.clock.set(at(12, 1, 0, 1))
    assert "已于11月30日截止" in bot.send(liaison(RS), "意见 ZQ1 无")


def test_help_lists_the_commands_by_role(bot):
    office = bot.send(OFFICE, "帮助")
    assert "【督办与征求意见】" in office
    for word in ("督办 新建", "督办 立项", "督办 通报", "征求意见", "意见汇总", "联合检查 新建"):
        assert word in office
    unit = bot.send(liaison(RS), "帮助")
    assert "进展" in unit and "办结申请" in unit and "检查记录" in unit and "意见" in unit
    assert "督办 新建" not in unit and "意见汇总" not in unit
