"""What a new office ran into (issue 9): voiding a draft, months still open in the bulletin, its
table across pages, months out of range, chasing one unit, and 催报 right after a reminder."""

from __future__ import annotations

from datetime import datetime

import docx
from docx.oxml.ns import qn

from handlers.reports import text as T
from tests.support import TZ

OFFICE = "demo-office"
RS = "demo-u09-liaison"


def at(bot, *moment: int) -> None:
    bot.clock.set(datetime(*moment, tzinfo=TZ))


def file(bot, user: str, period: str) -> str:
    bot.send(user, f"月报 {period} 工作动态：宣传；主要活动：培训；重大事项进展：无")
    return bot.send(user, "确认")


def office_files(bot) -> list:
    return [p for p in bot.pushes(OFFICE) if p.kind == "file"]


def test_a_draft_can_be_voided_and_generated_again(bot):
    at(bot, 2026, 11, 23, 9)
    bot.send(OFFICE, "简报 生成 2026Q3")
    assert bot.send(OFFICE, "简报 作废 2026Q3") == T.VOIDED.format(
        issue="2026年第三季度简报草稿", quarter="2026Q3"
    )
    assert "没有找到" in bot.send(OFFICE, "简报 发布 2026Q3")
    assert bot.send(OFFICE, "简报 列表") == T.EMPTY_LIST
    reply = bot.send(OFFICE, "简报 生成 2026Q3")
    assert "草稿已生成" in reply and T.DRAFT_REPLACED not in reply
    assert "草稿（11月23日 9:00生成）" in bot.send(OFFICE, "简报 列表")
    assert "仅限办公室" in bot.send(RS, "简报 作废 2026Q3")


def test_open_months_are_not_counted_as_missing_and_the_document_says_so(bot):
    at(bot, 2026, 11, 25, 10)
    assert "已提交" in file(bot, RS, "2026-11")
    at(bot, 2026, 11, 30, 9)  # October closed (6 Nov); November open until 7 Dec
    reply = bot.reply(OFFICE, "简报 生成 2026Q4")
    assert "未报32份" in reply.text  # October only, not November's 31
    assert "2026年11月、2026年12月月报尚未截止" in reply.text
    (push,) = office_files(bot)
    document = docx.Document(bot.services.settings.files_path / push.document.path)
    text = "\n".join(p.text for p in document.paragraphs)
    assert "11月、12月月报尚未截止，尚未报送的单位不计为未报" in text
    assert "未报32份" in text and "灰色：未截止" in text
    assert "区教育局（10月）" in text and "区教育局（10月、11月" not in text
    rows = [[c.text for c in row.cells] for row in document.tables[0].rows]
    assert rows[9] == ["9", "区人社局", "未报", "按时", "未截止"]
    assert rows[4] == ["4", "区教育局", "未报", "未截止", "未截止"]


def test_the_timeliness_table_repeats_its_header_keeps_rows_whole_and_fits_unit_names(bot):
    at(bot, 2026, 11, 23, 9)
    bot.send(OFFICE, "简报 生成 2026Q3")
    (push,) = office_files(bot)
    table = docx.Document(bot.services.settings.files_path / push.document.path).tables[0]
    rows = table._tbl.tr_lst
    assert rows[0].trPr.find(qn("w:tblHeader")) is not None
    assert all(tr.trPr.find(qn("w:cantSplit")) is not None for tr in rows)
    longest = max(len(tr.tc_lst[1].xpath("string(.)")) for tr in rows[1:])
    widths = {int(tr.tc_lst[1].tcPr.tcW.get(qn("w:w"))) for tr in rows}
    assert len(widths) == 1 and widths.pop() >= longest * 12 * 20  # 12 pt characters, in twips


def test_download_without_a_number_gives_the_download_example(bot):
    assert bot.send(RS, "简报 下载") == T.ASK_ISSUE.format(usage="简报 下载 2026年第1期")
    assert bot.send(OFFICE, "简报 作废") == T.ASK_ISSUE.format(usage="简报 作废 2026Q3")


def test_months_before_the_first_or_more_than_one_ahead_are_refused(bot):
    at(bot, 2026, 11, 23, 9)
    assert bot.send(RS, "月报 2027-01") == T.TOO_FAR.format(period="2027年1月", latest="2026年12月")
    assert bot.send(OFFICE, "报送情况 2027-03").startswith("2027年3月还没有到")
    assert "将于12月20日开放填报" in bot.send(RS, "月报 2026-12")
    bot.services.settings.extra["LIAISON_REPORT_FIRST_PERIOD"] = "2026-09"
    assert bot.send(RS, "月报 2026-08") == T.BEFORE_FIRST.format(
        period="2026年8月", first="2026年9月"
    )
    assert bot.send(OFFICE, "催报 2026-08").startswith("2026年8月早于")
    assert "开始填报" in bot.send(RS, "月报 2026-09")


def test_chase_one_unit(bot):
    at(bot, 2026, 11, 23, 9)
    reply = bot.send(OFFICE, "催报 人社局")
    assert reply == T.CHASED.format(units=1, people=1, period="2026年11月")
    pushes = bot.pushes()
    assert [p.to for p in pushes] == [RS] and "区人社局2026年11月月报尚未报送" in pushes[0].text
    file(bot, RS, "2026-11")
    at(bot, 2026, 11, 23, 9, 5)
    assert bot.send(OFFICE, "催报 2026-11 区人社局") == T.CHASE_UNIT_FILED.format(
        unit="区人社局", period="2026年11月"
    )
    assert bot.send(OFFICE, "催报 火星局").startswith("没有找到单位")


def test_chase_right_after_an_automatic_round_says_when_and_asks_to_confirm(bot):
    at(bot, 2026, 12, 3, 9)  # the 'two working days before' round
    bot.run_job("reports.remind")
    assert len([p for p in bot.pushes() if ":before:" in p.dedupe_key]) == 32
    at(bot, 2026, 12, 3, 9, 40)
    reply = bot.send(OFFICE, "催报")
    assert reply == T.CHASE_RECENT.format(when="12月3日 9:00", period="2026年11月")
    assert bot.pushes() == []
    assert bot.send(OFFICE, "好的") == T.CHASE_CONFIRM_HINT
    assert bot.send(OFFICE, "确认") == T.CHASED.format(units=32, people=32, period="2026年11月")
    assert len(bot.pushes()) == 32
    at(bot, 2026, 12, 3, 9, 45)
    bot.send(OFFICE, "催报")
    assert bot.send(OFFICE, "取消") and bot.pushes() == []
    at(bot, 2026, 12, 3, 11, 30)  # two hours on: no question
    assert "发出催报" in bot.send(OFFICE, "催报")
