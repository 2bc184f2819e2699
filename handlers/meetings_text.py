"""Every sentence the meetings domain shows to people, in one place so code and tests share it."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from storage.meetings import Meeting, MeetingInvite, MeetingMinutes, MinutesSignature

WEEKDAYS = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
NO_ANSWER = "未回复"
REASON_PENDING = "原因待补充"
NAME_PENDING = "姓名待补充"
ESCALATE_WORD = "报区政府决定"
REPORTED = "纪要已抄报区政府"
CONFIDENTIAL_MARK = "内部资料　未经联席会议办公室主任同意，不得对外公布和公开"
KIND_RULES = "全体会议、专题会议由召集人或办公室发起；联络员会议由办公室发起。"

# --- calling a meeting -----------------------------------------------------------------------
ASK_KIND = (
    "请选择会议类型（回复序号）：\n1 全体会议\n2 专题会议\n3 联络员会议\n随时发送「取消」可退出。"
)
ASK_TIME = "请发送会议时间，例如：2026-12-01 15:00，或 12月1日 下午3点。"
ASK_PLACE = "请发送会议地点。"
ASK_TOPICS = "请发送会议议题（可多行，第一行作为会议名称）。"
ASK_CONFIRM = "请发送「确认」发出会议通知，或发送「取消」放弃。"
NEED_TEXT = "请用文字回复。发送「取消」可退出。"
TOO_LONG_PLACE = "地点请控制在200字以内。"
TOO_LONG_TOPICS = "议题请控制在2000字以内。"
TOPIC_NEEDS_LIST = "专题会议请列出与议题相关的参会单位（名称或序号，用顿号分隔）。"
NEED_NUMBER = "请写明会议号，例如 HY12。发送「会议」可查看您的会议。"
NEED_NEW_TIME = "请写明新的会议时间，例如：改期 HY12 2026-12-02 15:00 [新地点]。"


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
        f"请核对会议通知：\n类型：{kind}\n时间：{when}\n地点：{place}\n议题：{topics}\n"
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


def answer_text(invite: MeetingInvite) -> str:
    if invite.answer == "请假":
        return f"请假（{invite.reason}）"
    if invite.answer == "代参":
        who = " ".join(x for x in (invite.delegate_name, invite.delegate_title) if x)
        return f"代参（{who}）"
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
        f"您同时是多个单位（{'、'.join(names)}）的联系人，无法判断代表哪个单位回复 {number}。"
        "请点击对应单位的通知卡片，或由该单位其他联系人回复。"
    )


def stale_card(number: str) -> str:
    return f"会议 {number} 已改期，这张卡片已失效，请在最新的通知卡片中回复。"


def ask_detail(number: str, answer: str) -> str:
    if answer == "请假":
        return f"已记录请假（{number}）。请回复请假原因。"
    return f"已记录代参（{number}）。请回复代参人员姓名和职务，例如：张三 副局长。"


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


def attendance_line(invite: MeetingInvite) -> str:
    return "· " + attendance_cell(invite)


def attendance_report(meeting: Meeting, when: str, counts: Counter, lines: list[str]) -> str:
    total = sum(counts.values())
    summary = "，".join(f"{k}{counts[k]}" for k in ("参加", "代参", "请假", NO_ANSWER))
    state = "（已取消）" if meeting.cancelled_at else ""
    return (
        f"{meeting.kind} {meeting.number}{state}：{meeting.title}\n{when}，{meeting.place}\n"
        f"受邀{total}个单位：{summary}\n" + "\n".join(lines)
    )


def upcoming_line(meeting: Meeting, when: str, answers: list[str]) -> str:
    mine = f"　本单位：{'；'.join(answers)}" if answers else ""
    return f"{meeting.number} {meeting.kind}｜{when}｜{meeting.place}｜{meeting.title}{mine}"


def upcoming(lines: list[str], on_roster: bool) -> str:
    if not lines:
        return "近期没有您需要参加的会议。" if on_roster else "您不在联席会议名单中。"
    return "即将召开的会议：\n" + "\n".join(lines) + "\n发送「参会情况 会议号」查看各单位回复。"


def meeting_details(meeting: Meeting) -> str:
    return f"议题：{meeting.topics}"


def no_meetings_in(year: int) -> str:
    return f"{year}年还没有已召开的会议。"


def xlsx_ready(year: int, count: int) -> str:
    return f"{year}年共{count}次会议的参会情况表已生成（按单位统计，可用于综合考核）。"


# --- minutes ---------------------------------------------------------------------------------
ASK_CONFIRM_MINUTES = "请发送「确认」送交会签，或发送「取消」放弃。"
ONLY_DOCX = "只接收 .docx 格式的纪要文件，也可以直接发送纪要正文。"
DOCX_TOO_BIG = "文件超过10MB，请压缩图片后再发送，或直接发送纪要正文。"
DOCX_UNREADABLE = "无法读取这个 .docx 文件，请确认文件完好，或直接发送纪要正文。"
DOCX_EMPTY = "这个 .docx 文件没有文字内容。"
MINUTES_TOO_LONG = "纪要正文超过2万字，请以 .docx 文件发送。"
NO_COSIGNERS = "无参会单位，无需会签。"
DIRECTOR_ONLY = "同意公开须由联席会议办公室主任决定（附件2 三（二））。"


def not_held_yet(number: str) -> str:
    return f"会议 {number} 尚未召开，会后再提交纪要。"


def frozen(number: str) -> str:
    return f"会议 {number} 的纪要已签发，已定稿，不能再修改或会签。"


def no_minutes(number: str) -> str:
    return f"会议 {number} 还没有提交纪要。"


def ask_minutes(number: str) -> str:
    return f"请发送 {number} 的纪要正文，或发送 .docx 纪要文件。"


def minutes_preview(number: str, excerpt: str, units: list[str]) -> str:
    who = "、".join(units) if units else "（无单位回复参加，签发人可直接签发）"
    return f"{number} 纪要摘录：\n{excerpt}\n\n将送以下参会单位会签：{who}\n{ASK_CONFIRM_MINUTES}"


def minutes_sent(number: str, version: int, units: list[str]) -> str:
    if not units:
        return f"{number} 纪要（第{version}稿）已保存；没有需要会签的单位，已通知签发人。"
    return f"{number} 纪要（第{version}稿）已送{len(units)}个单位会签：{'、'.join(units)}。"


def cosign_request(meeting: Meeting, minutes: MeetingMinutes, limit: int) -> str:
    n, text = meeting.number, minutes.text
    body = text if len(text) <= limit else text[:limit] + f"……（全文请发送「纪要 查看 {n}」）"
    return (
        f"【纪要会签】{meeting.kind} {n}（{meeting.title}）纪要第{minutes.version}稿，请贵单位会签：\n"
        f"{body}\n\n同意请发送「会签 {n} 同意」；有不同意见请发送「会签 {n} 意见 具体意见」。"
    )


def cosign_usage(number: str) -> str:
    return f"请发送「会签 {number} 同意」或「会签 {number} 意见 具体意见」。"


def not_cosigner(number: str) -> str:
    return f"您所在单位不在 {number} 纪要的会签单位中（会签单位为参会单位）。"


def cosign_recorded(number: str, sign: MinutesSignature, verdict: str) -> str:
    if verdict == "同意":
        return f"已记录：{sign.unit.name} 会签同意 {number} 纪要。"
    return f"已记录 {sign.unit.name} 对 {number} 纪要的意见，已转召集人协调。"


def objection_notice(meeting: Meeting, sign: MinutesSignature, who: str) -> str:
    n = meeting.number
    return (
        f"【纪要意见】{sign.unit.name}（{who}）对 {meeting.kind} {n} 纪要提出意见：\n{sign.opinion}\n"
        f"请协调：该单位可改为「会签 {n} 同意」，或办公室修改后重新提交「纪要 {n}」；"
        f"协调后仍不能一致的，可「签发 {n} {ESCALATE_WORD}」，分歧意见随纪要报区政府。"
    )


def ready_for_signoff(meeting: Meeting) -> str:
    n = meeting.number
    return f"{meeting.kind} {n} 纪要已全部会签同意，请发送「签发 {n}」签发。"


def not_signer(meeting: Meeting) -> str:
    who = "联席会议办公室主任" if meeting.kind == "联络员会议" else "召集人"
    return f"{meeting.kind}纪要由{who}签发，您没有签发权限。"


def still_waiting(number: str, units: list[str]) -> str:
    return f"{number} 纪要尚有单位未会签：{'、'.join(units)}。全部会签后才能签发。"


def unresolved(number: str, objections: list[MinutesSignature]) -> str:
    listed = "\n".join(f"· {s.unit.name}：{s.opinion}" for s in objections)
    return (
        f"{number} 纪要有不同意见尚未协调一致：\n{listed}\n请协调后由该单位改为同意，或修改纪要重新会签；"
        f"协调后仍不能一致的，发送「签发 {number} {ESCALATE_WORD}」，分歧意见随纪要报区政府。"
    )


def escalation_note(objections: list[MinutesSignature]) -> str:
    listed = "；".join(f"{s.unit.name}：{s.opinion}" for s in objections)
    return f"经协调仍有不同意见，报区政府决定。分歧意见：{listed}"


def signed_off(meeting: Meeting, people: int, reported: bool) -> str:
    to_gov = "，并已登记抄报区政府" if reported else ""
    return f"{meeting.number} 纪要已签发定稿，已印发各成员单位（{people}人）{to_gov}。"


def issued_notice(meeting: Meeting) -> str:
    return f"【纪要印发】{meeting.kind} {meeting.number}（{meeting.title}）纪要已签发，见附件。"


def minutes_filename(meeting: Meeting) -> str:
    return f"{meeting.number}-{meeting.kind}纪要.docx"


def minutes_heading(org_name: str, meeting: Meeting) -> str:
    return f"{org_name}{meeting.kind}纪要"


def minutes_number_line(meeting: Meeting, minutes: MeetingMinutes) -> str:
    return f"（{meeting.number}，第{minutes.version}稿）"


def minutes_meta(meeting: Meeting, when: str) -> str:
    return f"时间：{when}　地点：{meeting.place}\n议题：{meeting.topics}"


def signoff_line(who: str, when: str) -> str:
    return f"签发：{who}　{when}"


def distribution_line(meeting: Meeting) -> str:
    if meeting.kind == "联络员会议":
        return "印发：联席会议各成员单位"
    return "印发：联席会议各成员单位　　抄报：区政府"


def minutes_state(minutes: MeetingMinutes) -> str:
    if minutes.signed_off_at:
        return "已签发"
    return f"第{minutes.version}稿，会签中"


def minutes_view(
    meeting: Meeting, minutes: MeetingMinutes, state: str, text: str, file: bool
) -> str:
    mark = "" if meeting.released_at else f"\n【{CONFIDENTIAL_MARK}】"
    attached = "\n（纪要文件见附件）" if file else ""
    return f"{meeting.kind} {meeting.number} 纪要（{state}）{mark}\n{text}{attached}"


def view_log(number: str, lines: list[str]) -> str:
    if not lines:
        return f"{number} 纪要尚无人查看。"
    return f"{number} 纪要查看记录（{len(lines)}次）：\n" + "\n".join(lines)


def already_released(number: str, when: str) -> str:
    return f"会议 {number} 的文件已于{when}同意公开。"


def released(number: str) -> str:
    return f"已登记：同意公开会议 {number} 的文件。此后推送不再标注保密，公众也可查看纪要。"
