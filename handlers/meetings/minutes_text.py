"""Every sentence about minutes (纪要, 会签, 签发, 查看) shown to people, in one place."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from storage.meetings import Meeting, MeetingMinutes, MinutesSignature

ESCALATE_WORD = "报区政府决定"
REPORTED = "纪要已抄报区政府"
CONFIDENTIAL_MARK = "内部资料　未经联席会议办公室主任同意，不得对外公布和公开"

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


def several_cosigners(number: str, names: list[str]) -> str:
    return (
        f"您同时是多个会签单位（{'、'.join(names)}）的联系人，请写明代表哪个单位，"
        f"例如：会签 {number} {names[0]} 同意。"
    )


def not_cosigner(number: str) -> str:
    return f"您所在单位不在 {number} 纪要的会签单位中（会签单位为参会单位）。"


def signer_title(meeting: Meeting) -> str:
    """Who signs a meeting's minutes off (and settles disagreements about them)."""
    return "联席会议办公室主任" if meeting.kind == "联络员会议" else "召集人"


def cosign_recorded(meeting: Meeting, sign: MinutesSignature, verdict: str) -> str:
    number = meeting.number
    if verdict == "同意":
        return f"已记录：{sign.unit.name} 会签同意 {number} 纪要。"
    return f"已记录 {sign.unit.name} 对 {number} 纪要的意见，已转{signer_title(meeting)}协调。"


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
    return f"{meeting.kind}纪要由{signer_title(meeting)}签发，您没有签发权限。"


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
    guests = "、".join(g.name for g in meeting.guests)
    if meeting.kind == "办公室会议" and guests:  # 附件2 二(二): and the invited units
        return f"印发：联席会议各成员单位、{guests}"
    copy = f"　　抄送：{guests}" if guests else ""
    if meeting.kind in ("联络员会议", "办公室会议"):
        return "印发：联席会议各成员单位" + copy
    return "印发：联席会议各成员单位　　抄报：区政府" + copy


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
