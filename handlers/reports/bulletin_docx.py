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
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.text.paragraph import Paragraph

from handlers.reports import text as T
from handlers.reports.calendar import Period, Quarter
from handlers.reports.chart import submissions_chart
from handlers.reports.status import UnitMonth, counts
from storage.reports import SECTION_FIELDS, SECTIONS

RED = RGBColor(0xC0, 0x00, 0x00)
TITLE_FONT, BODY_FONT, HEAD_FONT, SUB_FONT = "方正小标宋简体", "仿宋_GB2312", "黑体", "楷体_GB2312"
SHADES = {T.ON_TIME: "C6EFCE", T.LATE: "FFEB9C", T.MISSING: "FFC7CE", T.PENDING: "EDEDED"}
TABLE_PT = 12  # the table's font size: a CJK character is this wide
TEXT_WIDTH_TWIPS = int((210 - 28 - 26) / 25.4 * 1440)  # A4 less the margins
CN_NUMBERS = "一二三四五六七八九十"


@dataclass(frozen=True)
class BulletinContent:
    org_name: str
    year: int
    number: int | None  # None: a draft, numbered when published
    quarter: Quarter
    issued: date
    periods: list[Period]
    grid: list[list[UnitMonth]]  # one row per unit (roster order), one cell per month
    main_to: str = "各成员单位"
    copy_to: str = "区人民政府办公室"

    @property
    def open_periods(self) -> list[Period]:
        """The months whose deadline has not passed (a unit without a report is not 未报)."""
        return [
            p
            for i, p in enumerate(self.periods)
            if any(r[i].status == T.PENDING for r in self.grid)
        ]


def open_note(periods: list[Period]) -> str:
    months = "、".join(f"{p.month}月" for p in periods)
    return f"{months}月报尚未截止，尚未报送的单位不计为未报，本期内容可能不完整。"


def cn_number(n: int) -> str:
    """1 → 一, 12 → 十二, 23 → 二十三, 105 → 一百零五, 112 → 一百一十二 (unit headings)."""
    if n <= 10:
        return CN_NUMBERS[n - 1]
    if n < 100:
        tens, ones = divmod(n, 10)
        head = "" if tens == 1 else CN_NUMBERS[tens - 1]
        return head + "十" + (CN_NUMBERS[ones - 1] if ones else "")
    if n >= 1000:
        return str(n)
    hundreds, rest = divmod(n, 100)
    head = CN_NUMBERS[hundreds - 1] + "百"
    if rest == 0:
        return head
    if rest < 10:
        return head + "零" + CN_NUMBERS[rest - 1]
    return head + ("一" if rest < 20 else "") + cn_number(rest)


# name: (font, size pt, bold, red, centred, first-line indent)
STYLES = {
    "简报单位名": (TITLE_FONT, 22, False, True, True, False),
    "简报报头": (TITLE_FONT, 42, True, True, True, False),
    "简报期号": (BODY_FONT, 16, False, False, True, False),
    "简报编印": (BODY_FONT, 14, False, False, True, False),
    "简报大标题": (TITLE_FONT, 22, False, False, True, False),
    "简报正文": (BODY_FONT, 16, False, False, False, True),
    "简报一级标题": (HEAD_FONT, 16, False, False, False, False),
    "简报二级标题": (SUB_FONT, 16, True, False, False, False),
    "简报图注": (SUB_FONT, 12, False, False, True, False),
    "简报表格": (BODY_FONT, 12, False, False, True, False),
    "简报表头": (BODY_FONT, 12, True, False, True, False),
    "简报版记": (BODY_FONT, 14, False, False, False, False),
}


def _add_styles(doc) -> None:
    """Paragraph styles carry the fonts once, instead of every run (fast for 500 units)."""
    for name, (font, size, bold, red, centred, indent) in STYLES.items():
        style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = doc.styles["Normal"]
        style.font.name, style.font.size, style.font.bold = font, Pt(size), bold
        style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)
        if red:
            style.font.color.rgb = RED
        if centred:
            style.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
        if indent:
            style.paragraph_format.first_line_indent = Pt(size * 2)


def _p_element(text: str, style: str):
    """A `<w:p>` with its style and text built directly: python-docx's setters search the style
    table and the sibling order on every call, which is quadratic for a 500-unit bulletin."""
    p, ppr, pstyle = OxmlElement("w:p"), OxmlElement("w:pPr"), OxmlElement("w:pStyle")
    pstyle.set(qn("w:val"), style)  # style ids equal the names added in _add_styles
    ppr.append(pstyle)
    p.append(ppr)
    run = OxmlElement("w:r")
    for index, line in enumerate(text.split("\n")):
        if index:
            run.append(OxmlElement("w:br"))
        t = OxmlElement("w:t")
        t.set(qn("xml:space"), "preserve")
        t.text = line
        run.append(t)
    p.append(run)
    return p


def _para(doc, text: str, style: str = "简报正文") -> Paragraph:
    p = _p_element(text, style)
    doc.element.body.sectPr.addprevious(p)
    return Paragraph(p, doc._body)


def _rule(paragraph, color: str = "C00000", where: str = "bottom", size: int = 12) -> None:
    """A horizontal line under (or over) a paragraph: the red rule of the 版头, the 版记 lines."""
    borders = OxmlElement("w:pBdr")
    line = OxmlElement(f"w:{where}")
    for key, value in (("val", "single"), ("sz", str(size)), ("space", "1"), ("color", color)):
        line.set(qn(f"w:{key}"), value)
    borders.append(line)
    paragraph._p.get_or_add_pPr().append(borders)


def _shade(tc, fill: str) -> None:
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    tc.get_or_add_tcPr().append(shading)


def build_bulletin(content: BulletinContent) -> bytes:
    """The bulletin's .docx bytes."""
    doc = Document()
    _add_styles(doc)
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
    footer.add_run("— ")
    _page_field(footer)
    footer.add_run(" —")


def _page_field(paragraph) -> None:
    run = paragraph.add_run()
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
    _para(doc, content.org_name, "简报单位名")
    _para(doc, "工作简报", "简报报头")
    number = f"第{content.number}期" if content.number else "第　期（草稿，期号在印发时确定）"
    _para(doc, f"{content.year}年{number}", "简报期号")
    issued = content.issued
    line = _para(
        doc,
        f"{content.org_name}办公室编印\u3000\u3000\u3000"
        f"{issued.year}年{issued.month}月{issued.day}日",
        "简报编印",
    )
    _rule(line, size=18)


def _overview(doc, content: BulletinContent) -> None:
    total = counts(cell for row in content.grid for cell in row)
    filed = total[T.ON_TIME] + total[T.LATE]
    due = len(content.grid) * len(content.periods) - total[T.PENDING]
    _para(doc, f"{content.quarter.label}各成员单位工作情况", "简报大标题")
    note = open_note(content.open_periods) if content.open_periods else ""
    _para(
        doc,
        f"根据联席会议信息通报机制，现将{content.quarter.label}各成员单位报送的月度工作动态、"
        f"主要活动和重大事项进展情况汇总如下。本季度已截止月份应报{due}份，"
        f"实报{filed}份（按时{total[T.ON_TIME]}份、迟交{total[T.LATE]}份），"
        f"未报{total[T.MISSING]}份。{note}",
    )


def _body(doc, content: BulletinContent) -> None:
    number = 0
    for row in content.grid:
        filed = [c for c in row if c.report is not None]
        if not filed:
            continue
        number += 1
        _para(doc, f"{cn_number(number)}、{row[0].unit.name}", "简报一级标题")
        for index, (section, field) in enumerate(zip(SECTIONS, SECTION_FIELDS, strict=True)):
            _para(doc, f"（{CN_NUMBERS[index]}）{section}", "简报二级标题")
            texts = [(c.period, getattr(c.report, field)) for c in filed]
            texts = [(p, t) for p, t in texts if t != "无"]
            if not texts:
                _para(doc, "本季度无。")
            for period, text in texts:
                _para(doc, f"{period.month}月：{text}")


def _timeliness(doc, content: BulletinContent) -> None:
    _para(doc, "附：各单位月报报送情况", "简报一级标题")
    table = doc.add_table(rows=len(content.grid) + 1, cols=len(content.periods) + 2)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    rows = table._tbl.tr_lst  # raw rows: _Row.cells rebuilds the whole grid on every call
    _fit_columns(table, rows, [row[0].unit.name for row in content.grid], len(content.periods))
    _row_flags(rows)
    header = ["序号", "单位", *(f"{p.month}月" for p in content.periods)]
    for tc, text in zip(rows[0].tc_lst, header, strict=True):
        _cell_text(tc, text, "简报表头")
    for number, (tr, cells) in enumerate(zip(rows[1:], content.grid, strict=True), 1):
        values = [str(number), cells[0].unit.name]
        values += [f"迟交{c.late_days}天" if c.late_days else c.status for c in cells]  # 未截止 too
        for index, (tc, text) in enumerate(zip(tr.tc_lst, values, strict=True)):
            _cell_text(tc, text, "简报表格")
            if index >= 2:
                _shade(tc, SHADES[cells[index - 2].status])
    doc.add_picture(io.BytesIO(submissions_chart(content.periods, content.grid)), width=Mm(140))
    doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
    pending = "；灰色：未截止" if content.open_periods else ""
    _para(
        doc,
        f"图1  本季度各月月报报送情况（绿色：按时；黄色：迟交；红色：未报{pending}；单位：个）",
        "简报图注",
    )


def _row_flags(rows) -> None:
    """The header row repeats on every page; no row is split across a page break."""
    for index, tr in enumerate(rows):
        props = tr.get_or_add_trPr()
        props.append(OxmlElement("w:cantSplit"))
        if index == 0:
            props.append(OxmlElement("w:tblHeader"))


def _fit_columns(table, rows, names: list[str], months: int) -> None:
    """序号 narrow, 单位 as wide as the longest name (up to half the page), months share the rest."""
    char = TABLE_PT * 20  # twips per CJK character
    number = 3 * char
    unit = min(max((max(map(len, names), default=4) + 1) * char, 6 * char), TEXT_WIDTH_TWIPS // 2)
    month = max((TEXT_WIDTH_TWIPS - number - unit) // max(months, 1), 4 * char)
    widths = [number, unit] + [month] * months
    table.autofit = False  # a fixed layout: Word keeps these widths
    for col, width in zip(table._tbl.tblGrid.gridCol_lst, widths, strict=True):
        col.set(qn("w:w"), str(width))
    for tr in rows:
        for tc, width in zip(tr.tc_lst, widths, strict=True):
            tc_w = tc.get_or_add_tcPr().get_or_add_tcW()
            tc_w.set(qn("w:type"), "dxa")
            tc_w.set(qn("w:w"), str(width))


def _cell_text(tc, text: str, style: str) -> None:
    empty = tc.p_lst[0]
    empty.addprevious(_p_element(text, style))
    tc.remove(empty)


def _missing(doc, content: BulletinContent) -> None:
    _para(doc, "未报送单位", "简报一级标题")
    lines = []
    for row in content.grid:
        months = [f"{c.period.month}月" for c in row if c.status == T.MISSING]
        if months:
            lines.append(f"{row[0].unit.name}（{'、'.join(months)}）")
    done = (
        "本季度已截止的月份各成员单位均已报送。"
        if content.open_periods
        else "本季度各成员单位均已报送。"
    )
    _para(doc, "、".join(lines) + "。" if lines else done)
    if content.open_periods:
        _para(doc, open_note(content.open_periods))


def _colophon(doc, content: BulletinContent) -> None:
    """The 版记: 主送 and 抄送 between thin rules, then the issuing office and date."""
    first = _para(doc, f"主送：{content.main_to}。", "简报版记")
    _rule(first, color="000000", where="top", size=8)
    _para(doc, f"抄送：{content.copy_to}。", "简报版记")
    issued = content.issued
    last = _para(
        doc,
        f"{content.org_name}办公室\u3000\u3000{issued.year}年{issued.month}月{issued.day}日印发",
        "简报版记",
    )
    _rule(last, color="000000", size=8)
