"""The roster between imports: 外出 and the B角 who stands in, and 变更联络员 requested by a unit's
leader and approved by the office (the history keeps both officers)."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from handlers import dates
from handlers.core import (
    ROSTER_ROLES,
    Context,
    Incoming,
    Role,
    UserError,
    command,
    command_args,
    job,
    split_args,
)
from storage.roster import (
    APPROVED,
    PENDING,
    REJECTED,
    Appointment,
    LiaisonChange,
    Person,
    Unit,
    deputies_of,
    find_person,
    holders,
    is_away,
    pending_change,
    people_with_role,
    person_by_mobile,
    refresh_away,
)

HEADER = ["单位", "姓名", "职务", "角色", "企业微信账号", "钉钉账号", "手机"]
NEW_UNIT_COLUMN = "新单位"  # optional 8th column: 是 = the unit is new, however close its name
NEAR = 75  # rapidfuzz ratio from which a new unit's name is taken for a typo of a known one
ROLE_NAMES = [r.value for r in ROSTER_ROLES]
_MOBILE = re.compile(r"^1\d{10}$")
_SPACES = re.compile(r"[\s\u3000-]+")


# --- between imports: 外出 and B角, 变更联络员 ---------------------------------------------------
# (wording here, as in a domain's text.py: the roster has no package of its own)
AWAY_USAGE = "外出 开始日期 至 结束日期，如「外出 12-01 至 12-10」；提前回来发送「外出 结束」"
_DAY = re.compile(r"^(?:(\d{4})\s*[-/.年]\s*)?(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?$")
_RANGE = re.compile(r"\s*(?:至|到|~|～|—|--)\s*")
_BG = re.compile(r"^(?:BG)?(\d{1,9})$", re.IGNORECASE)


def _local_day(text: str, today: date) -> date:
    match = _DAY.match(text.strip())
    if not match:
        raise UserError(f"看不懂日期「{text}」。用法：{AWAY_USAGE}")
    year, month, day_ = match.groups()
    try:
        return date(int(year or today.year), int(month), int(day_))
    except ValueError:
        raise UserError(f"日期「{text}」不存在。用法：{AWAY_USAGE}") from None


def _away_days(text: str, today: date) -> tuple[date, date]:
    parts = [p for p in _RANGE.split(text.strip()) if p]
    if len(parts) != 2:
        raise UserError(f"请写明起止日期。用法：{AWAY_USAGE}")
    start, end = (_local_day(p, today) for p in parts)
    bare = not _DAY.match(parts[1]).group(1)  # no year written: the coming one
    if bare and end < start and end.month < start.month:  # 12-28 至 01-05
        end = end.replace(year=end.year + 1)
    if bare and end < today and not _DAY.match(parts[0]).group(1):  # in December: 01-03 至 01-05
        start, end = start.replace(year=start.year + 1), end.replace(year=end.year + 1)
    if end < start:
        raise UserError("结束日期早于开始日期，请核对。")
    if end < today:
        raise UserError(f"{dates.day(end, today)}已经过去，请发送今后的外出日期。")
    if (end - start).days > 366:
        raise UserError("外出期间不能超过一年。")
    return start, end


def _own_liaison_posts(ctx: Context) -> list[Appointment]:
    """The sender's own 联络员 appointments (not those they act in as a deputy)."""
    return [a for a in ctx.sender.appointments if a.role == Role.LIAISON and a.id is not None]


@command("外出", roles={Role.LIAISON}, usage="外出 12-01 至 12-10 / 外出 结束")
def mark_away(msg: Incoming, ctx: Context) -> str:
    """登记外出：外出期间本单位的通知同时发给B角，B角可代本单位办理。"""
    posts = _own_liaison_posts(ctx)
    if not posts:
        raise UserError("只有联络员本人可以登记外出。")
    args = command_args(msg).strip()
    if not args:
        raise UserError(f"用法：{AWAY_USAGE}")
    if args in ("结束", "取消", "回来", "返回"):
        return _back(ctx, posts)
    today = ctx.local().date()
    start, end = _away_days(args, today)
    for appt in posts:
        appt.away_from = datetime.combine(start, time(), ctx.tz)
        appt.away_until = datetime.combine(end + timedelta(days=1), time(), ctx.tz)
        appt.away = is_away(appt, ctx.now)
    span = f"{dates.day(start, today)}至{dates.day(end, today)}"
    deputies = deputies_of(ctx.session, [a.unit_id for a in posts])
    lines = [f"已登记外出：{span}。"]
    for appt in posts:
        people = deputies.get(appt.unit_id, [])
        if not people:
            lines.append(
                f"{appt.unit.name}未设B角，外出期间通知仍只发给您；"
                "如需有人代办，请分管领导请办公室在名单中设置「联络员（B角）」。"
            )
            continue
        names = "、".join(p.name for p in people)
        lines.append(
            f"外出期间，{appt.unit.name}的通知同时发给B角{names}，由其代本单位办理联络员事项。"
        )
        ctx.push(
            people,
            f"{appt.unit.name}联络员{ctx.sender.name}{span}外出，期间本单位的通知会同时发给您，"
            "请代为办理（月报、签收与反馈、会议回复等）。",
            key=f"roster:away:{appt.id}:{start.isoformat()}",
        )
    return "\n".join(lines)


def _back(ctx: Context, posts: list[Appointment]) -> str:
    if not any(a.away_from for a in posts):
        return "您目前没有登记外出。"
    for appt in posts:
        appt.away_from = appt.away_until = None
        appt.away = False
    deputies = deputies_of(ctx.session, [a.unit_id for a in posts])
    for appt in posts:
        people = deputies.get(appt.unit_id, [])
        ctx.push(people, f"{appt.unit.name}联络员{ctx.sender.name}已结束外出，本单位事项由其办理。")
    return "已结束外出：本单位的通知恢复只发给您。"


@job("roster.away", trigger="interval", minutes=10)
def keep_away_state(ctx: Context) -> None:
    """Start and end each liaison officer's 外出 at its dates: who is away decides who is told."""
    refresh_away(ctx.session, ctx.now)


@command("变更联络员", roles={Role.LEADER}, usage="变更联络员 姓名 手机 [企业微信账号]")
def request_liaison_change(msg: Incoming, ctx: Context) -> str:
    """分管领导申请更换本单位联络员，经联席会议办公室同意后生效。"""
    unit, words = _leader_unit(ctx, split_args(command_args(msg)))
    if len(words) not in (2, 3):
        raise UserError(
            "用法：变更联络员 姓名 手机 [企业微信账号]，如「变更联络员 孙磊 13900001234」"
        )
    name, mobile, account = words[0], _SPACES.sub("", words[1]), (words[2:] or [""])[0]
    if not _MOBILE.match(mobile):
        raise UserError(f"手机号「{mobile}」格式不正确，应为11位数字。")
    pending = pending_change(ctx.session, unit.id)
    if pending is not None:
        raise UserError(
            f"{unit.name}已有待审批的变更申请 {pending.number}（{pending.name}），请等待办公室审批。"
        )
    if account and (owner := find_person(ctx.session, account)) and owner.name != name:
        raise UserError(f"账号「{account}」已属于{owner.name}，请核对。")
    officers = holders(ctx.session, unit.id, Role.LIAISON)
    if any(p.mobile == mobile or (account and account in _accounts(p)) for p in officers):
        raise UserError(f"{name}已是{unit.name}的联络员。")
    change = LiaisonChange(
        unit_id=unit.id, name=name, mobile=mobile, account=account, status=PENDING, reason="",
        requested_by=ctx.sender.person.id, requested_at=ctx.now,
    )  # fmt: skip
    ctx.session.add(change)
    ctx.session.flush()
    old = "、".join(p.name for p in officers) or "（空缺）"
    ctx.push(
        people_with_role(ctx.session, Role.OFFICE),
        f"{unit.name}分管领导{ctx.sender.name}申请变更联络员（{change.number}）：{old} → {name}"
        f"（{mobile}）。同意请发送「同意变更 {change.number}」，不同意请发送"
        f"「驳回变更 {change.number} 原因」。",
        key=f"roster:change:{change.number}",
    )
    return (
        f"已提交变更联络员申请 {change.number}：{unit.name}联络员 {old} → {name}（{mobile}），"
        "待联席会议办公室审批，结果会通知您。"
    )


def _accounts(person: Person) -> set[str]:
    return {a for a in (person.wecom_userid, person.dingtalk_userid) if a}


def _leader_unit(ctx: Context, words: list[str]) -> tuple[Unit, list[str]]:
    """The unit the leader asks for: their only one, or the one named first."""
    units = ctx.sender.units(Role.LEADER)
    if len(units) == 1:
        return units[0], words
    named = [u for u in units if words and words[0] in u.name]
    if len(named) != 1:
        raise UserError(f"您是多个单位的分管领导，请先写单位：变更联络员 {units[0].name} 姓名 手机")
    return named[0], words[1:]


def _change_arg(ctx: Context, msg: Incoming) -> tuple[LiaisonChange, str]:
    words = split_args(command_args(msg), maxsplit=1)
    match = _BG.match(words[0]) if words else None
    change = ctx.session.get(LiaisonChange, int(match.group(1))) if match else None
    if change is None:
        raise UserError("请写明申请编号，如「同意变更 BG3」；编号见办公室收到的申请通知。")
    if change.status != PENDING:
        raise UserError(f"申请 {change.number} {change.status}，无需再审批。")
    return change, (words[1] if len(words) > 1 else "")


@command("同意变更", roles={Role.OFFICE}, usage="同意变更 申请编号")
def approve_liaison_change(msg: Incoming, ctx: Context) -> str:
    """办公室同意变更联络员：原联络员卸任，新联络员任职，名单保留历史。"""
    change, _ = _change_arg(ctx, msg)
    person = _new_officer(ctx, change)
    unit = change.unit
    old = [
        a for a in ctx.session.scalars(
            select(Appointment).where(
                Appointment.unit_id == unit.id,
                Appointment.ended_at.is_(None),
                Appointment.role.in_([Role.LIAISON, Role.DEPUTY]),
            )
        )
        if a.role == Role.LIAISON or a.person_id == person.id  # a deputy who becomes the officer
    ]  # fmt: skip
    for appt in old:
        appt.ended_at = ctx.now
    ctx.session.add(
        Appointment(person_id=person.id, unit_id=unit.id, role=Role.LIAISON, started_at=ctx.now)
    )
    change.status, change.decided_at, change.person_id = APPROVED, ctx.now, person.id
    change.decided_by = ctx.sender.person.id if ctx.sender.person else None
    ctx.session.flush()
    leavers = [a.person for a in old if a.role == Role.LIAISON and a.person_id != person.id]
    key = f"roster:change:{change.number}:done"
    ctx.push(leavers, f"联席会议办公室已同意{unit.name}变更联络员（{change.number}），"
             f"您不再担任{unit.name}联络员，本单位事项改由{person.name}办理。谢谢您的工作！",
             key=f"{key}:old")  # fmt: skip
    if _accounts(person):
        ctx.push(person, f"您已任{unit.name}联络员（{change.number}）。发送「帮助」查看可用指令。",
                 key=f"{key}:new")  # fmt: skip
    leader = ctx.session.get(Person, change.requested_by)
    ctx.push(leader, f"变更联络员申请 {change.number} 已同意：{unit.name}联络员现为{person.name}。",
             key=f"{key}:leader")  # fmt: skip
    gone = "、".join(p.name for p in leavers) or "（空缺）"
    reach = "" if _accounts(person) else "。新联络员还没有账号，请在名单中补充其企业微信或钉钉账号"
    return f"已同意 {change.number}：{unit.name}联络员 {gone} → {person.name}{reach}。"


def _new_officer(ctx: Context, change: LiaisonChange) -> Person:
    """The person the request names: by account, else by mobile, else a new roster entry."""
    person = find_person(ctx.session, change.account) if change.account else None
    person = person or person_by_mobile(ctx.session, change.mobile)
    if person is None:
        person = Person(name=change.name, mobile=change.mobile, title="")
        ctx.session.add(person)
    if change.account and not _accounts(person):
        person.wecom_userid = change.account
    ctx.session.flush()
    return person


@command("驳回变更", roles={Role.OFFICE}, usage="驳回变更 申请编号 原因")
def reject_liaison_change(msg: Incoming, ctx: Context) -> str:
    """办公室不同意变更联络员，并说明原因。"""
    change, reason = _change_arg(ctx, msg)
    if not reason:
        raise UserError(f"请写明原因：驳回变更 {change.number} 原因")
    change.status, change.reason, change.decided_at = REJECTED, reason[:500], ctx.now
    change.decided_by = ctx.sender.person.id if ctx.sender.person else None
    leader = ctx.session.get(Person, change.requested_by)
    ctx.push(leader, f"变更联络员申请 {change.number}（{change.name}）未获同意：{reason}",
             key=f"roster:change:{change.number}:rejected")  # fmt: skip
    return f"已驳回 {change.number}，已告知申请人。"
