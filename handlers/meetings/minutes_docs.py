"""Word files of the minutes: reading a received .docx, and writing the frozen signed-off copy.

The signed-off copy carries everything an archive needs to stand on its own (GB/T 18894's
"背景信息"): the meeting, who attended or sent a delegate, each unit's co-sign and opinion, who
signed it off and when, and to whom it was issued and reported.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

from docx import Document as WordDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.exceptions import PackageNotFoundError
from docx.shared import Pt

from handlers.core import UserError
from handlers.meetings import minutes_text as M
from storage.meetings import Meeting, MeetingMinutes, MinutesSignature

MAX_DOCX_BYTES = 10 * 1024 * 1024


def docx_text(content: bytes) -> str:
    """The paragraphs (and table cells) of a .docx as plain text; a clear error if it is not one."""
    if len(content) > MAX_DOCX_BYTES:
        raise UserError(M.DOCX_TOO_BIG)
    try:
        doc = WordDocument(io.BytesIO(content))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError):
        raise UserError(M.DOCX_UNREADABLE) from None
    lines = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            lines.append("\t".join(cell.text for cell in row.cells))
    text = "\n".join(lines).strip()
    if not text:
        raise UserError(M.DOCX_EMPTY)
    return text


@dataclass(frozen=True)
class SignedMinutes:
    """What the frozen copy shows, already formatted by the handler."""

    org_name: str
    meeting: Meeting
    minutes: MeetingMinutes
    when: str
    attendance: list[str]
    signatures: list[MinutesSignature]
    signed_off_by: str
    signed_off_on: str
    sign_times: dict[int, str]
    confidential: bool


def minutes_docx(data: SignedMinutes) -> bytes:
    doc = WordDocument()
    style = doc.styles["Normal"]
    style.font.size = Pt(12)
    if data.confidential:
        _para(doc, M.CONFIDENTIAL_MARK, bold=True, align=WD_ALIGN_PARAGRAPH.RIGHT)
    _para(doc, M.minutes_heading(data.org_name, data.meeting), bold=True, size=18, center=True)
    _para(doc, M.minutes_number_line(data.meeting, data.minutes), center=True)
    _para(doc, M.minutes_meta(data.meeting, data.when))
    _para(doc, "参会情况：" + "；".join(data.attendance))
    doc.add_heading("会议纪要", level=2)
    for line in data.minutes.text.splitlines():
        doc.add_paragraph(line)
    _signature_table(doc, data)
    _para(doc, M.signoff_line(data.signed_off_by, data.signed_off_on))
    if data.minutes.signoff_note:
        _para(doc, data.minutes.signoff_note)
    _para(doc, M.distribution_line(data.meeting))
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _signature_table(doc, data: SignedMinutes) -> None:
    doc.add_heading("会签记录", level=2)
    if not data.signatures:
        doc.add_paragraph(M.NO_COSIGNERS)
        return
    table = doc.add_table(rows=1, cols=3)
    table.style = "Table Grid"
    for cell, head in zip(table.rows[0].cells, ("单位", "会签意见", "时间"), strict=True):
        cell.text = head
    for sign in data.signatures:
        row = table.add_row().cells
        row[0].text = sign.unit.name
        row[1].text = sign.status + (f"：{sign.opinion}" if sign.opinion else "")
        row[2].text = data.sign_times.get(sign.unit_id, "")


def _para(doc, text: str, *, bold=False, size=None, center=False, align=None) -> None:
    para = doc.add_paragraph()
    run = para.add_run(text)
    run.bold = bold
    if size:
        run.font.size = Pt(size)
    if center:
        para.alignment = WD_ALIGN_PARAGRAPH.CENTER
    elif align is not None:
        para.alignment = align
