"""Bad health-check files: a clear Chinese answer naming the row and column; nothing stored."""

from __future__ import annotations

import time

import pytest

from storage import monitoring as st
from tests.handlers.monitoring.data import HEADER
from tests.handlers.monitoring.test_warning import HEALTH, send_file, xlsx

GOOD = ["区职防院", "某机械有限公司", "马寨镇", "机械制造", "噪声", 50, 4, 0, 1, "2026-10-15"]


def _row(**change) -> list:
    row = list(GOOD)
    for index, value in change.items():
        row[int(index[1:])] = value
    return row


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ([HEADER[:5] + HEADER[6:], GOOD], "第1行缺少列：受检人数"),
        ([HEADER, GOOD, _row(c5=-3)], "第3行「受检人数」列：「-3」是负数"),
        ([HEADER, GOOD, _row(c6="五")], "第3行「异常（复查）人数」列：「五」不是整数"),
        ([HEADER, _row(c6=60)], "第2行「异常（复查）人数」列：60人多于受检人数50人"),
        (
            [HEADER, GOOD, GOOD, _row(c9="2026-09-30")],
            "第4行「体检日期」列：2026-09不在本次导入的统计期（2026-10）内",
        ),
        ([HEADER, _row(c9="2026-13-01")], "第2行「体检日期」列：「2026-13-01」不是日期"),
        ([HEADER, _row(c1="")], "第2行「用人单位」列：不能为空"),
        ([HEADER], "文件中没有体检数据"),
    ],
)
def test_bad_file_names_row_and_column_and_stores_nothing(bot, rows, expected):
    bot.send(HEALTH, "体检 导入 2026-10")
    answer = send_file(bot, HEALTH, "bad.xlsx", xlsx(rows))
    assert expected in answer, answer
    assert "未导入任何数据" in answer or "没有体检数据" in answer
    with bot.session() as session:
        assert session.query(st.HealthRecord).count() == 0
        assert session.query(st.HealthImport).count() == 0


def test_not_a_spreadsheet(bot):
    bot.send(HEALTH, "体检 导入 2026-10")
    assert "请发送 .xlsx 或 .csv 文件" in send_file(bot, HEALTH, "a.pdf", b"%PDF")
    assert "无法打开这个 .xlsx 文件" in send_file(bot, HEALTH, "a.xlsx", b"not a zip")


def test_ten_thousand_rows_in_seconds_and_a_bad_last_row(bot):
    rows = [HEADER] + [_row(c1=f"企业{i}") for i in range(10_000)]
    bad = [*rows, _row(c7=99)]
    bot.send(HEALTH, "体检 导入 2026-10")
    assert "第10002行「疑似职业病人数」列" in send_file(bot, HEALTH, "big.xlsx", xlsx(bad))
    start = time.perf_counter()
    answer = send_file(bot, HEALTH, "big.xlsx", xlsx(rows))
    assert "已导入体检数据10000行" in answer, answer
    assert time.perf_counter() - start < 60  # seconds, not minutes, even on a loaded 2-core box
    with bot.session() as session:
        assert session.query(st.HealthRecord).count() == 10_000
