"""意见汇总 ZQ3: a .docx with one annex-3 修改意见反馈表 per asked unit (the seed's layout), and an
.xlsx overview, for the office. A unit that stayed silent shows 未反馈 (not 同意)."""

from __future__ import annotations

import io

from docx import Document as WordDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from handlers.core import Context, Incoming, Reply, Role, UserError, command, command_args
from handlers.followup import comments_text as T
from handlers.followup import common as c
from handlers.followup.comments import FIELDS, ROLES
from handlers.xlsx_style import finish_workbook
from storage import followup as st
from storage.documents import save_document

XLSX_HEAD = ["序号", "单位名称", "反馈情况", "修改意见", "反馈时间"] + [
    f"{role}{field}" for role in ROLES for field in FIELDS
]


def opinion_cell(reply: st.CommentReply) -> str:
    if reply.status == st.ANSWERED:
        return reply.opinion
    if reply.status == st.NO_OPINION:
        return "无"
    return T.REPLY_STATE[reply.status]


def _form(reply: st.CommentReply) -> dict:
    empty = {role: dict.fromkeys(FIELDS, "") for role in ROLES}
    return {**empty, "单位名称": reply.unit.name, **(reply.form or {})}


@command("意见汇总", roles={Role.OFFICE}, usage="意见汇总 ZQ3")
def summarize(msg: Incoming, ctx: Context) -> Reply:
    """汇总征求意见的反馈：每个单位一张修改意见反馈表（.docx）和一览表（.xlsx）。"""
    number, _ = c.number_and_rest(command_args(msg), "意见汇总 ZQ3")
    row = st.round_by_number(ctx.session, number)
    if row is None:
        raise UserError(T.no_round(number))
    replies = st.replies(ctx.session, row.id)
    docs = []
    for filename, content in (
        (f"{row.number}修改意见汇总.docx", _docx(ctx, row, replies)),
        (f"{row.number}反馈一览表.xlsx", _xlsx(ctx, row, replies)),
    ):
        doc = save_document(
            ctx.session,
            ctx.files_root,
            kind="征求意见",
            subject=row.number,
            filename=filename,
            content=content,
            now=ctx.now,
            created_by=c.actor_id(ctx),
        )
        docs.append(doc.id)
    counts = {k: sum(r.status == k for r in replies) for k in T.REPLY_STATE}
    return Reply(text=T.summary_reply(row.number, counts), documents=docs)


def _docx(ctx: Context, row: st.CommentRound, replies: list[st.CommentReply]) -> bytes:
    doc = WordDocument()
    head = doc.add_paragraph()
    head.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = head.add_run(f"《{row.title}》修改意见汇总（{row.number}）")
    run.bold, run.font.size = True, Pt(16)
    silent = sum(r.status in (st.SILENT, st.PENDING) for r in replies)
    doc.add_paragraph(
        f"征求{len(replies)}个单位意见，截止{T.full(row.due)}；已反馈{len(replies) - silent}个，"
        f"未反馈{silent}个（未反馈的单位记为未反馈，不视为同意）。"
    )
    for reply in replies:
        title = doc.add_paragraph()
        title.alignment = WD_ALIGN_PARAGRAPH.CENTER
        title.add_run("修改意见反馈表").bold = True
        _annex3(doc, reply)
        doc.add_paragraph()
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _annex3(doc, reply: st.CommentReply) -> None:
    """The seed's annex 3: 单位名称（加盖公章）, 修改意见, then 分管领导 and 联络员 with two rows each."""
    form = _form(reply)
    table = doc.add_table(rows=6, cols=5)
    table.style = "Table Grid"
    for r, (label, value) in enumerate(
        (("单位名称", f"{form['单位名称']}（加盖公章）"), ("修改意见", opinion_cell(reply)))
    ):
        cells = table.rows[r].cells
        cells[0].text = label
        merged = cells[1].merge(cells[4])
        merged.text = value
    for n, role in enumerate(ROLES):
        top, bottom = table.rows[2 + 2 * n].cells, table.rows[3 + 2 * n].cells
        top[0].merge(bottom[0]).text = role
        person = form.get(role) or {}
        for cells, pair in ((top, FIELDS[:2]), (bottom, FIELDS[2:])):
            cells[1].text, cells[2].text = pair[0], person.get(pair[0], "")
            cells[3].text, cells[4].text = pair[1], person.get(pair[1], "")


def _xlsx(ctx: Context, row: st.CommentRound, replies: list[st.CommentReply]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = row.number
    sheet.append(XLSX_HEAD)
    for n, reply in enumerate(replies, start=1):
        form = _form(reply)
        when = ctx.local(reply.answered_at).strftime("%Y-%m-%d %H:%M") if reply.answered_at else ""
        people = [(form.get(role) or {}).get(f, "") for role in ROLES for f in FIELDS]
        status = T.REPLY_STATE[reply.status]
        sheet.append([n, reply.unit.name, status, opinion_cell(reply), when, *people])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True)
    sheet.column_dimensions["B"].width = 24
    sheet.column_dimensions["D"].width = 60
    sheet.freeze_panes = "C2"
    finish_workbook(book)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
