"""A joint inspection with two units and three employers, through 整改 to the summary."""

from __future__ import annotations

import io

from docx import Document as WordDocument
from openpyxl import load_workbook

from tests.handlers.followup.helpers import OFFICE, RS, at, document_path, drain, leader, liaison

SAFETY = "12"  # 区应急管理局


def test_joint_inspection_to_rectification_and_summary(bot):
    assert "主题" in bot.send(OFFICE, "联合检查 新建")
    bot.send(OFFICE, "2026年冬季尘肺病防治联合执法检查")
    assert "已经过去" not in bot.send(OFFICE, "2026-11-30至2026-12-02")
    bot.send(OFFICE, "区应急管理局、区人社局")
    bot.send(OFFICE, "马寨镇、淮河路")
    preview = bot.send(OFFICE, "郑州甲机械有限公司、乙石材厂、丙家具有限公司")
    assert "参加单位：区应急管理局、区人社局" in preview
    assert "已建立联合检查 JC1" in bot.send(OFFICE, "确认")
    notices = drain(bot)
    assert {p.to for p in notices} == {liaison(u) for u in (SAFETY, RS)} | {
        leader(u) for u in (SAFETY, RS)
    }

    bot.clock.set(at(11, 30, 16))
    saved = bot.send(
        liaison(SAFETY),
        "检查记录 JC1 郑州甲机械有限公司 问题：打磨岗位未设置职业病危害警示标识；"
        "依据：《职业病防治法》第二十四条；期限：2026-12-11",
    )
    assert "整改事项 ZG1" in saved
    saved = bot.send(
        liaison(RS),
        "检查记录 JC1 乙石材厂 问题：未组织接尘劳动者在岗期间职业健康检查；"
        "依据：《职业病防治法》第三十五条；期限：2026-12-04",
    )
    assert "整改事项 ZG2" in saved
    assert "未发现问题" in bot.send(liaison(RS), "检查记录 JC1 丙家具有限公司 问题：无")

    # 整改 items are followed like decided items: ZG2 runs late and its leader hears once
    bot.clock.set(at(12, 7, 9, 5))
    bot.run_job("followup.deadlines")
    bot.run_job("followup.deadlines")
    overdue = [p for p in drain(bot) if "ZG2" in p.text]
    assert leader(RS) in {p.to for p in overdue}
    assert len([p for p in overdue if p.to == leader(RS)]) == 1
    assert "整改完成" in bot.send(liaison(SAFETY), "整改 完成 ZG1 已设置警示标识，复查合格")
    assert "不是整改事项" not in bot.send(liaison(RS), "整改 完成 ZG2 已补做职业健康检查")
    assert "ZG1" in bot.send(liaison(SAFETY), "督办 查看 ZG1")

    bot.clock.set(at(12, 8, 10))
    reply = bot.reply(OFFICE, "联合检查 汇总 JC1")
    assert "发现问题的用人单位2家" in reply.text and "整改均已完成" in reply.text
    report_path, _ = document_path(bot, reply.documents[0])
    report = WordDocument(io.BytesIO(report_path.read_bytes()))
    body = "\n".join(p.text for p in report.paragraphs)
    assert "实际检查3家，发现问题的2家" in body and "已完成整改2项" in body
    cells = [c.text for r in report.tables[0].rows for c in r.cells]
    assert "丙家具有限公司" in cells and "ZG2" in cells
    xlsx_path, name = document_path(bot, reply.documents[1])
    rows = list(load_workbook(xlsx_path).active.iter_rows(min_row=2, values_only=True))
    assert name.endswith(".xlsx") and [r[1] for r in rows] == ["郑州甲机械有限公司", "乙石材厂"]
    assert rows[0][6] == "区应急管理局" and "第二十四条" in rows[0][5]
    assert "JC1" in bot.send(liaison(RS), "联合检查")
