"""考核 (office): the year's assessment of every member unit as .xlsx and a .docx 通报 draft;
考核 本单位 (liaison officer, leader): one's own unit's figures, never another's."""

from __future__ import annotations

import re

from handlers import dates
from handlers.assessment import documents as D
from handlers.assessment import text as T
from handlers.assessment.figures import CRITERIA, collect
from handlers.assessment.scores import best, poor, score, weights
from handlers.core import Context, Incoming, Reply, Role, UserError, command, command_args
from storage.documents import save_document

UNIT_ROLES = (Role.LIAISON, Role.LEADER)


def _year(ctx: Context, text: str) -> int:
    text = text.strip().removesuffix("年度").removesuffix("年")
    if not text:
        return ctx.local().year
    if not re.fullmatch(r"\d{4}", text) or not 2000 <= int(text) <= ctx.local().year:
        raise UserError(T.BAD_YEAR.format(text=text[:20]))
    return int(text)


@command("考核", roles={Role.OFFICE}, usage=T.USAGE)
def assess(msg: Incoming, ctx: Context) -> Reply:
    """成员单位年度综合考核：各项数据、得分、考核表（.xlsx）和通报草稿（.docx）。"""
    year = _year(ctx, command_args(msg))
    rows = score(ctx, collect(ctx, year))
    top, weak = best(rows), poor(ctx, rows)
    as_of = dates.full_day(ctx.local())
    who = ctx.sender.person.id if ctx.sender.person else None
    files = [
        (f"{year}年度综合考核表.xlsx", D.workbook(year, rows, weights(ctx), as_of)),
        (f"{year}年度综合考核通报（草稿）.docx",
         D.bulletin(ctx.org_name, year, rows, top, weak, as_of)),
    ]  # fmt: skip
    ids = [
        save_document(ctx.session, ctx.files_root, kind="考核表", subject=f"考核{year}",
                      filename=name, content=content, now=ctx.now, created_by=who).id
        for name, content in files
    ]  # fmt: skip
    names = lambda group: [s.figures.unit.name for s in group]  # noqa: E731
    return Reply(text=T.done(year, len(rows), names(top), names(weak)), documents=ids)


@command("考核 本单位", roles=set(UNIT_ROLES), usage=T.MINE_USAGE)
def assess_mine(msg: Incoming, ctx: Context) -> str:
    """查看本单位年度综合考核的各项数据和得分。"""
    year = _year(ctx, command_args(msg))
    units = {u.id: u for r in UNIT_ROLES for u in ctx.sender.units(r)}
    if not units:
        raise UserError(T.NO_UNIT)
    rows = score(ctx, collect(ctx, year))  # ranks need every unit; only one's own is shown
    texts = []
    for s in rows:
        if s.figures.unit.id not in units:
            continue
        lines = [
            T.mine_line(label, s.figures.figures[k].done, s.figures.figures[k].due,
                        s.figures.figures[k].rate, s.scores[k], s.figures.figures[k].facts)
            for k, label in CRITERIA
        ]  # fmt: skip
        scored = sum(o.total is not None for o in rows)
        texts.append(T.mine(year, s.figures.unit.name, lines, s.total, s.rank, scored))
    return "\n\n".join(texts)
