"""The quarterly bulletin: compiled from the quarter's reports into a numbered .docx, published
to every member unit's people once, then frozen, and kept for download."""

from __future__ import annotations

from datetime import datetime

import docx
import pytest

from handlers.reports import text as T
from tests.support import TZ

OFFICE = "demo-office"


def file(bot, nn: str, period: str, moment: tuple, text: str) -> None:
    bot.clock.set(datetime(*moment, tzinfo=TZ))
    user = f"demo-u{nn}-liaison"
    bot.send(user, f"月报 {period} 工作动态：{text}动态；主要活动：{text}活动；重大事项进展：无")
    assert "已提交" in bot.send(user, "确认")


@pytest.fixture
def quarter(bot):
    """Q3 2026: 区卫健委 files every month on time; 区人社局 July late, August never, September on time."""
    file(bot, "01", "2026-07", (2026, 8, 3, 10), "卫健七月")
    file(bot, "01", "2026-08", (2026, 9, 2, 10), "卫健八月")
    file(bot, "01", "2026-09", (2026, 10, 9, 10), "卫健九月")
    file(bot, "09", "2026-07", (2026, 8, 12, 10), "人社七月")  # July deadline: Fri 7 Aug
    file(bot, "09", "2026-09", (2026, 10, 13, 10), "人社九月")  # 国庆: deadline Tue 13 Oct
    bot.clock.set(datetime(2026, 11, 23, 9, tzinfo=TZ))
    bot.pushes()
    return bot


def open_docx(bot, push) -> docx.document.Document:
    return docx.Document(bot.services.settings.files_path / push.document.path)


def generate(bot, quarter: str = "2026Q3"):
    reply = bot.reply(OFFICE, f"简报 生成 {quarter}")
    files = [p for p in bot.pushes(OFFICE) if p.kind == "file"]
    return reply, files


def publish(bot, issue: str = "2026Q3") -> str:
    reply = bot.send(OFFICE, f"简报 发布 {issue}")
    while bot.pushes():
        pass
    return reply


def test_generate_compiles_a_bulletin_docx_numbered_when_published(quarter):
    bot = quarter
    reply, files = generate(bot)
    assert "《联席会议工作简报》草稿（2026年第三季度）" in reply.text
    assert "按时4份、迟交1份" in reply.text and len(files) == 1
    assert "「简报 发布 2026Q3」" in reply.text and "「简报 作废 2026Q3」" in reply.text
    draft = "\n".join(p.text for p in open_docx(bot, files[0]).paragraphs)
    assert "期号在印发时确定" in draft and "第1期" not in draft
    assert publish(bot) == T.PUBLISHED.format(issue="2026年第1期", people=64)
    bot.send(OFFICE, "简报 下载 2026年第1期")
    (kept,) = bot.pushes(OFFICE)
    assert kept.document.filename == "联席会议工作简报2026年第1期.docx"
    document = open_docx(bot, kept)
    text = "\n".join(p.text for p in document.paragraphs)
    assert bot.services.settings.org_name in text and "工作简报" in text
    assert "2026年第1期" in text and "办公室编印" in text and "2026年11月23日" in text
    assert "一、区卫健委" in text and "二、区人社局" in text and "三、" not in text.split("附：")[0]
    assert "（一）工作动态" in text and "7月：卫健七月动态" in text and "9月：人社九月活动" in text
    assert text.index("一、区卫健委") < text.index("二、区人社局")  # roster order
    assert "区人社局（8月）" in text and "区教育局（7月、8月、9月）" in text
    assert "主送：各成员单位" in text and "抄送：区人民政府办公室" in text and "印发" in text
    rows = [[c.text for c in row.cells] for row in document.tables[0].rows]
    assert rows[0] == ["序号", "单位", "7月", "8月", "9月"]
    assert rows[1] == ["1", "区卫健委", "按时", "按时", "按时"]
    assert rows[9] == ["9", "区人社局", "迟交5天", "未报", "按时"]
    assert len(rows) == 33 and len(document.inline_shapes) == 1  # the chart


def test_numbers_are_given_in_publishing_order_not_drafting_order(quarter):
    bot = quarter
    generate(bot, "2026Q4")  # drafted first, before Q3
    reply, _ = generate(bot)
    assert "第1期" not in reply.text
    reply, _ = generate(bot)
    assert T.DRAFT_REPLACED in reply.text
    assert "2026年第1期" in publish(bot, "2026Q3")
    bot.clock.set(datetime(2027, 1, 20, 9, tzinfo=TZ))
    generate(bot, "2026Q4")
    assert "2026年第2期" in publish(bot, "2026年第四季度")
    listing = bot.send(OFFICE, "简报 列表")
    assert "2026年第1期（2026Q3）已印发 2026年11月23日" in listing
    assert "2026年第2期（2026Q4）已印发 1月20日" in listing


def test_publish_pushes_summary_and_file_to_every_member_once_then_freezes(quarter):
    bot = quarter
    generate(bot)
    reply = bot.send(OFFICE, "简报 发布 2026Q3")
    assert reply == T.PUBLISHED.format(issue="2026年第1期", people=64)
    pushes = []
    while batch := bot.pushes():
        pushes += batch
    got = {(p.to, p.kind) for p in pushes}
    assert ("demo-u09-liaison", "text") in got and ("demo-u09-liaison", "file") in got
    assert ("demo-u32-leader", "file") in got and len(pushes) == 128
    assert all(p.document and p.document.kind == "简报" for p in pushes if p.kind == "file")
    assert "不再重复推送" in bot.send(OFFICE, "简报 发布 2026年第1期") and bot.pushes() == []
    assert bot.send(OFFICE, "简报 生成 2026Q3") == T.FROZEN.format(issue="2026年第1期")
    assert bot.send(OFFICE, "简报 作废 2026Q3") == T.VOID_PUBLISHED.format(issue="2026年第1期")


def test_kept_bulletins_can_be_listed_and_downloaded_again(quarter):
    bot = quarter
    generate(bot)
    generate(bot, "2026Q2")
    assert "仅限" not in bot.send("demo-u04-liaison", "简报 列表")
    assert bot.send("demo-u04-liaison", "简报 列表") == T.EMPTY_LIST  # drafts are the office's
    bot.send(OFFICE, "简报 发布 2026Q3")
    while bot.pushes():
        pass
    listing = bot.send("demo-u04-liaison", "简报 列表")
    assert "2026年第1期（2026Q3）已印发" in listing and "第2期" not in listing
    assert "草稿" in bot.send(OFFICE, "简报 列表")
    bot.send("demo-u04-liaison", "简报 下载 第1期")
    again = bot.pushes("demo-u04-liaison")
    assert len(again) == 1 and again[0].document.filename == "联席会议工作简报2026年第1期.docx"
    assert "没有找到" in bot.send("demo-u04-liaison", "简报 下载 2026年第2期")


def test_bad_bulletin_requests_get_a_clear_answer(quarter):
    bot = quarter
    assert "无效" in bot.send(OFFICE, "简报 生成 2026Q5")
    assert bot.send(OFFICE, "简报 生成") == T.ASK_QUARTER
    assert "尚未开始" in bot.send(OFFICE, "简报 生成 2027Q1")
    assert "仅限办公室" in bot.send("demo-u09-liaison", "简报 生成 2026Q3")
    assert "没有找到" in bot.send(OFFICE, "简报 发布 2026年第9期")
    assert bot.send(OFFICE, "简报 列表") == T.EMPTY_LIST


def test_unit_headings_count_in_chinese_numerals():
    from handlers.reports.bulletin_docx import cn_number

    got = [cn_number(n) for n in (1, 10, 12, 20, 23, 100, 105, 112, 120, 500)]
    assert got == [
        "一",
        "十",
        "十二",
        "二十",
        "二十三",
        "一百",
        "一百零五",
        "一百一十二",
        "一百二十",
        "五百",
    ]


def test_a_draft_older_than_a_filing_is_not_published(quarter):
    bot = quarter
    generate(bot)
    bot.clock.advance(hours=1)
    bot.send("demo-u04-liaison", "月报 2026-09 工作动态：补报；主要活动：乙；重大事项进展：无")
    bot.send("demo-u04-liaison", "确认")
    reply = bot.send(OFFICE, "简报 发布 2026Q3")
    assert "草稿已不是最新内容" in reply and "简报 生成 2026Q3" in reply
    assert bot.pushes() == []
    bot.clock.advance(minutes=5)
    generate(bot)
    assert "已印发" in bot.send(OFFICE, "简报 发布 2026Q3")


def test_a_quarter_without_a_year_is_the_latest_such_quarter(quarter, caplog):
    bot = quarter
    caplog.set_level("INFO")
    assert "2026年第三季度" in generate(bot, "Q3")[0].text
    assert "2026年第三季度" in generate(bot, "三季度")[0].text
    assert not [r for r in caplog.records if r.name.startswith("matplotlib")]
    bot.clock.set(datetime(2027, 1, 25, 9, tzinfo=TZ))
    assert "2026年第四季度" in generate(bot, "q4")[0].text
