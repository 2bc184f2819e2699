"""Health-check data in, early warning out: 12 months of generated data for 16 街道/镇 with one
planted outbreak and one planted employer cluster; exactly those two signals fire, once."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import datetime

from openpyxl import Workbook, load_workbook

from storage import monitoring as st
from tests.handlers.monitoring.data import (
    CLUSTER_EMPLOYER,
    HEADER,
    OUTBREAK_TOWN,
    month_rows,
)
from tests.support import TZ

OFFICE, HEALTH = "demo-office", "demo-u01-liaison"


def xlsx(rows: list[list]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def send_file(bot, user: str, name: str, content: bytes) -> str:
    return bot.send(user, "", kind="file", file_name=name, file_bytes=content)


def import_month(bot, month: int) -> str:
    rows = [HEADER] + [r.cells() for r in month_rows(2026, month)]
    assert "请发送体检数据文件" in bot.send(HEALTH, f"体检 导入 2026-{month:02d}")
    return send_file(bot, HEALTH, f"2026-{month:02d}.xlsx", xlsx(rows))


def test_a_year_of_data_raises_exactly_the_planted_signals_once(bot, clock):
    pushed = []
    for month in range(1, 13):
        clock.set(datetime(2026 + month // 12, month % 12 + 1, 10, 9, tzinfo=TZ))
        answer = import_month(bot, month)
        assert answer.startswith("已导入体检数据"), answer
        pushed += [p for p in bot.pushes() if "【预警" in p.text]
    with bot.session() as session:
        signals = session.query(st.Signal).order_by(st.Signal.seq).all()
        found = [(s.rule, s.period, s.subject) for s in signals]
    assert [(r, p) for r, p, _ in found] == [("rate", "2026-11"), ("cluster", "2026-11")]
    assert OUTBREAK_TOWN in found[0][2] and "噪声" in found[0][2]
    assert CLUSTER_EMPLOYER in found[1][2]
    # each went once to the office and the convener, with the numbers, the baseline and the reason
    assert {"demo-office", "demo-convener"} <= {p.to for p in pushed}
    assert not any(p.to.endswith("liaison") for p in pushed)
    office = [p.text for p in pushed if p.to == "demo-office"]
    assert len(office) == 2
    assert "异常率" in office[0] and "历史基线" in office[0] and "预警阈值" in office[0]
    assert "90天内疑似职业病≥2例" in office[1]
    # the same file again: recognised, not counted twice, no new signal
    clock.set(datetime(2026, 12, 11, 9, tzinfo=TZ))
    bot.send(HEALTH, "体检 导入 2026-11")
    rows = [HEADER] + [r.cells() for r in month_rows(2026, 11)]
    again = send_file(bot, HEALTH, "again.csv", _csv(rows))
    assert "未重复计入" in again
    assert [p for p in bot.pushes() if "【预警" in p.text] == []
    with bot.session() as session:
        assert session.query(st.HealthImport).count() == 12
    listing = bot.send(OFFICE, "预警")
    assert "YJ1" in listing and "YJ2" in listing


def _csv(rows: list[list]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("gbk")


def test_office_closes_turns_into_item_or_inspection(bot, clock):
    with bot.session() as session, session.begin():
        for n, (rule, key) in enumerate(
            [("severe", "a|矽尘"), ("cluster", "b|苯"), ("rate", "c|噪声")]
        ):
            st.new_signal(session, rule=rule, match_key=key, period="2026-11",
                          subject=f"用人单位「某{n}公司」（马寨镇）·x", reason="r", figures={},
                          status=st.OPEN, created_at=clock(), outcome="")  # fmt: skip
    assert "请写明处置情况" in bot.send(OFFICE, "预警 处置 YJ1")
    assert "已处置" in bot.send(OFFICE, "预警 处置 YJ1 已约谈企业，安排复查")
    assert "已处置" in bot.send(OFFICE, "预警 处置 YJ1 再次")
    assert "已处置" not in bot.send(HEALTH, "预警 处置 YJ2 x")  # a liaison officer may not
    answer = bot.send(OFFICE, "预警 督办 YJ2 牵头 区卫健委；期限 2026-12-31；配合 区应急管理局")
    assert "转督办 DB1" in answer
    assert "DB1" in bot.send(OFFICE, "督办 查看 DB1")
    answer = bot.send(
        OFFICE, "预警 检查 YJ3 参加 区卫健委、区应急管理局；日期 2026-12-10至2026-12-11"
    )
    assert "转联合检查 JC1" in answer, answer
    notices = [p for p in bot.pushes() if "联合检查" in p.text]
    assert {p.to for p in notices} >= {"demo-u01-liaison", "demo-u12-liaison"}
    assert "某2公司" in notices[0].text
    assert bot.send(OFFICE, "预警") == "目前没有未处置的预警。"
    assert "没有找到预警" in bot.send(OFFICE, "预警 处置 YJ99 x")


def test_template_is_an_xlsx_with_the_columns(bot):
    reply = bot.reply(HEALTH, "预警 模板")
    assert reply.documents
    doc = next(p for p in bot.pushes() if p.document).document
    path = bot.services.settings.files_path / doc.path
    header = [c.value for c in next(load_workbook(path).active.iter_rows())]
    assert header[:5] == ["体检机构", "用人单位", "街道/镇", "行业", "危害因素"]


def test_only_health_units_and_office_import(bot):
    assert "只有联席会议办公室和负责体检数据的单位" in bot.send("demo-u09-liaison", "体检 导入")
    assert "请发送体检数据文件" in bot.send(OFFICE, "体检 导入 2026-10")


def test_rows_already_imported_from_another_file_refuse_the_file(bot, clock):
    clock.set(datetime(2026, 11, 10, 9, tzinfo=TZ))
    assert import_month(bot, 10).startswith("已导入体检数据")
    october = month_rows(2026, 10)
    late = replace(october[0], employer="新开张机械有限公司")  # a row October's file lacked
    # October's file again with one row more: a different file, but 66 rows counted twice
    bot.send(HEALTH, "体检 导入 2026-10")
    merged = [HEADER, *(r.cells() for r in october), late.cells()]
    answer = send_file(bot, HEALTH, "2026-10-补报.xlsx", xlsx(merged))
    assert f"文件中有{len(october)}行（共{len(october) + 1}行）已经导入过" in answer, answer
    first = october[0]
    assert f"第2行（{first.institution}／{first.employer}／{first.hazard}／2026-10）" in answer
    assert "已在「2026-10.xlsx」中（11月10日 9:00导入）" in answer and "整份文件未导入" in answer
    with bot.session() as session:
        assert session.query(st.HealthImport).count() == 1
        assert session.query(st.HealthRecord).count() == len(october)
    # the dialogue waits for a corrected file: the new row alone goes in
    answer = send_file(bot, HEALTH, "2026-10-补报.xlsx", xlsx([HEADER, late.cells()]))
    assert answer.startswith("已导入体检数据1行"), answer
