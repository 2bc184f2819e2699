"""Health-check results in (seed 附件1 四(三)): the units that hold them send a file each month, in
chat (`体检 导入`, then the file) or with `liaison health import FILE`; the template is `预警 模板`.

All-or-nothing: the first bad row is named with its column and nothing is stored. A file whose
rows were imported before (the same content, whatever its name or format) is not counted twice.
After an import the warning runs on the file's months that are recent (LIAISON_WARN_LOOKBACK_MONTHS,
default 3): back-filled history becomes baseline without raising old alarms.
"""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

from sqlalchemy import insert

from handlers import dates
from handlers.core import (
    Context,
    Conversation,
    Incoming,
    Reply,
    Role,
    UserError,
    command,
    command_args,
    flow,
)
from handlers.monitoring import method as M
from handlers.monitoring import text as T
from handlers.monitoring.healthfile import (
    TEMPLATE_HEADER,
    HealthFile,
    HealthFileError,
    read_file,
    row_key,
)
from handlers.monitoring.signals import detect, mirror_complaints, raise_signals
from storage import monitoring as st
from storage.documents import save_document

FLOW = "体检导入"
UNIT_ROLES = (Role.LIAISON, Role.LEADER)
MAX_FILE = 20 * 1024 * 1024


def health_units(ctx: Context) -> list[str]:
    """LIAISON_HEALTH_UNITS: the units that send results (default 区卫健委), comma separated."""
    raw = ctx.option("LIAISON_HEALTH_UNITS", "区卫健委").replace("，", ",").replace("、", ",")
    return [name.strip() for name in raw.split(",") if name.strip()]


def may_import(ctx: Context) -> bool:
    if Role.OFFICE in ctx.sender.roles:
        return True
    names = set(health_units(ctx))
    return any(u.name in names for r in UNIT_ROLES for u in ctx.sender.units(r))


def span(ctx: Context, text: str) -> tuple[str, str]:
    """`2026-10` → that month; `2026` → the year; nothing → last month."""
    text = text.strip()
    today = ctx.local().date()
    if not text:
        last = M.period_of(M.month_index(f"{today:%Y-%m}") - 1)
        return last, last
    if text.isdigit() and len(text) == 4 and 2000 <= int(text) <= 2100:
        return f"{text}-01", f"{text}-12"
    parts = text.replace("年", "-").replace("月", "").replace("/", "-").split("-")
    if len(parts) == 2 and all(p.isdigit() for p in parts) and 1 <= int(parts[1]) <= 12:
        month = f"{int(parts[0]):04d}-{int(parts[1]):02d}"
        return month, month
    raise UserError(f"无法识别统计期「{text[:20]}」，例如：{T.IMPORT_USAGE}")


def store(ctx: Context, parsed: HealthFile, filename: str) -> tuple[str, list[st.Signal]]:
    """Save the rows (unless the same content is already in) and run the warning."""
    seen = st.import_by_hash(ctx.session, parsed.content_hash)
    if seen is not None:
        return T.duplicate(
            seen.filename, dates.moment(ctx.local(seen.imported_at), ctx.local())
        ), []
    _refuse_repeated_rows(ctx, parsed)
    batch = st.HealthImport(
        content_hash=parsed.content_hash,
        filename=filename[:255],
        rows=len(parsed.rows),
        first_period=parsed.first_period,
        last_period=parsed.last_period,
        imported_at=ctx.now,
        imported_by=ctx.sender.person.id if ctx.sender.person else None,
    )
    ctx.session.add(batch)
    ctx.session.flush()
    fields = ("institution", "employer", "employer_key", "street", "industry", "hazard",
              "examined", "abnormal", "suspected", "contraindicated", "period", "exam_date")  # fmt: skip
    ctx.session.execute(
        insert(st.HealthRecord),
        [{"import_id": batch.id, **{f: getattr(r, f) for f in fields}} for r in parsed.rows],
    )
    signals = run_warning(ctx, sorted({r.period for r in parsed.rows}))
    return T.imported(
        len(parsed.rows), parsed.first_period, parsed.last_period, len(signals)
    ), signals


def _refuse_repeated_rows(ctx: Context, parsed: HealthFile) -> None:
    """A row already brought in by an earlier file (an overlapping month sent again, a file
    merged from two) would count its workers twice in the warning: the file is refused whole,
    naming the rows and where they came from."""
    stored = st.stored_keys(ctx.session, parsed.first_period, parsed.last_period)
    repeated = [(r, stored[row_key(r)]) for r in parsed.rows if row_key(r) in stored]
    if not repeated:
        return
    lines = [
        T.repeated_row(
            r.number,
            r.institution,
            r.employer,
            r.hazard,
            r.period,
            seen.filename,
            dates.moment(ctx.local(seen.imported_at), ctx.local()),
        )
        for r, seen in repeated[:5]
    ]
    raise HealthFileError(T.repeated_rows(len(repeated), len(parsed.rows), lines))


def run_warning(ctx: Context, periods: list[str]) -> list[st.Signal]:
    """Judge the recent ones of `periods` against the history stored before them."""
    now = M.month_index(f"{ctx.local():%Y-%m}")
    lookback = max(ctx.option_int("LIAISON_WARN_LOOKBACK_MONTHS", 3), 1)
    recent = [p for p in periods if now - M.month_index(p) <= lookback]
    if not recent:
        return []
    first = M.period_of(M.month_index(min(recent)) - M.BASELINE_MONTHS - M.GUARD_MONTHS - 3)
    records = st.records(ctx.session, first, max(recent))
    mirror_complaints(ctx)
    return raise_signals(ctx, detect(records, recent))


def import_path(ctx: Context, path: Path, first: str, last: str, filename: str = "") -> str:
    """The CLI's and the chat's import: parse (raising HealthFileError) and store."""
    parsed = read_file(path, first, last, ctx.local().date())
    return store(ctx, parsed, filename or path.name)[0]


@command("体检 导入", roles={Role.OFFICE, *UNIT_ROLES}, usage=T.IMPORT_USAGE)
def start_import(msg: Incoming, ctx: Context) -> str:
    """导入职业健康检查结果（.xlsx/.csv），导入后自动进行预警分析。"""
    if not may_import(ctx):
        raise UserError(T.NOT_HEALTH_UNIT.format(units="、".join(health_units(ctx))))
    first, last = span(ctx, command_args(msg))
    if last > f"{ctx.local():%Y-%m}":
        raise UserError(T.future(last))
    ctx.start_conversation(FLOW, "file", first=first, last=last)
    return T.ASK_FILE.format(first=first, last=last, header="、".join(TEMPLATE_HEADER[:-2]))


def _prompt(ctx: Context, convo: Conversation) -> str:
    return T.NEED_FILE


@flow(FLOW, prompt=_prompt)
def receive_file(msg: Incoming, ctx: Context, convo: Conversation) -> str:
    name = msg.file_name or ""
    suffix = Path(name).suffix.lower()
    if msg.kind != "file" or not msg.file_bytes or suffix not in (".xlsx", ".csv"):
        raise UserError(T.NEED_FILE)
    if len(msg.file_bytes) > MAX_FILE:
        raise UserError("文件超过20MB，请按月分开发送。")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"upload{suffix}"
        path.write_bytes(msg.file_bytes)
        try:
            answer = import_path(ctx, path, convo.data["first"], convo.data["last"], name)
        except HealthFileError as err:
            raise UserError(str(err)) from None
    convo.end()
    return answer


@command("预警 模板", roles={Role.OFFICE, Role.CONVENER, *UNIT_ROLES}, usage="预警 模板")
def template(msg: Incoming, ctx: Context) -> Reply:
    """体检数据导入模板（.xlsx）。"""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "体检数据"
    sheet.append(TEMPLATE_HEADER)
    sheet.append(["某职业病防治院", "某机械制造有限公司", "马寨镇", "机械制造", "噪声",
                  50, 4, 0, 1, f"{ctx.local():%Y-%m}-01", ""])  # fmt: skip
    from handlers.xlsx_style import finish_workbook

    finish_workbook(book)
    out = io.BytesIO()
    book.save(out)
    doc = save_document(ctx.session, ctx.files_root, kind="模板", subject="体检数据",
                        filename="体检数据导入模板.xlsx", content=out.getvalue(), now=ctx.now,
                        created_by=ctx.sender.person.id if ctx.sender.person else None)  # fmt: skip
    return Reply(text=T.TEMPLATE_READY, documents=[doc.id])
