"""Every word the referrals domain shows to people, in one place so tests and code share it.

Three audiences, three kinds of text: the reporter (plain status, never internal notes), the
receiving unit (case facts, never the reporter's identity) and the office (everything but the
identity, which only `举报人` opens).
"""

from __future__ import annotations

from datetime import date

from handlers import dates
from storage import referrals as st

HAZARDS = ("粉尘", "噪声", "化学毒物", "放射", "高温", "其他")

STATUS = {  # for the office and the units
    st.NEW: "待受理",
    st.ACCEPTED: "已受理（待转办）",
    st.REJECTED: "不予受理",
    st.REFERRED: "已转办（待签收）",
    st.SIGNED: "办理中",
    st.RETURNED: "已退回（待重新转办）",
    st.ANSWERED: "已反馈（待办结）",
    st.CLOSED: "已办结",
}

SHORT_STATUS = {  # in the office's lists, where the deadline beside it tells the stage
    st.NEW: "待受理",
    st.ACCEPTED: "待转办",
    st.REJECTED: "不予受理",
    st.REFERRED: "待签收",
    st.SIGNED: "办理中",
    st.RETURNED: "已退回",
    st.ANSWERED: "待办结",
    st.CLOSED: "已办结",
}

# ---- intake (举报) -------------------------------------------------------------------------
ASK_EMPLOYER = (
    "您好，这里受理职业病危害问题举报，举报人信息将严格保密。随时发送「取消」可退出。\n"
    "第1步（共5步）：请输入被反映的用人单位名称。"
)
ASK_PLACE = "第2步：请输入该单位的地址或所在街道（镇），例如「淮河路街道××路××号」。"
ASK_HAZARD = (
    "第3步：请选择危害类型，回复序号或名称（有几种的可以一起写，如「1、2」或「粉尘和噪声」）：\n"
    + "\n".join(f"{i}. {h}" for i, h in enumerate(HAZARDS, start=1))
)
ASK_DESCRIPTION = (
    "第4步：请描述具体情况：发生了什么、在哪个车间或岗位、涉及多少人、持续多久。\n"
    "为保护您，请不要在描述中写您的姓名或联系方式。"
)
ASK_CONTACT = (
    "第5步（可选）：如愿意留下联系方式以便核实，请回复手机号或其他联系方式；不留请回复「无」。\n"
    "联系方式加密保存，承办单位看不到。"
)
NO_CONTACT_WORDS = {
    "无",
    "不留",
    "没有",
    "否",
    "不",
    "跳过",
    "不用",
    "不需要",
    "不要",
    "匿名",
    "none",
}
CONFIRM_WORDS = {"提交", "确认", "确认提交", "确定", "是", "是的", "好", "好的", "ok"}
BAD_EMPLOYER = "用人单位名称应为2至100个字，请重新输入。"
BAD_PLACE = "地址或街道应为2至200个字，请重新输入。"
BAD_HAZARD = (
    "没有识别该危害类型。请回复1至6的序号，或名称：" + "、".join(HAZARDS) + "；"
    "有几种的，可以一起写，如「粉尘和噪声」或「1、2」。"
)
BAD_DESCRIPTION = "情况描述应为10至1000个字，请补充后重新输入。"
BAD_CONTACT = "联系方式应为3至50个字；不留请回复「无」。"
ASK_CONFIRM = "回复「提交」确认举报，或「取消」放弃。"


def preview(data: dict, masked_contact: str) -> str:
    return (
        "请核对举报内容：\n"
        f"用人单位：{data['employer']}\n地址/街道：{data['place']}\n危害类型：{data['hazard']}\n"
        f"情况：{data['description']}\n联系方式：{masked_contact or '未留'}\n{ASK_CONFIRM}"
    )


def filed(number: str, code: str) -> str:
    return (
        f"举报已登记。编号：{number}，查询码：{code}\n"
        f"请妥善保存查询码（只显示这一次）。发送「查询 {number} {code}」可查看办理进度；"
        "办结后会通知您。"
    )


# ---- 查询 (reporter) ----------------------------------------------------------------------
QUERY_USAGE = "用法：查询 编号 查询码，例如「查询 JB202611230001 ABC234」。"
# the same words for a wrong number and a wrong code
QUERY_NOT_FOUND = "编号或查询码不正确，请核对后重试。"


def query_cooldown(until: str, limit: int) -> str:
    """During a cool-down nothing is checked, so the answer cannot tell a right code from a wrong."""
    return (
        f"查询码输错次数过多，查询已暂停，请于{until}后再试。"
        f"为防止他人猜测查询码，同一账号、同一举报编号每小时最多可输错{limit}次。"
    )


def guess_alert(number: str, count: int) -> str:
    return (
        f"【查询异常】近1小时内针对举报 {number} 的错误查询已达{count}次，可能有人在猜测查询码；"
        "该编号的查询已暂时停止。查询码只能查看办理进度，不含举报人身份。"
        "如举报人联系办公室，请告知其稍后再试。"
    )


def public_status(case: st.ReferralCase, due_text: str) -> str:
    """What the reporter sees: plain words, no unit notes, no names of the handling staff."""
    if case.status == st.NEW:
        return "已收到，等待联席会议办公室受理。"
    if case.status in (st.ACCEPTED, st.RETURNED):
        return "已受理，正在确定承办单位。"
    if case.status in st.AT_UNIT:
        return f"已受理，已转交有关单位办理，办理期限至{due_text}。"
    if case.status == st.ANSWERED:
        return "承办单位已报送办理情况，联席会议办公室正在审核。"
    if case.status == st.REJECTED:
        return f"不予受理。理由：{case.conclusion}"
    return f"已办结。办理结果：{case.conclusion}"


def query_answer(case: st.ReferralCase, filed_on: str, due_text: str) -> str:
    return (
        f"举报编号：{case.number}\n登记日期：{filed_on}\n用人单位：{case.employer}\n"
        f"办理进度：{public_status(case, due_text)}"
    )


def reporter_accepted(number: str) -> str:
    return (
        f"您反映的问题（编号 {number}）已受理，将转交有关单位办理。"
        f"可随时发送「查询 {number} 查询码」查看进度。"
    )


def reporter_closed(number: str, conclusion: str) -> str:
    return f"您反映的问题（编号 {number}）已办结。办理结果：{conclusion}\n感谢您的监督。"


def reporter_rejected(number: str, reason: str) -> str:
    return f"您反映的问题（编号 {number}）经审核不予受理。理由：{reason}\n如有新情况，可重新举报。"


# ---- office and units ----------------------------------------------------------------------
def day(value: date | None, today: date) -> str:
    """A deadline in a message: «12月3日» within `today`'s year, with the year otherwise."""
    return dates.day(value, today) if value else "—"


def full(value: date | None) -> str:
    """A date in the case log, read at any time: always with the year."""
    return dates.full_day(value) if value else "—"


def case_facts(case: st.ReferralCase) -> str:
    """The facts a receiving unit may see: nothing about who reported."""
    return (
        f"用人单位：{case.employer}\n地址/街道：{case.place}\n危害类型：{case.hazard}\n"
        f"反映情况：{case.description}"
    )


def new_case_notice(case: st.ReferralCase, suggestion: str) -> str:
    return (
        f"【新举报】{case.number}\n{case_facts(case)}\n建议承办：{suggestion or '—'}\n"
        f"发送「受理 {case.number}」受理，或「不予受理 {case.number} 理由」。"
    )


def referral_slip(case: st.ReferralCase, unit: str, today: date) -> str:
    return (
        f"【转办单】{case.number}\n承办单位：{unit}\n{case_facts(case)}\n"
        f"签收期限：{day(case.sign_due, today)}　反馈期限：{day(case.answer_due, today)}\n"
        f"请回复「签收 {case.number}」；不属本单位职责的，回复「退回 {case.number} 理由」。"
    )


def workday_count(n: int) -> str:
    return f"{n}个工作日"


NOT_FOUND = "没有找到编号为「{number}」的举报，请核对编号。"
NEED_NUMBER = "请在指令后写举报编号，例如「{usage}」。"
NEED_TEXT = "请写明{what}，例如「{usage}」。"
BAD_DAYS = "天数应为1至60的整数（工作日），例如「{usage}」。"
NOT_YOURS = (  # the same for a number that does not exist and another unit's case
    "本单位没有编号为「{number}」的转办件，无法{action}。请核对编号，或发送「承办」查看本单位的转办件。"
)
NO_UNIT_MATCH = "没有找到名称含「{name}」的成员单位。{hint}"
BAD_DEADLINE = (
    "没有看懂期限「{text}」。期限请写反馈期限的工作日数（如「10」「10个工作日」「十个工作日」），"
    "或今后的日期（如「12月3日」「下周三」）；不写则按默认期限。例如「{usage}」。"
)
MAX_RESULT = 2000  # characters, as a monthly report's section
RESULT_TOO_LONG = "【办理结果】共{length}字，超过{limit}字的上限，请精简后重新发送。"


def many_units(name: str, names: list[str]) -> str:
    shown = "、".join(names[:6]) + (f"等{len(names)}个单位" if len(names) > 6 else "")
    return f"「{name}」对应多个单位：{shown}。请写出完整名称或更具体的简称，如「区人社局」。"


def one_unit_only(names: list[str], usage: str) -> str:
    return (
        f"一件举报同一时间只能由一个单位承办，您写了{len(names)}个单位：{'、'.join(names)}。"
        f"请选定牵头单位转办，例如「{usage}」；需要其他单位配合的，由牵头单位商请配合，"
        "或在牵头单位退回后改转其他单位。"
    )


def cannot(number: str, status: str, action: str, hint: str = "") -> str:
    return f"编号 {number} 当前状态为「{STATUS[status]}」，不能{action}。{hint}".strip()
