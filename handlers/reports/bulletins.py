"""The quarterly 《联席会议工作简报》 (seed annex 1 四(二)): compile, number, publish, keep.

`简报 生成 2026Q3` compiles the quarter's monthly reports into a numbered issue (第N期, numbered per
year) and sends the office the .docx; generating again before publication replaces the draft and
keeps its number. `简报 发布 <期号>` pushes the summary and the file to every member unit's liaison
officers and leaders and freezes the issue. `简报 列表` / `简报 下载` give the kept issues again.
"""

from __future__ import annotations

import re
from datetime import date

from handlers.core import (
    ROSTER_ROLES,
    Context,
    Incoming,
    Reply,
    Role,
    UserError,
    command,
    command_args,
)
from handlers.reports import text as B
from handlers.reports.bulletin_docx import BulletinContent, build_bulletin
from handlers.reports.calendar import Quarter, ReportSchedule
from handlers.reports.status import counts, status_grid
from handlers.workdays import warn_missing_years
from storage import audit
from storage.documents import Document, save_document
from storage.reports import (
    Bulletin,
    all_bulletins,
    bulletin_by_number,
    bulletin_for_quarter,
    last_filing_in,
    next_bulletin_number,
)
from storage.roster import Person, holders_by_unit, member_units

_SHORT_QUARTER = re.compile(r"^(?:[Qq]\s*|第?)([1-4一二三四])(?:季度)?$")
_ISSUE = re.compile(r"^(?:(\d{4})\s*(?:年|-|/)?\s*)?第?\s*(\d{1,3})\s*期?$")


def summary_text(content: BulletinContent) -> str:
    """The short chat summary that goes with the file."""
    total = counts(cell for row in content.grid for cell in row)
    missing = [row[0].unit.name for row in content.grid if any(c.report is None for c in row)]
    shown = "、".join(missing[: B.MAX_LISTED])
    if len(missing) > B.MAX_LISTED:
        shown += B.MORE.format(n=len(missing))
    return B.SUMMARY.format(
        year=content.year,
        number=content.number,
        quarter=content.quarter.label,
        units=sum(any(c.report for c in row) for row in content.grid),
        reports=total[B.ON_TIME] + total[B.LATE],
        on_time=total[B.ON_TIME],
        late=total[B.LATE],
        missing=total[B.MISSING],
        missing_units=shown or B.NONE_MISSING,
    )


@command("简报 生成", roles={Role.OFFICE}, usage="简报 生成 2026Q3")
def generate_bulletin(msg: Incoming, ctx: Context) -> Reply:
    """把某季度各单位月报汇编为一期《联席会议工作简报》（.docx）。"""
    quarter = parse_quarter(command_args(msg), ctx.local().date())
    schedule = ReportSchedule(ctx)
    periods = quarter.periods()
    if not schedule.is_open(periods[0], ctx.now):
        raise UserError(B.NOT_STARTED.format(quarter=quarter.label))
    existing = bulletin_for_quarter(ctx.session, str(quarter))
    if existing is not None and existing.published_at is not None:
        raise UserError(B.FROZEN.format(issue=issue_name(existing)))
    number = existing.number if existing else next_bulletin_number(ctx.session, quarter.year)
    content = BulletinContent(
        org_name=ctx.org_name,
        year=quarter.year,
        number=number,
        quarter=quarter,
        issued=ctx.local().date(),
        periods=periods,
        grid=status_grid(ctx.session, schedule, periods),
        copy_to=ctx.option("LIAISON_BULLETIN_COPY_TO", "区人民政府办公室"),
    )
    bulletin = store_issue(ctx, content, existing)
    open_months = [p for p in periods if ctx.local().date() <= schedule.deadline(p)]
    warn_missing_years(ctx, schedule.workdays)
    note = (
        B.INCOMPLETE.format(months="、".join(p.label for p in open_months)) if open_months else ""
    )
    again = B.DRAFT_REPLACED if existing else ""
    hint = B.GENERATED.format(issue=issue_name(bulletin), again=again)
    return Reply(text=f"{bulletin.summary}\n{note}{hint}", documents=[bulletin.document_id])


def parse_quarter(text: str, today: date) -> Quarter:
    """`2026Q3`, `2026年第三季度`; without a year (`Q3`, `三季度`) the latest such quarter."""
    text = text.strip()
    if not text:
        raise UserError(B.ASK_QUARTER)
    short = _SHORT_QUARTER.match(text)
    if short:
        number = "一二三四".find(short[1]) + 1 or int(short[1])
        year = today.year if (number - 1) * 3 < today.month else today.year - 1
        return Quarter(year, number)
    return Quarter.parse(text)


def store_issue(ctx: Context, content: BulletinContent, existing: Bulletin | None) -> Bulletin:
    """Save the .docx and the issue row; a regenerated draft keeps its number."""
    person_id = ctx.sender.person.id if ctx.sender.person else None
    doc = save_document(
        ctx.session,
        ctx.files_root,
        kind="简报",
        subject=str(content.quarter),
        filename=f"联席会议工作简报{content.year}年第{content.number}期.docx",
        content=build_bulletin(content),
        now=ctx.now,
        created_by=person_id,
    )
    bulletin = existing or Bulletin(
        year=content.year, number=content.number, quarter=str(content.quarter)
    )
    bulletin.document_id, bulletin.summary = doc.id, summary_text(content)
    bulletin.created_at, bulletin.created_by = ctx.now, person_id
    ctx.session.add(bulletin)
    ctx.session.flush()
    return bulletin


def issue_name(bulletin: Bulletin) -> str:
    return f"{bulletin.year}年第{bulletin.number}期"


def find_issue(ctx: Context, text: str) -> Bulletin:
    """`2026年第3期`, `2026-3`, `第3期` (this year), or the quarter `2026Q3`."""
    text = text.strip()
    match = _ISSUE.match(text)
    if match:
        year = int(match[1]) if match[1] else ctx.local().year
        found = bulletin_by_number(ctx.session, year, int(match[2]))
    elif text:
        found = bulletin_for_quarter(ctx.session, str(Quarter.parse(text)))
    else:
        raise UserError(B.ASK_ISSUE)
    if found is None:
        raise UserError(B.NO_ISSUE.format(text=text[:20]))
    return found


def member_people(ctx: Context) -> list[Person]:
    """Every member unit's liaison officers and leaders, each once, in roster order."""
    roles = (Role.LIAISON, Role.LEADER)
    holders = holders_by_unit(ctx.session, roles)
    people: dict[int, Person] = {}
    for unit in member_units(ctx.session):
        for role in roles:
            for person in holders[unit.id][role]:
                people.setdefault(person.id, person)
    return list(people.values())


@command("简报 发布", roles={Role.OFFICE}, usage="简报 发布 2026年第1期")
def publish_bulletin(msg: Incoming, ctx: Context) -> str:
    """印发一期简报：推送给各成员单位联络员和分管领导，发布后不再修改。"""
    bulletin = find_issue(ctx, command_args(msg))
    if bulletin.published_at is not None:
        when = ctx.local(bulletin.published_at)
        return B.ALREADY.format(issue=issue_name(bulletin), when=when)
    quarter = Quarter.parse(bulletin.quarter)
    changed = last_filing_in(ctx.session, [str(p) for p in quarter.periods()])
    if changed is not None and changed > bulletin.created_at:
        when = ctx.local(bulletin.created_at)
        raise UserError(
            B.STALE_DRAFT.format(issue=issue_name(bulletin), when=when, quarter=bulletin.quarter)
        )
    recipients = member_people(ctx)
    key = f"bulletin:{bulletin.id}"
    ctx.push(recipients, B.PUSH.format(summary=bulletin.summary), key=f"{key}:text")
    payload = {"document_id": bulletin.document_id}
    ctx.push(recipients, kind="file", payload=payload, key=f"{key}:file")
    bulletin.published_at = ctx.now
    bulletin.published_by = ctx.sender.person.id if ctx.sender.person else None
    audit.record(
        ctx.session,
        ctx.now,
        ctx.sender.name,
        "简报发布",
        issue_name(bulletin),
        f"{len(recipients)}人",
        ctx.sender.person.id if ctx.sender.person else None,
    )
    return B.PUBLISHED.format(issue=issue_name(bulletin), people=len(recipients))


@command("简报 列表", roles=ROSTER_ROLES, usage="简报 列表")
def list_bulletins(msg: Incoming, ctx: Context) -> str:
    """查看已印发的各期简报（办公室还可看到草稿）。"""
    office = Role.OFFICE in ctx.sender.roles
    lines = []
    for bulletin in all_bulletins(ctx.session):
        if bulletin.published_at is None and not office:
            continue
        state = (
            B.STATE_PUBLISHED.format(when=ctx.local(bulletin.published_at))
            if bulletin.published_at
            else B.STATE_DRAFT
        )
        lines.append(f"· {issue_name(bulletin)}（{bulletin.quarter}）{state}")
    if not lines:
        return B.EMPTY_LIST
    return "\n".join([B.LIST_HEAD, *lines, B.LIST_HINT])


@command("简报 下载", roles=ROSTER_ROLES, usage="简报 下载 2026年第1期")
def download_bulletin(msg: Incoming, ctx: Context) -> Reply:
    """重新获取某期简报的文件。"""
    bulletin = find_issue(ctx, command_args(msg))
    if bulletin.published_at is None and Role.OFFICE not in ctx.sender.roles:
        raise UserError(B.NO_ISSUE.format(text=command_args(msg)[:20]))
    doc = ctx.session.get(Document, bulletin.document_id)
    return Reply(
        text=B.DOWNLOAD.format(issue=issue_name(bulletin), name=doc.filename), documents=[doc.id]
    )
