"""The quarterly 《联席会议工作简报》 (seed annex 1 四(二)): compile, number, publish, keep.

`简报 生成 2026Q3` compiles the quarter's monthly reports into a draft and sends the office the
.docx; generating again replaces the draft. A draft has no number: `简报 发布 2026Q3` gives it the
next 第N期 of its year — so issues are numbered in the order they are published, whichever quarter
was drafted first — rebuilds the file with it, pushes the summary and the file to every member
unit's liaison officers and leaders, and freezes the issue. `简报 作废 2026Q3` sets a draft aside.
Months whose deadline has not passed are 未截止, never 未报. `简报 列表` / `简报 下载` give them again.
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
from handlers.dates import day, moment
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
PUBLISH_USAGE = "简报 发布 2026Q3"
VOID_USAGE = "简报 作废 2026Q3"
DOWNLOAD_USAGE = "简报 下载 2026年第1期"
_ISSUE = re.compile(r"^(?:(\d{4})\s*(?:年|-|/)?\s*)?第?\s*(\d{1,3})\s*期?$")


def summary_text(content: BulletinContent) -> str:
    """The short chat summary that goes with the file."""
    total = counts(cell for row in content.grid for cell in row)
    missing = [row[0].unit.name for row in content.grid if any(c.status == B.MISSING for c in row)]
    shown = "、".join(missing[: B.MAX_LISTED])
    if len(missing) > B.MAX_LISTED:
        shown += B.MORE.format(n=len(missing))
    number = f"{content.year}年第{content.number}期" if content.number else B.DRAFT_NUMBER
    return B.SUMMARY.format(
        number=number,
        quarter=content.quarter.label,
        units=sum(any(c.report for c in row) for row in content.grid),
        reports=total[B.ON_TIME] + total[B.LATE],
        on_time=total[B.ON_TIME],
        late=total[B.LATE],
        missing=total[B.MISSING],
        missing_units=shown or B.NONE_MISSING,
    )


def compile_content(ctx: Context, quarter: Quarter, number: int | None) -> BulletinContent:
    """The quarter as it stands now; months still open are 未截止, not 未报."""
    schedule = ReportSchedule(ctx)
    warn_missing_years(ctx, schedule.workdays)
    today = ctx.local().date()
    return BulletinContent(
        org_name=ctx.org_name,
        year=quarter.year,
        number=number,
        quarter=quarter,
        issued=today,
        periods=quarter.periods(),
        grid=status_grid(ctx.session, schedule, quarter.periods(), today=today),
        copy_to=ctx.option("LIAISON_BULLETIN_COPY_TO", "区人民政府办公室"),
    )


@command("简报 生成", roles={Role.OFFICE}, usage="简报 生成 2026Q3")
def generate_bulletin(msg: Incoming, ctx: Context) -> Reply:
    """把某季度各单位月报汇编为简报草稿（.docx）；期号在印发时编定。"""
    quarter = parse_quarter(command_args(msg), ctx.local().date())
    if not ReportSchedule(ctx).is_open(quarter.periods()[0], ctx.now):
        raise UserError(B.NOT_STARTED.format(quarter=quarter.label))
    existing = bulletin_for_quarter(ctx.session, str(quarter))
    if existing is not None and existing.published_at is not None:
        raise UserError(B.FROZEN.format(issue=issue_name(existing)))
    content = compile_content(ctx, quarter, None)
    replaced = existing is not None and existing.voided_at is None
    bulletin = store_issue(ctx, content, existing)
    open_months = content.open_periods
    note = (
        B.INCOMPLETE.format(months="、".join(p.label for p in open_months)) if open_months else ""
    )
    again = B.DRAFT_REPLACED if replaced else ""
    hint = B.GENERATED.format(quarter=quarter.label, code=str(quarter), again=again)
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
    """Save the .docx and the issue row: a new draft, a replaced (or revived) one, or the issue
    being published with its number."""
    person_id = ctx.sender.person.id if ctx.sender.person else None
    name = f"{content.year}年第{content.number}期" if content.number else content.quarter.label
    draft = "" if content.number else "（草稿）"
    doc = save_document(
        ctx.session,
        ctx.files_root,
        kind="简报",
        subject=str(content.quarter),
        filename=f"联席会议工作简报{name}{draft}.docx",
        content=build_bulletin(content),
        now=ctx.now,
        created_by=person_id,
    )
    bulletin = existing or Bulletin(year=content.year, quarter=str(content.quarter))
    bulletin.document_id, bulletin.summary = doc.id, summary_text(content)
    if content.number is None:
        bulletin.created_at, bulletin.created_by = ctx.now, person_id
        bulletin.voided_at = bulletin.voided_by = None
    ctx.session.add(bulletin)
    ctx.session.flush()
    return bulletin


def issue_name(bulletin: Bulletin) -> str:
    """`2026年第1期` once published; a draft is named by its quarter."""
    if bulletin.number is None:
        return B.DRAFT_NAME.format(quarter=Quarter.parse(bulletin.quarter).label)
    return f"{bulletin.year}年第{bulletin.number}期"


def find_issue(ctx: Context, text: str, usage: str) -> Bulletin:
    """`2026年第3期`, `2026-3`, `第3期` (this year) — published issues — or a quarter `2026Q3`."""
    text = text.strip()
    match = _ISSUE.match(text)
    if match:
        year = int(match[1]) if match[1] else ctx.local().year
        found = bulletin_by_number(ctx.session, year, int(match[2]))
    elif text:
        found = bulletin_for_quarter(ctx.session, str(parse_quarter(text, ctx.local().date())))
    else:
        raise UserError(B.ASK_ISSUE.format(usage=usage))
    if found is None or found.voided_at is not None:
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


@command("简报 发布", roles={Role.OFFICE}, usage=PUBLISH_USAGE)
def publish_bulletin(msg: Incoming, ctx: Context) -> str:
    """印发一期简报：编定期号，推送给各成员单位联络员和分管领导，发布后不再修改。"""
    bulletin = find_issue(ctx, command_args(msg), PUBLISH_USAGE)
    if bulletin.published_at is not None:
        when = moment(bulletin.published_at, ctx.local())
        return B.ALREADY.format(issue=issue_name(bulletin), when=when)
    quarter = Quarter.parse(bulletin.quarter)
    changed = last_filing_in(ctx.session, [str(p) for p in quarter.periods()])
    if changed is not None and changed > bulletin.created_at:
        when = moment(bulletin.created_at, ctx.local())
        raise UserError(
            B.STALE_DRAFT.format(issue=issue_name(bulletin), when=when, quarter=bulletin.quarter)
        )
    number = next_bulletin_number(ctx.session, bulletin.year)
    store_issue(ctx, compile_content(ctx, quarter, number), bulletin)
    bulletin.number = number
    recipients = member_people(ctx)
    key = f"bulletin:{bulletin.id}"
    ctx.push(recipients, B.PUSH.format(summary=bulletin.summary), key=f"{key}:text")
    payload = {"document_id": bulletin.document_id}
    ctx.push(recipients, kind="file", payload=payload, key=f"{key}:file")
    bulletin.published_at = ctx.now
    bulletin.published_by = _person_id(ctx)
    _audit(ctx, "简报发布", issue_name(bulletin), f"{len(recipients)}人")
    return B.PUBLISHED.format(issue=issue_name(bulletin), people=len(recipients))


def _person_id(ctx: Context) -> int | None:
    return ctx.sender.person.id if ctx.sender.person else None


def _audit(ctx: Context, action: str, subject: str, detail: str) -> None:
    audit.record(ctx.session, ctx.now, ctx.sender.name, action, subject, detail, _person_id(ctx))


@command("简报 作废", roles={Role.OFFICE}, usage=VOID_USAGE)
def void_bulletin(msg: Incoming, ctx: Context) -> str:
    """作废一份简报草稿（已印发的不能作废）；之后可重新生成。"""
    bulletin = find_issue(ctx, command_args(msg), VOID_USAGE)
    if bulletin.published_at is not None:
        raise UserError(B.VOID_PUBLISHED.format(issue=issue_name(bulletin)))
    bulletin.voided_at, bulletin.voided_by = ctx.now, _person_id(ctx)
    _audit(ctx, "简报作废", issue_name(bulletin), bulletin.quarter)
    return B.VOIDED.format(issue=issue_name(bulletin), quarter=bulletin.quarter)


@command("简报 列表", roles=ROSTER_ROLES, usage="简报 列表")
def list_bulletins(msg: Incoming, ctx: Context) -> str:
    """查看已印发的各期简报（办公室还可看到草稿）。"""
    office = Role.OFFICE in ctx.sender.roles
    lines = []
    for bulletin in all_bulletins(ctx.session):
        if bulletin.published_at is None and (not office or bulletin.voided_at is not None):
            continue
        if bulletin.published_at:
            state = B.STATE_PUBLISHED.format(
                when=day(ctx.local(bulletin.published_at), ctx.local())
            )
            lines.append(f"· {issue_name(bulletin)}（{bulletin.quarter}）{state}")
        else:
            state = B.STATE_DRAFT.format(when=moment(bulletin.created_at, ctx.local()))
            lines.append(f"· {issue_name(bulletin)}（{bulletin.quarter}）{state}")
    if not lines:
        return B.EMPTY_LIST
    return "\n".join([B.LIST_HEAD, *lines, B.LIST_HINT])


@command("简报 下载", roles=ROSTER_ROLES, usage=DOWNLOAD_USAGE)
def download_bulletin(msg: Incoming, ctx: Context) -> Reply:
    """重新获取某期简报的文件。"""
    bulletin = find_issue(ctx, command_args(msg), DOWNLOAD_USAGE)
    if bulletin.published_at is None and Role.OFFICE not in ctx.sender.roles:
        raise UserError(B.NO_ISSUE.format(text=command_args(msg)[:20]))
    doc = ctx.session.get(Document, bulletin.document_id)
    return Reply(
        text=B.DOWNLOAD.format(issue=issue_name(bulletin), name=doc.filename), documents=[doc.id]
    )
