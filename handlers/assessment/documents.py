"""The assessment's files: the .xlsx breakdown per unit and criterion, and the .docx 考核通报 draft
that names the best units and the units 工作不力 with the facts behind each."""

from __future__ import annotations

import io

from docx import Document as WordDocument
from openpyxl import Workbook
from openpyxl.styles import Font

from handlers.assessment import text as T
from handlers.assessment.figures import CRITERIA
from handlers.assessment.scores import Scored
from handlers.xlsx_style import finish_workbook


def workbook(year: int, rows: list[Scored], weights: dict[str, float], as_of: str) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "考核汇总"
    sheet.append([f"{year}年度职业病防治工作综合考核表（统计至{as_of}）"])
    sheet["A1"].font = Font(bold=True)
    head = ["序号", "单位"]
    for _key, label in CRITERIA:
        head += [f"{label} 完成", f"{label} 应完成", f"{label} 比率", f"{label} 得分"]
    sheet.append([*head, "总分", "排名"])
    for n, s in enumerate(rows, start=1):
        line: list = [n, s.figures.unit.name]
        for key, _label in CRITERIA:
            fig = s.figures.figures[key]
            rate = fig.rate
            line += [fig.done, fig.due, T.NA if rate is None else round(rate, 4),
                     T.NA if s.scores[key] is None else s.scores[key]]  # fmt: skip
        line += [T.NA if s.total is None else s.total, s.rank or T.NA]
        sheet.append(line)
    facts = book.create_sheet("扣分事实")
    facts.append(["单位", "考核项", "事实"])
    for s in rows:
        for key, label in CRITERIA:
            for fact in s.figures.figures[key].facts:
                facts.append([s.figures.unit.name, label, fact])
    rules = book.create_sheet("评分说明")
    rules.append(["考核项", "权重", "计算方法"])
    for key, label in CRITERIA:
        rules.append(
            [label, weights[key], "得分 = 权重 × 按期完成数 / 应完成数；无应完成事项为不适用"]
        )
    rules.append(["总分", 100, "适用各项得分之和 ÷ 适用各项权重之和 × 100"])
    finish_workbook(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _facts(s: Scored) -> str:
    parts = []
    for key, label in CRITERIA:
        fig = s.figures.figures[key]
        if fig.rate is not None:
            text = f"{label}{fig.done}/{fig.due}（{T.pct(fig.rate)}）"
            if fig.facts:
                text += "，" + "；".join(fig.facts)
            parts.append(text)
    return "；".join(parts)


def bulletin(org: str, year: int, rows: list[Scored], best: list[Scored], poor: list[Scored],
             as_of: str) -> bytes:  # fmt: skip
    doc = WordDocument()
    doc.add_heading(f"关于{year}年度职业病防治工作综合考核情况的通报（草稿）", level=1)
    doc.add_paragraph("各成员单位：")
    scored = [s for s in rows if s.total is not None]
    average = sum(s.total for s in scored) / len(scored) if scored else 0
    doc.add_paragraph(
        f"根据《{org}规则》“综合考核评估机制”，联席会议办公室对{len(rows)}个成员单位{year}年度"
        f"（统计至{as_of}）的月报报送、转办件签收反馈、会议出席、督办事项、征求意见和整改落实情况进行了"
        f"考核，平均得分{average:.1f}分。现将有关情况通报如下："
    )
    doc.add_heading("一、表现突出的单位", level=2)
    for s in best:
        doc.add_paragraph(f"{s.figures.unit.name}（{s.total:.1f}分，第{s.rank}名）：{_facts(s)}。")
    if not best:
        doc.add_paragraph("无。")
    doc.add_heading("二、工作不力的单位", level=2)
    for s in poor:
        doc.add_paragraph(f"{s.figures.unit.name}（{s.total:.1f}分）：{_facts(s)}。")
    if not poor:
        doc.add_paragraph("无。")
    doc.add_heading("三、下一步要求", level=2)
    doc.add_paragraph(
        "请工作不力的单位对照上述问题认真整改，按时报送月报、按期签收反馈转办件、按期办结督办事项；"
        "各成员单位要进一步落实职业病防治监管责任。"
    )
    doc.add_paragraph("附件：综合考核表（.xlsx）")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
