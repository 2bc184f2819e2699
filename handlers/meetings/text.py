"""Every sentence the meetings domain shows to people, in one place so code and tests share it."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from storage.meetings import Meeting, MeetingInvite

WEEKDAYS = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
NO_ANSWER = "未回复"
REASON_PENDING = "原因待补充"
NAME_PENDING = "姓名待补充"
KIND_RULES = (
    "全体会议、专题会议由总召集人、召集人或办公室发起；联络员会议由办公室发起；"
    "办公室会议由办公室主任发起。"
)

# --- calling a meeting -----------------------------------------------------------------------
ASK_KIND = (
    "请选择会议类型（回复序号）：\n1 全体会议\n2 专题会议\n3 联络员会议\n4 办公室会议\n"
    "随时发送「取消」可退出。"
)
ASK_TIME = "请发送会议时间，例如：2026-12-01 15:00，或 12月1日 下午3点。"
ASK_PLACE = "请发送会议地点。"
ASK_TOPICS = "请发送会议议题（可多行，第一行作为会议名称）。"
ASK_CONFIRM = (
    "请发送「确认」发出会议通知；要改某一项，发送「修改」（或「修改 时间」等）；发送「取消」放弃。"
)
FIELDS = ("类型", "时间", "地点", "议题", "受邀单位")
ASK_FIELD = "要修改哪一项？请回复序号或名称：\n" + "\n".join(
    f"{n} {f}" for n, f in enumerate(FIELDS, start=1)
)
NEED_TEXT = "请用文字回复。发送「取消」可退出。"
TOO_LONG_PLACE = "地点请控制在100字以内。"
TOO_LONG_TOPICS = "议题请控制在2000字以内。"
TOPIC_NEEDS_LIST = "专题会议请列出与议题相关的参会单位（名称或序号，用顿号分隔）。"
NEED_NUMBER = "请写明会议号，例如 HY12。发送「会议」可查看您的会议。"


def which_meeting(lines: list[str]) -> str:
    shown = "\n".join(f"· {line}" for line in lines[:7])
    more = f"\n……共{len(lines)}次" if len(lines) > 7 else ""
    return f"有{len(lines)}次会议可选，请写明会议号，例如 HY12：\n{shown}{more}"


def recognised(when: str, warning: str = "") -> str:
    """The time as understood, said back before the next question."""
    return f"已识别为 {when}。{warning}"


def non_workday(day: str, what: str) -> str:
    """`what`: 周六, 周日 or 法定节假日."""
    return f"注意：{day}是{what}，不是工作日。"


def confirm_move(number: str, when: str, place: str, warning: str) -> str:
    return (
        f"{warning}确定把会议 {number} 改到{when}（地点：{place}）吗？"
        "发送「确认」改期并重新通知全部受邀单位；不改请发送「取消」。"
    )


MOVE_KEPT = "未改期，会议时间不变。"
NEED_NEW_TIME = "请写明新的会议时间，例如：改期 HY12 2026-12-02 15:00 [新地点]。"


def not_moved(number: str, when: str, place: str) -> str:
    return f"会议 {number} 已经定在{when}，地点：{place}，无需改期，未重复通知。"


def bad_number(token: str) -> str:
    return f"「{token}」不是会议号。会议号形如 HY12。"


def no_such_meeting(token: str) -> str:
    return f"没有找到会议 {token}。发送「会议」可查看您的会议。"


def bad_time(text: str) -> str:
    return f"没有看懂时间「{text}」。请写成 2026-12-01 15:00，或 12月1日 15:00。"


def time_in_past(when: str) -> str:
    return f"{when} 已经过去，请发送一个将来的时间。"


def not_caller(kind: str) -> str:
    return f"您没有发起或变更{kind}的权限。{KIND_RULES}"


def cancelled(number: str) -> str:
    return f"会议 {number} 已取消。"


def already_cancelled(number: str, on: str, reason: str) -> str:
    why = f"（原因：{reason}）" if reason else ""
    return f"会议 {number} 已于{on}取消{why}，无需再次取消。"


def ask_cancel_reason(number: str) -> str:
    return f"请回复取消会议 {number} 的原因（将告知全部受邀单位），例如：时间冲突，另行通知。"


def confirm_cancel(meeting: Meeting, when: str, reason: str, units: int) -> str:
    return (
        f"确定取消{meeting.kind} {meeting.number}（{meeting.title}，{when}）吗？\n原因：{reason}\n"
        f"发送「确认」取消会议并通知{units}个受邀单位；不取消请发送「放弃」。"
    )


CANCEL_KEPT = "好的，会议没有取消，照常召开。"
NEED_CANCEL_REASON = "请写明取消原因（500字以内），它会告知全部受邀单位。"


def already_started(number: str) -> str:
    return f"会议 {number} 已经开始，不能再更改。"


def ask_units(kind: str, names: list[str]) -> str:
    listing = "\n".join(f"{n}. {name}" for n, name in enumerate(names, start=1))
    if kind == "专题会议":
        head = "请发送参会单位：名称或序号，用顿号或空格分隔（如：9、15 或 区人社局、区总工会）。"
    else:
        head = f"{kind}默认通知全体成员单位：发送「全部」确认，或发送单位名称/序号只通知部分单位。"
    return f"{head}\n{listing}"


def unknown_units(tokens: list[str]) -> str:
    return f"没有找到这些单位（或名称不唯一）：{'、'.join(tokens)}。请用完整名称或列表中的序号。"


def preview(kind: str, when: str, place: str, topics: str, units: list[str]) -> str:
    shown = (
        "、".join(units) if len(units) <= 12 else f"{'、'.join(units[:12])} 等{len(units)}个单位"
    )
    return (
        f"请核对会议通知：\n类型：{kind}\n时间：{when}\n地点：{place}\n议题：{clip(topics, 300)}\n"
        f"受邀单位（{len(units)}个）：{shown}\n{ASK_CONFIRM}"
    )


def created(meeting: Meeting, when: str, units: int, cards: int) -> str:
    return (
        f"已发出会议通知，会议号 {meeting.number}（{meeting.kind}，{when}，{meeting.place}）。"
        f"已通知{units}个单位、{cards}人。发送「参会情况 {meeting.number}」查看回复。"
    )


def card_title(meeting: Meeting) -> str:
    return f"{meeting.kind}通知 {meeting.number}"


def card_fallback(meeting: Meeting, invite: MeetingInvite, when: str) -> str:
    n = meeting.number
    current = f"\n本单位当前回复：{answer_text(invite)}" if invite.answer else ""
    return (
        f"【会议通知】{meeting.kind} {n}\n{meeting.title}\n时间：{when}\n地点：{meeting.place}\n"
        f"受邀单位：{invite.unit.name}{current}\n"
        f"请点击卡片按钮回复，或发送文字：参加 {n}｜请假 {n} 原因｜代参 {n} 姓名 职务"
    )


def cancelled_notice(meeting: Meeting, when: str) -> str:
    why = f"\n原因：{meeting.cancel_reason}" if meeting.cancel_reason else ""
    return f"【会议取消】原定{when}召开的{meeting.kind}（{meeting.number}，{meeting.title}）取消。{why}"


def cancel_done(number: str, units: int) -> str:
    return f"会议 {number} 已取消，已通知{units}个受邀单位。"


def moved_notice(meeting: Meeting, old: str, new: str) -> str:
    return (
        f"【会议改期】{meeting.kind} {meeting.number}（{meeting.title}）由{old}改为{new}，"
        f"地点：{meeting.place}。各单位原回复仍有效，如有变化请在新的通知卡片中重新选择。"
    )


def move_done(number: str, when: str, place: str) -> str:
    return f"会议 {number} 已改为{when}，地点：{place}。已重新通知全部受邀单位。"


# --- answers ---------------------------------------------------------------------------------
UNKNOWN_BUTTON = "无法识别这个按钮，请改用文字回复：参加/请假/代参 会议号。"
NEED_DELEGATE = "请写明代参人员姓名和职务，例如：张三 副局长。"
NAME_TOO_LONG = "姓名过长，请先写姓名，再写职务，用空格分开。"


def answer_text(invite: MeetingInvite, limit: int = 1000) -> str:
    """参加 / 请假（原因）/ 代参（姓名 职务）/ 未回复; `limit` shortens the reason or the name."""
    if invite.answer == "请假":
        return f"请假（{short(invite.reason, limit)}）"
    if invite.answer == "代参":
        who = " ".join(x for x in (invite.delegate_name, invite.delegate_title) if x)
        return f"代参（{short(who, limit)}）"
    return invite.answer or NO_ANSWER


def answer_recorded(meeting: Meeting, invite: MeetingInvite, when: str) -> str:
    return (
        f"已记录：{invite.unit.name} {answer_text(invite)} {meeting.number}（{meeting.title}，"
        f"{when}）。会议开始前可随时更改，以最后一次回复为准。"
    )


def not_invited(number: str) -> str:
    return f"您所在单位不在会议 {number} 的受邀名单中。如有疑问请联系联席会议办公室。"


def several_units(number: str, names: list[str]) -> str:
    return (
        f"您同时是多个单位（{'、'.join(names)}）的联系人，请在会议号后写明代表哪个单位，"
        f"例如：参加 {number} {names[0]}；请假 {number} {names[0]} 原因。"
    )


def stale_card(number: str) -> str:
    return f"会议 {number} 已改期，这张卡片已失效，请在最新的通知卡片中回复。"


def ask_detail(number: str, answer: str, *, again: bool = False) -> str:
    head = f"（{number} 的{answer}还待补充：" if again else f"已记录{answer}（{number}）。"
    tail = "）" if again else ""
    if answer == "请假":
        return f"{head}请回复请假原因。{tail}"
    return f"{head}请回复代参人员姓名和职务，例如：张三 副局长。{tail}"


def need_reason(number: str) -> str:
    return f"请写明请假原因，例如：请假 {number} 外出执法检查。"


def need_delegate(number: str) -> str:
    return f"请写明代参人员，例如：代参 {number} 张三 副局长。"


# --- reminders -------------------------------------------------------------------------------
_AHEAD = {"1d": "明天", "1h": "1小时后"}


def remind_unanswered(meeting: Meeting, when: str) -> str:
    n = meeting.number
    return (
        f"【提醒】{meeting.kind} {n}（{meeting.title}）将于{when}在{meeting.place}召开，"
        f"贵单位尚未回复。请发送：参加 {n}｜请假 {n} 原因｜代参 {n} 姓名 职务。"
    )


def remind_attending(meeting: Meeting, invite: MeetingInvite, label: str, when: str) -> str:
    return (
        f"【会议提醒】{meeting.kind} {meeting.number}（{meeting.title}）{_AHEAD[label]}召开："
        f"{when}，{meeting.place}。贵单位：{answer_text(invite)}。"
    )


def chase_cosign(meeting: Meeting, unit: str, version: int) -> str:
    n = meeting.number
    return (
        f"【催办】{meeting.kind} {n} 纪要（第{version}稿）待{unit}会签。"
        f"请发送「会签 {n} 同意」或「会签 {n} 意见 内容」；发送「纪要 查看 {n}」可查看全文。"
    )


# --- attendance ------------------------------------------------------------------------------
STAFF_ONLY = "仅限联席会议办公室和召集人使用。"
NEED_YEAR = "请写明年份，例如：会议 考核 2026。"


def no_access(number: str) -> str:
    return f"会议 {number} 的文件仅限受邀单位和联席会议办公室查看。"


def attendance_cell(invite: MeetingInvite) -> str:
    return f"{invite.unit.name}：{answer_text(invite)}"


ANSWER_ORDER = ("参加", "代参", "请假", NO_ANSWER)


def attendance_entry(invite: MeetingInvite) -> str:
    """One unit in its group on the 参会情况 board: the name, and the reason or the delegate, cut
    to 20 characters there (the .xlsx keeps them whole)."""
    if invite.answer in ("请假", "代参"):
        detail = answer_text(invite, 20)
        return f"{invite.unit.name}{detail[len(invite.answer) :]}"
    return invite.unit.name


def attendance_report(meeting: Meeting, when: str, invites: list[MeetingInvite]) -> str:
    """参会情况: the units grouped by their answer, each group with its count."""
    groups: dict[str, list[str]] = {k: [] for k in ANSWER_ORDER}
    for invite in invites:
        groups[invite.answer or NO_ANSWER].append(attendance_entry(invite))
    counts = Counter({k: len(v) for k, v in groups.items()})
    summary = "，".join(f"{k}{counts[k]}" for k in ANSWER_ORDER)
    state = "（已取消）" if meeting.cancelled_at else ""
    lines = [f"【{k}】{len(v)}个：{'、'.join(v)}" for k, v in groups.items() if v]
    return (
        f"{meeting.kind} {meeting.number}{state}：{meeting.title}\n{when}，{meeting.place}\n"
        f"受邀{len(invites)}个单位：{summary}\n" + "\n".join(lines)
    )


def upcoming_line(meeting: Meeting, when: str, answers: list[str]) -> str:
    """One meeting in the 会议 list, short enough that several fit one reply."""
    mine = f"　本单位：{short('；'.join(answers), 20)}" if answers else ""
    place, title = short(meeting.place, 12), short(meeting.title, 20)
    return f"{meeting.number} {meeting.kind}｜{when}｜{place}｜{title}{mine}"


def upcoming(lines: list[str], more: int, on_roster: bool) -> str:
    if not lines:
        return "近期没有您需要参加的会议。" if on_roster else "您不在联席会议名单中。"
    rest = f"\n……另有{more}次会议，发送「会议 会议号」查看。" if more else ""
    return (
        "即将召开的会议：\n" + "\n".join(lines) + rest + "\n发送「参会情况 会议号」查看各单位回复。"
    )


def short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def clip(text: str, limit: int) -> str:
    """At most `limit` characters, marked when cut (keeps a reply within one WeCom message)."""
    return text if len(text) <= limit else text[:limit] + f"……（共{len(text)}字）"


def meeting_details(meeting: Meeting, when: str, answers: list[str]) -> str:
    """会议 HY12: the whole notice (the list shortens place and title)."""
    state = "（已取消）" if meeting.cancelled_at else ""
    mine = f"\n本单位：{'；'.join(answers)}" if answers else ""
    return (
        f"{meeting.kind} {meeting.number}{state}\n时间：{when}\n地点：{meeting.place}\n"
        f"议题：{clip(meeting.topics, 400)}{mine}"
    )


def no_meetings_in(year: int) -> str:
    return f"{year}年还没有已召开的会议。"


def xlsx_ready(year: int, count: int) -> str:
    return f"{year}年共{count}次会议的参会情况表已生成（按单位统计，可用于综合考核）。"


# --- guests: units invited that are not member units (附件2 二(二)) -----------------------------
GUEST_USAGE = "邀请 会议号 单位名称 [联系人账号]，如「邀请 HY12 区档案馆 zhangsan」"


def guest_is_member(name: str) -> str:
    return f"「{name}」是成员单位，无需邀请：受邀成员单位在新建会议时选择。"


def guest_notice(meeting, when: str, guest: str) -> str:
    return (
        f"【会议邀请】{guest}：诚邀贵单位参加{meeting.kind}「{meeting.title}」，"
        f"时间：{when}，地点：{meeting.place}。会议号 {meeting.number}，会后纪要将印发贵单位。"
    )


def guest_added(meeting, guest: str, account: str) -> str:
    how = f"已向联系人 {account} 发出邀请" if account else "未留联系人账号，纪要中列入抄送"
    return f"已邀请{guest}参加 {meeting.number}（{how}）。"
