"""督办 通报 YYYY-MM: the monthly .docx listing, unit by unit, the items that were overdue in the
month (still open past the deadline, or closed after it), for the office to review and send
(seed 附件1 四(六): 对工作不力的单位进行通报)."""

from __future__ import annotations

import io
import re
from calendar import monthrange
from datetime import date

from docx import Document as WordDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from handlers.core import Context, Incoming, Reply, Role, UserError, command, command_args
from handlers.followup import common as c
from handlers.followup import text as T
from storage import followup as st
from storage.documents import save_document

HEADERS = ("编号", "督办事项", "办理期限", "超期（工作日）", "目前状态")


def overdue_in(ctx: Context, item: st.FollowupItem, first: date, last: date) -> bool:
    """Was the item past its deadline and not yet closed on some day of [first, last]?"""
    closed = ctx.local(item.closed_at).date() if item.closed_at else None
    start = max(first, item.due.fromordinal(item.due.toordinal() + 1))
    end = min(last, closed) if closed else last
    return start <= end


@command("督办 通报", roles={Role.OFFICE}, usage="督办 通报 2026-12")
def monthly_bulletin(msg: Incoming, ctx: Context) -> Reply:
    """生成某月的督办通报（.docx），按单位列出超期事项。"""
    match = re.fullmatch(r"(\d{4})\s*[-年./]\s*(\d{1,2})\s*月?", command_args(msg).strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise UserError(T.BAD_MONTH)
    year, month = int(match.group(1)), int(match.group(2))
    first, last = date(year, month, 1), date(year, month, monthrange(year, month)[1])
    today = ctx.local().date()
    rows = [
        i for i in st.items(ctx.session, st.FollowupItem.prefix == st.DECIDED)
        if overdue_in(ctx, i, first, min(last, today))
    ]  # fmt: skip
    content = _docx(ctx, f"{year}年{month}月", rows, min(last, today))
    doc = save_document(
        ctx.session,
        ctx.files_root,
        kind="督办通报",
        subject=f"{year}-{month:02d}",
        filename=f"督办通报{year}年{month}月.docx",
        content=content,
        now=ctx.now,
        created_by=c.actor_id(ctx),
    )
    return Reply(text=T.bulletin_reply(f"{year}年{month}月", len(rows)), documents=[doc.id])


def _docx(ctx: Context, label: str, rows: list[st.FollowupItem], as_of: date) -> bytes:
    doc = WordDocument()
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run(f"{ctx.org_name}联席会议督办通报（{label}）")
    run.bold, run.font.size = True, Pt(16)
    by_unit: dict[str, list[st.FollowupItem]] = {}
    for item in rows:
        by_unit.setdefault(item.lead_unit.name, []).append(item)
    doc.add_paragraph(
        f"根据联席会议议定事项的督办情况，截至{T.full(as_of)}，{label}共有{len(rows)}项督办事项超期，"
        f"涉及{len(by_unit)}个牵头单位。"
        if rows
        else f"{label}无超期事项。"
    )
    for unit, items in by_unit.items():
        doc.add_paragraph(f"{unit}（{len(items)}项）").runs[0].bold = True
        table = doc.add_table(rows=1, cols=len(HEADERS))
        table.style = "Table Grid"
        for cell, head in zip(table.rows[0].cells, HEADERS, strict=True):
            cell.text = head
        for item in items:
            days = c.overdue_days(ctx, item, None if item.closed_at else as_of)
            state = "已办结（超期办结）" if item.status == st.CLOSED else T.STATE[item.status]
            values = (item.number, item.title, T.full(item.due), str(days), state)
            for cell, value in zip(table.add_row().cells, values, strict=True):
                cell.text = value
    doc.add_paragraph("请上述单位分管领导督促落实，尽快办结。")
    doc.add_paragraph(f"{ctx.org_name}联席会议办公室（区卫健委代章）")
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
