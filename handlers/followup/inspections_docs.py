"""联合检查 (the list), 联合检查 汇总 JC2: the summary report (.docx) and the employers with
violations in a form fit for public notice (.xlsx) — seed 附件1 四(四): 依法进行严肃查处，向社会进行公布."""

from __future__ import annotations

import io

from docx import Document as WordDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from handlers.core import Context, Incoming, Reply, Role, UserError, command, command_args
from handlers.followup import common as c
from handlers.followup import inspections_text as T
from handlers.xlsx_style import finish_workbook
from storage import followup as st
from storage.documents import save_document

NOTICE_HEAD = ["序号", "用人单位", "所在镇街", "检查日期", "违法违规问题", "法律依据", "检查单位",
               "整改期限", "整改情况"]  # fmt: skip
FINDING_HEAD = ("用人单位", "检查单位", "发现的问题", "法律依据", "整改事项", "整改情况")


@command("联合检查", roles={Role.OFFICE, Role.CONVENER, *c.UNIT_ROLES}, usage="联合检查")
def list_inspections(msg: Incoming, ctx: Context) -> str:
    """列出联合检查及其检查、整改进度。"""
    rows = st.inspections(ctx.session)
    if not (ctx.sender.roles & {Role.OFFICE, Role.CONVENER}):
        rows = [r for r in rows if set(r.unit_ids) & c.my_units(ctx)]
    if not rows:
        return "目前没有联合检查。办公室可发送「联合检查 新建」。"
    lines = []
    for row in rows[:20]:
        found = st.findings(ctx.session, row.id)
        items = [ctx.session.get(st.FollowupItem, f.item_id) for f in found if f.item_id]
        open_n = sum(i.status != st.CLOSED for i in items)
        lines.append(
            f"{row.number} {row.subject}（{T.d(row.starts_on, ctx.today())}起）：已记录{len(found)}条，"
            f"整改{len(items)}项，未完成{open_n}项"
        )
    return "\n".join(lines)


@command("联合检查 汇总", roles={Role.OFFICE}, usage="联合检查 汇总 JC2")
def summarize_inspection(msg: Incoming, ctx: Context) -> Reply:
    """生成联合检查总结报告（.docx）和违法用人单位公布名单（.xlsx）。"""
    number, _ = c.number_and_rest(command_args(msg), "联合检查 汇总 JC2")
    row = st.inspection_by_number(ctx.session, number)
    if row is None:
        raise UserError(T.no_inspection(number))
    found = st.findings(ctx.session, row.id)
    items = {f.item_id: ctx.session.get(st.FollowupItem, f.item_id) for f in found if f.item_id}
    docs = []
    for filename, content in (
        (f"{row.number}联合检查总结.docx", _report(ctx, row, found, items)),
        (f"{row.number}违法用人单位名单.xlsx", _notice(ctx, row, found, items)),
    ):
        doc = save_document(ctx.session, ctx.files_root, kind="联合检查", subject=row.number,
                            filename=filename, content=content, now=ctx.now,
                            created_by=c.actor_id(ctx))  # fmt: skip
        docs.append(doc.id)
    violators = {f.employer for f in found if f.item_id}
    open_n = sum(i.status != st.CLOSED for i in items.values())
    return Reply(
        text=T.inspection_summary_reply(row.number, len(violators), open_n), documents=docs
    )


def _state(ctx: Context, item: st.FollowupItem | None) -> str:
    if item is None:
        return "—"
    if item.status == st.CLOSED:
        return f"已整改（{T.full(ctx.local(item.closed_at).date())}）"
    late = c.overdue_days(ctx, item)
    return f"整改中，超期{late}个工作日" if late else "整改中"


def _report(ctx: Context, row: st.Inspection, found, items) -> bytes:
    doc = WordDocument()
    head = doc.add_paragraph()
    head.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = head.add_run(f"{row.subject}总结报告")
    run.bold, run.font.size = True, Pt(16)
    units = "、".join(c.unit_names(ctx, row.unit_ids))
    checked = {f.employer for f in found}
    violators = {f.employer for f in found if f.item_id}
    closed = sum(i.status == st.CLOSED for i in items.values())
    doc.add_paragraph(
        f"{T.full(row.starts_on)}至{T.full(row.ends_on)}，联席会议办公室组织{units}，"
        f"对{'、'.join(row.streets) or '辖区'}的{len(row.employers)}家用人单位开展联合执法检查"
        f"（{row.number}）。实际检查{len(checked)}家，发现问题的{len(violators)}家，"
        f"下达整改{len(items)}项，已完成整改{closed}项。"
    )
    unchecked = [e for e in row.employers if e not in checked]
    if unchecked:
        doc.add_paragraph(f"尚无检查记录的用人单位：{'、'.join(unchecked)}。")
    table = doc.add_table(rows=1, cols=len(FINDING_HEAD))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, FINDING_HEAD, strict=True):
        cell.text = text
    for f in found:
        item = items.get(f.item_id)
        values = (f.employer, f.unit.name, f.problems, f.legal_basis or "—",
                  item.number if item else "—", _state(ctx, item))  # fmt: skip
        for cell, text in zip(table.add_row().cells, values, strict=True):
            cell.text = text
    doc.add_paragraph(
        "对违反法律规定的用人单位，各成员单位依据本行业本部门相关法律法规依法查处，并向社会公布。"
    )
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _notice(ctx: Context, row: st.Inspection, found, items) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "违法用人单位名单"
    sheet.append(NOTICE_HEAD)
    dates = f"{row.starts_on:%Y-%m-%d}至{row.ends_on:%Y-%m-%d}"
    for n, f in enumerate((f for f in found if f.item_id), start=1):
        item = items[f.item_id]
        street = next((s for s in row.streets if s in f.employer), "、".join(row.streets))
        sheet.append([n, f.employer, street, dates, f.problems, f.legal_basis, f.unit.name,
                      f"{item.due:%Y-%m-%d}", _state(ctx, item)])  # fmt: skip
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True)
    for col, width in zip("BEFG", (30, 50, 40, 16), strict=True):
        sheet.column_dimensions[col].width = width
    finish_workbook(book)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
