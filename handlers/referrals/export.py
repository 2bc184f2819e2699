"""`案件 导出 [YYYY]`: the year's cases as a spreadsheet for the office's records and 考核.

The export holds case facts, the handling units, deadlines and outcomes; the reporter's account
and contact are never in it (only whether a contact was left).
"""

from __future__ import annotations

import io
import unicodedata
from datetime import datetime

from openpyxl import Workbook
from openpyxl.styles import Font

from handlers.core import Context, Incoming, Reply, Role, UserError, command, command_args
from handlers.referrals import text as tx
from handlers.referrals.cases import end_of, unit_name
from handlers.xlsx_style import finish_workbook
from storage import referrals as st
from storage.documents import save_document

HEADER = [
    "编号",
    "登记时间",
    "用人单位",
    "地址/街道",
    "属地",
    "危害类型",
    "反映情况",
    "状态",
    "承办单位",
    "签收期限",
    "反馈期限",
    "签收时间",
    "反馈时间",
    "办结时间",
    "承办单位反馈",
    "办结结论/不予受理理由",
    "反馈是否超期",
    "留有联系方式",
]


def _when(ctx: Context, moment: datetime | None) -> str:
    return f"{ctx.local(moment):%Y-%m-%d %H:%M}" if moment else ""


def _late(ctx: Context, case: st.ReferralCase) -> str:
    if case.answer_due is None:
        return ""
    answered = case.answered_at or ctx.now
    return "是" if answered >= end_of(ctx, case.answer_due) else "否"


def _row(ctx: Context, case: st.ReferralCase) -> list[str]:
    return [
        case.number,
        _when(ctx, case.created_at),
        case.employer,
        case.place,
        case.street,
        case.hazard,
        case.description,
        tx.STATUS[case.status],
        unit_name(ctx, case.unit_id) if case.unit_id else "",
        f"{case.sign_due or ''}",
        f"{case.answer_due or ''}",
        _when(ctx, case.signed_at),
        _when(ctx, case.answered_at),
        _when(ctx, case.closed_at),
        case.result,
        case.conclusion,
        _late(ctx, case),
        "是" if case.has_contact else "否",
    ]


def workbook_bytes(ctx: Context, cases: list[st.ReferralCase], year: int) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = f"{year}年举报"
    sheet.append(HEADER)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for case in cases:
        sheet.append(_row(ctx, case))
    sheet.freeze_panes = "A2"
    finish_workbook(book)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@command("案件 导出", roles={Role.OFFICE}, usage="案件 导出 [YYYY]")
def export_cases(msg: Incoming, ctx: Context) -> Reply:
    """导出某年全部举报的办理情况（Excel，不含举报人信息）。"""
    arg = unicodedata.normalize("NFKC", command_args(msg)).strip().removesuffix("年")
    if arg and not (arg.isdigit() and len(arg) == 4):
        raise UserError("年份格式应为 YYYY，例如「案件 导出 2026」。")
    year = int(arg) if arg else ctx.local().year
    start = datetime(year, 1, 1, tzinfo=ctx.tz)
    cases = st.cases_of_year(ctx.session, start, start.replace(year=year + 1))
    content = workbook_bytes(ctx, cases, year)
    person = ctx.sender.person
    doc = save_document(
        ctx.session,
        ctx.files_root,
        kind="导出",
        subject=f"举报{year}",
        filename=f"举报办理情况{year}.xlsx",
        content=content,
        now=ctx.now,
        created_by=person.id if person else None,
    )
    return Reply(text=f"已导出{year}年举报{len(cases)}件，文件随后发送。", documents=[doc.id])
