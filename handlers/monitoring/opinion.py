"""舆情 (seed 附件1 四(三) first sentence): after a serious event elsewhere, the units whose duties
cover that industry and the 街道/镇 report their 调查摸底 of the district's enterprises of that kind
(how many, their state, measures taken) by a deadline — 底数清、现状明. The silent are reminded once
on the deadline day; `舆情 汇总` compiles the answers (.docx) for the office.

Who is asked: 区卫健委 (专项调查, always), 区市场监督管理局 (企业登记注册信息: the count of such
enterprises, always), every unit whose duty keywords (handlers/duties.py) occur in the industry,
the units the INDUSTRY table below adds, and the 街道/镇 (all, unless the office names some).
"""

from __future__ import annotations

import io
from datetime import time

from docx import Document as WordDocument

from handlers import dates
from handlers.core import Context, Incoming, Reply, Role, UserError, command, command_args, job
from handlers.duties import DUTIES, HEALTH, LOCAL_DUTY
from handlers.followup import common as fc
from handlers.monitoring import text as T
from storage import monitoring as st
from storage.documents import save_document
from storage.roster import Unit, member_units

MARKET = "区市场监督管理局"
ALWAYS = {HEALTH: DUTIES[0].summary, MARKET: "企业和个体工商户登记注册信息（摸清底数）"}
# seed 三(三)7's industries → the duty (seed 附件1 三) that covers them
INDUSTRY = (
    (("制造", "加工", "机械", "冶金", "电子", "汽车", "印刷", "箱包", "鞋", "木材", "家具",
      "石材", "纺织", "化工", "医药", "建材", "铸造", "工业"), "区工信局"),
    (("化工", "危险化学品", "危化", "矿", "冶金", "石材", "铸造", "粉尘", "有限空间"), "区应急管理局"),
    (("放射", "辐射", "探伤", "射线"), "区生态环境分局"),
    (("建筑", "施工", "装修", "隧道"), "区建设和交通局"),
)  # fmt: skip
_FIELDS = {"地点": "place", "地区": "place", "行业": "industry", "事件": "event",
           "情况": "event", "期限": "due", "截止": "due", "镇街": "streets", "街道": "streets"}  # fmt: skip
DEFAULT_DAYS = "5个工作日"


def duty_units(industry: str) -> dict[str, str]:
    """Unit name → the duty that puts it on the list, for an industry."""
    found = dict(ALWAYS)
    for duty in DUTIES:
        hits = [k for k in duty.keywords if k in industry]
        if hits:
            found.setdefault(duty.unit, f"{duty.summary}（{'、'.join(hits[:2])}）")
    summaries = {d.unit: d.summary for d in DUTIES}
    for words, unit in INDUSTRY:
        if any(w in industry for w in words):
            found.setdefault(unit, summaries[unit])
    return found


def _fields(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for part in text.replace(";", "；").replace("\n", "；").split("；"):
        part = part.strip()
        for word, key in _FIELDS.items():
            if part.startswith(word):
                out[key] = part[len(word) :].lstrip(" ：:")
                break
    return out


def _asked(ctx: Context, industry: str, streets: str) -> list[tuple[Unit, str]]:
    units = member_units(ctx.session)
    by_name = {u.name: u for u in units}
    asked = [(by_name[n], why) for n, why in duty_units(industry).items() if n in by_name]
    local = fc.find_units(ctx, streets) if streets else [u for u in units if u.kind == "镇街"]
    asked += [(u, LOCAL_DUTY) for u in local if u.kind == "镇街" or streets]
    return sorted({u.id: (u, why) for u, why in asked}.values(), key=lambda p: p[0].id)


@command("舆情", roles={Role.OFFICE}, usage=T.OPINION_USAGE)
def record_event(msg: Incoming, ctx: Context) -> str:
    """登记外地职业病危害舆情，请相关单位和镇街限期报送调查摸底。"""
    fields = _fields(command_args(msg))
    if not command_args(msg).strip():
        rounds = ctx.session.query(st.OpinionRound).order_by(st.OpinionRound.seq.desc()).limit(5)
        return T.opinion_list(
            [f"{r.number} {r.industry}（截止{T.d(r.due, ctx.today())}）" for r in rounds]
        )
    for key, label in (("place", "地点"), ("industry", "行业"), ("event", "事件")):
        if not fields.get(key):
            raise UserError(T.opinion_bad(label))
    industry = fc.check_text(fields["industry"], "行业")[:100]
    due = fc.parse_due(ctx, fields.get("due") or DEFAULT_DAYS)
    asked = _asked(ctx, industry, fields.get("streets", ""))
    row = st.new_round(ctx.session, place=fields["place"][:200], industry=industry,
                       event=fc.check_text(fields["event"], "事件"), due=due,
                       created_at=ctx.now, created_by=fc.actor_id(ctx))  # fmt: skip
    people = fc.people(ctx, [u.id for u, _ in asked])
    for unit, why in asked:
        ctx.session.add(st.OpinionReply(round_id=row.id, unit_id=unit.id, reason=why[:200]))
        text = T.opinion_notice(row.number, row.place, industry, row.event, due, why, ctx.today())
        ctx.push(people[unit.id], text, key=f"monitoring:yq:{row.number}:u{unit.id}")
    return T.opinion_sent(row.number, [u.name for u, _ in asked], due, ctx.today())


def _mine(ctx: Context, number: str) -> tuple[st.OpinionRound, st.OpinionReply]:
    row = st.round_by_number(ctx.session, number)
    mine = fc.my_units(ctx)
    replies = (
        [r for r in st.opinion_replies(ctx.session, row.id) if r.unit_id in mine] if row else []
    )
    if not replies:
        raise UserError(T.no_round(number))
    return row, replies[0]


@command("摸底", roles=set(fc.UNIT_ROLES), usage=T.SURVEY_USAGE)
def survey(msg: Incoming, ctx: Context) -> str:
    """报送舆情调查摸底：本辖区（本行业）同类企业数量、现状和已采取的措施。"""
    number, text = fc.number_and_rest(command_args(msg), T.SURVEY_USAGE)
    row, reply = _mine(ctx, number)
    if not text:
        raise UserError(T.need_survey())
    replaced = reply.answered_at is not None
    reply.text = fc.check_text(text, "调查摸底")
    reply.answered_at = ctx.now
    reply.answered_by = fc.actor_id(ctx)
    unit = ctx.session.get(Unit, reply.unit_id)
    ctx.push(fc.office(ctx), T.survey_notice(row.number, unit.name))
    return T.survey_saved(row.number, replaced)


@job("monitoring.opinion_remind", trigger="interval", minutes=30)
def remind_silent(ctx: Context) -> None:
    """On the deadline day from 9:00, each silent unit is reminded once."""
    local = ctx.local()
    if local.time() < time(9):
        return
    for row in st.open_rounds(ctx.session, local.date()):
        if row.due != local.date():
            continue
        silent = [r for r in st.opinion_replies(ctx.session, row.id) if r.answered_at is None]
        people = fc.people(ctx, [r.unit_id for r in silent])
        for reply in silent:
            ctx.push(people[reply.unit_id], T.opinion_remind(row.number, row.industry, row.due, ctx.today()),
                     key=f"monitoring:yq:{row.number}:remind:u{reply.unit_id}")  # fmt: skip


@command("舆情 汇总", roles={Role.OFFICE}, usage="舆情 汇总 YQ1")
def compile_round(msg: Incoming, ctx: Context) -> Reply:
    """舆情调查摸底汇总（.docx）。"""
    number, _ = fc.number_and_rest(command_args(msg), "舆情 汇总 YQ1")
    row = st.round_by_number(ctx.session, number)
    if row is None:
        raise UserError(T.no_round(number))
    replies = st.opinion_replies(ctx.session, row.id)
    names = {u.id: u.name for u in member_units(ctx.session)}
    doc = WordDocument()
    doc.add_heading(f"舆情 {row.number} 调查摸底汇总", level=1)
    doc.add_paragraph(f"事件：{row.place}，{row.industry}。{row.event}")
    doc.add_paragraph(
        f"报送截止：{dates.full_day(row.due)}；汇总时间：{ctx.local():%Y-%m-%d %H:%M}"
    )
    table = doc.add_table(rows=1, cols=4)
    table.style = "Table Grid"
    for cell, title in zip(
        table.rows[0].cells, ("单位", "职责", "调查摸底情况", "报送时间"), strict=True
    ):
        cell.text = title
    for r in replies:
        when = f"{ctx.local(r.answered_at):%m-%d %H:%M}" if r.answered_at else "未报送"
        values = (names.get(r.unit_id, ""), r.reason, r.text or "（未报送）", when)
        for cell, value in zip(table.add_row().cells, values, strict=True):
            cell.text = value
    out = io.BytesIO()
    doc.save(out)
    saved = save_document(ctx.session, ctx.files_root, kind="舆情", subject=row.number,
                          filename=f"舆情{row.number}调查摸底汇总.docx", content=out.getvalue(),
                          now=ctx.now, created_by=fc.actor_id(ctx))  # fmt: skip
    silent = [names.get(r.unit_id, "") for r in replies if r.answered_at is None]
    return Reply(text=T.opinion_summary(row.number, len(replies) - len(silent), silent),
                 documents=[saved.id])  # fmt: skip
