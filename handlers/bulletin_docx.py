"""《联席会议工作简报》 as a .docx in the usual government layout (GB/T 9704 flavoured).

Red title with the org name, 期号, 编印单位 and date over a red rule; the body grouped by unit and by
section; a timeliness table by unit and month; a chart of the quarter's submissions; the units that
did not report; and the 版记 (主送 / 抄送 / 印发). The chart image holds numbers and dates only (no CJK
font is guaranteed on the server); its Chinese caption is document text.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from handlers import reports_text as T
from handlers.reports_calendar import Period, Quarter
from handlers.reports_chart import submissions_chart
from handlers.reports_status import UnitMonth, counts
from storage.reports import SECTION_FIELDS, SECTIONS

RED = RGBColor(0xC0, 0x00, 0x00)
TITLE_FONT, BODY_FONT, HEAD_FONT, SUB_FONT = "方正小标宋简体", "仿宋_GB2312", "黑体", "楷体_GB2312"
SHADES = {T.ON_TIME: "C6EFCE", T.LATE: "FFEB9C", T.MISSING: "FFC7CE"}
CN_NUMBERS = "一二三四五六七八九十"


@dataclass(frozen=True)
class BulletinContent:
    org_name: str
    year: int
    number: int
    quarter: Quarter
    issued: date
    periods: list[Period]
    grid: list[list[UnitMonth]]  # one row per unit (roster order), one cell per month
    main_to: str = "各成员单位"
    copy_to: str = "区人民政府办公室"


def cn_number(n: int) -> str:
    """1 → 一, 12 → 十二, 23 → 二十三 (unit headings in the body)."""
    if n <= 10:
        return CN_NUMBERS[n - 1]
    tens, ones = divmod(n, 10)
    head = "" if tens == 1 else CN_NUMBERS[tens - 1]
    return head + "十" + (CN_NUMBERS[ones - 1] if ones else "")


def _font(run, name: str, size: float, bold: bool = False, color: RGBColor | None = None) -> None:
    run.font.name = name
    run.font.size = Pt(size)
    run.font.bold = bold
    if color is not None:
        run.font.color.rgb = color
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), name)


def _para(doc, text: str, font: str = BODY_FONT, size: float = 16, **kw):
    align = kw.pop("align", None)
    paragraph = doc.add_paragraph()
    if align is not None:
        paragraph.alignment = align
    if kw.pop("indent", False):
        paragraph.paragraph_format.first_line_indent = Pt(size * 2)
    _font(paragraph.add_run(text), font, size, **kw)
    return paragraph


def _rule(paragraph, color: str = "C00000", where: str = "bottom", size: int = 12) -> None:
    """A horizontal line under (or over) a paragraph: the red rule of the 版头, the 版记 lines."""
    borders = OxmlElement("w:pBdr")
    line = OxmlElement(f"w:{where}")
    for key, value in (("val", "single"), ("sz", str(size)), ("space", "1"), ("color", color)):
        line.set(qn(f"w:{key}"), value)
    borders.append(line)
    paragraph._p.get_or_add_pPr().append(borders)


def _shade(cell, fill: str) -> None:
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shading)


def build_bulletin(content: BulletinContent) -> bytes:
    """The bulletin's .docx bytes."""
    doc = Document()
    _page_setup(doc)
    _masthead(doc, content)
    _overview(doc, content)
    _body(doc, content)
    _timeliness(doc, content)
    _missing(doc, content)
    _colophon(doc, content)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _page_setup(doc) -> None:
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(footer.add_run("— "), BODY_FONT, 14)
    _page_field(footer)
    _font(footer.add_run(" —"), BODY_FONT, 14)


def _page_field(paragraph) -> None:
    run = paragraph.add_run()
    _font(run, BODY_FONT, 14)
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._r.append(element)


def _masthead(doc, content: BulletinContent) -> None:
    center = WD_ALIGN_PARAGRAPH.CENTER
    _para(doc, content.org_name, TITLE_FONT, 22, align=center, color=RED)
    _para(doc, "工作简报", TITLE_FONT, 42, align=center, color=RED, bold=True)
    _para(doc, f"{content.year}年第{content.number}期", BODY_FONT, 16, align=center)
    line = _para(
        doc,
        f"{content.org_name}办公室编印\u3000\u3000\u3000{content.issued.year}年"
        f"{content.issued.month}月{content.issued.day}日",
        BODY_FONT,
        14,
        align=center,
    )
    _rule(line, size=18)


def _overview(doc, content: BulletinContent) -> None:
    total = counts(cell for row in content.grid for cell in row)
    filed = total[T.ON_TIME] + total[T.LATE]
    _para(
        doc,
        f"{content.quarter.label}各成员单位工作情况",
        TITLE_FONT,
        22,
        align=WD_ALIGN_PARAGRAPH.CENTER,
    )
    _para(
        doc,
        f"根据联席会议信息通报机制，现将{content.quarter.label}各成员单位报送的月度工作动态、"
        f"主要活动和重大事项进展情况汇总如下。本季度应报{len(content.grid) * len(content.periods)}份，"
        f"实报{filed}份（按时{total[T.ON_TIME]}份、迟交{total[T.LATE]}份），"
        f"未报{total[T.MISSING]}份。",
        indent=True,
    )


def _body(doc, content: BulletinContent) -> None:
    number = 0
    for row in content.grid:
        filed = [c for c in row if c.report is not None]
        if not filed:
            continue
        number += 1
        _para(doc, f"{cn_number(number)}、{row[0].unit.name}", HEAD_FONT, 16)
        for index, (section, field) in enumerate(zip(SECTIONS, SECTION_FIELDS, strict=True)):
            _para(doc, f"（{CN_NUMBERS[index]}）{section}", SUB_FONT, 16, bold=True)
            texts = [(c.period, getattr(c.report, field)) for c in filed]
            texts = [(p, t) for p, t in texts if t != "无"]
            if not texts:
                _para(doc, "本季度无。", indent=True)
            for period, text in texts:
                _para(doc, f"{period.month}月：{text}", indent=True)


def _timeliness(doc, content: BulletinContent) -> None:
    _para(doc, "附：各单位月报报送情况", HEAD_FONT, 16)
    table = doc.add_table(rows=len(content.grid) + 1, cols=len(content.periods) + 2)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    header = ["序号", "单位", *(f"{p.month}月" for p in content.periods)]
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        _cell_text(cell, text, bold=True)
    for number, (row, cells) in enumerate(zip(table.rows[1:], content.grid, strict=True), 1):
        values = [str(number), cells[0].unit.name]
        values += [f"迟交{c.late_days}天" if c.late_days else c.status for c in cells]
        for index, (cell, text) in enumerate(zip(row.cells, values, strict=True)):
            _cell_text(cell, text)
            if index >= 2:
                _shade(cell, SHADES[cells[index - 2].status])
    doc.add_picture(io.BytesIO(submissions_chart(content.periods, content.grid)), width=Mm(140))
    doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
    _para(
        doc,
        "图1  本季度各月月报报送情况（绿色：按时；黄色：迟交；红色：未报；单位：个）",
        SUB_FONT,
        12,
        align=WD_ALIGN_PARAGRAPH.CENTER,
    )


def _cell_text(cell, text: str, bold: bool = False) -> None:
    paragraph = cell.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(paragraph.add_run(text), BODY_FONT, 12, bold=bold)


def _missing(doc, content: BulletinContent) -> None:
    _para(doc, "未报送单位", HEAD_FONT, 16)
    lines = []
    for row in content.grid:
        months = [f"{c.period.month}月" for c in row if c.status == T.MISSING]
        if months:
            lines.append(f"{row[0].unit.name}（{'、'.join(months)}）")
    _para(doc, "、".join(lines) + "。" if lines else "本季度各成员单位均已报送。", indent=True)


def _colophon(doc, content: BulletinContent) -> None:
    """The 版记: 主送 and 抄送 between thin rules, then the issuing office and date."""
    first = _para(doc, f"主送：{content.main_to}。", BODY_FONT, 14)
    _rule(first, color="000000", where="top", size=8)
    _para(doc, f"抄送：{content.copy_to}。", BODY_FONT, 14)
    issued = content.issued
    last = _para(
        doc,
        f"{content.org_name}办公室\u3000\u3000{issued.year}年{issued.month}月{issued.day}日印发",
        BODY_FONT,
        14,
    )
    _rule(last, color="000000", size=8)
