"""Every sentence of 征求意见 (comment rounds and the annex-3 form)."""

from __future__ import annotations

from datetime import date

from handlers.followup.text import CONFIRM_WORDS, d, full
from storage import followup as st

__all__ = ["CONFIRM_WORDS", "d", "full"]

REPLY_STATE = {
    st.PENDING: "尚未反馈",
    st.ANSWERED: "已反馈",
    st.NO_OPINION: "无修改意见",
    st.SILENT: "未反馈",
}

ASK_TITLE = "请发送征求意见稿的标题。"
ASK_DRAFT = "请发送征求意见稿：.docx 文件，或直接发送正文。"
ASK_UNITS = "请发送征求意见的单位：回复「全部」征求全部成员单位，或列出单位名称（用、分隔）。"
ASK_DUE = "请发送反馈截止日期（如 2026-12-04），或工作日数（如 7个工作日）。"
ASK_CONFIRM = "回复「确认」发出征求意见，或「取消」放弃。"


def round_preview(title: str, units: list[str], due: date, has_file: bool, today: date) -> str:
    draft = "（附 .docx 文件）" if has_file else ""
    return (
        f"征求意见：《{title}》{draft}\n征求单位（{len(units)}个）：{'、'.join(units)}\n"
        f"反馈截止：{d(due, today)}\n{ASK_CONFIRM}"
    )


def round_sent(number: str, count: int) -> str:
    return f"已发出征求意见 {number}，共{count}个单位。发送「意见汇总 {number}」可随时查看汇总。"


def round_notice(number: str, title: str, due: date, excerpt: str, today: date) -> str:
    body = f"\n{excerpt}" if excerpt else ""
    return (
        f"【征求意见】联席会议办公室就《{title}》征求意见（{number}），请于{d(due, today)}前反馈。{body}\n"
        f"回复「意见 {number} 修改意见」，或发送「意见 {number}」后上传 .docx；"
        f"没有修改意见请回复「意见 {number} 无」。未反馈的不视为同意。"
    )


def no_round(number: str) -> str:
    return f"没有找到征求意见「{number}」，或没有征求您单位的意见。"


def round_over(number: str, due: date, today: date) -> str:
    return f"{number}已于{d(due, today)}截止反馈，不能再提交或修改。如有意见请直接联系办公室。"


def ask_opinion(number: str) -> str:
    return f"请发送对{number}的修改意见：直接发送文字，或上传 .docx 文件；没有意见请回复「无」。"


def form_card(number: str, opinion: str, form: dict) -> str:
    lines = [f"{number} 修改意见反馈表（请核对）", f"单位名称：{form['单位名称']}"]
    lines.append(f"修改意见：{opinion[:200]}")
    for role in ("分管领导", "联络员"):
        f = form[role]
        lines.append(
            f"{role}：姓名 {f['姓名'] or '（未填）'}；职务 {f['职务'] or '（未填）'}；"
            f"办公电话 {f['办公电话'] or '（未填）'}；手机号码 {f['手机号码'] or '（未填）'}"
        )
    lines.append(
        "回复「确认」提交；如需更正，请回复如「分管领导 手机号码 13900000000」「联络员 办公电话 0371-12345678」。"
    )
    return "\n".join(lines)


BAD_FORM_EDIT = (
    "没有识别出要更正的栏目。请按「分管领导 手机号码 13900000000」这样回复，或回复「确认」提交。"
)


def opinion_saved(number: str, due: date, replaced: bool, today: date) -> str:
    verb = "已更新" if replaced else "已提交"
    return f"{verb}您单位对{number}的反馈。{d(due, today)}截止前可重新发送「意见 {number}」替换。"


def remind_round(number: str, title: str, due: date, today: date) -> str:
    when = "今天" if due == today else d(due, today)
    return (
        f"【征求意见提醒】《{title}》（{number}）将于{when}截止反馈，贵单位尚未反馈。"
        f"请回复「意见 {number} 修改意见」，没有意见请回复「意见 {number} 无」。"
    )


def round_closed_notice(number: str, title: str, answered: int, silent: list[str]) -> str:
    tail = f"；未反馈{len(silent)}个：{'、'.join(silent)}（记为未反馈）" if silent else ""
    return (
        f"【征求意见】《{title}》（{number}）已截止：反馈{answered}个单位{tail}。"
        f"发送「意见汇总 {number}」获取汇总表。"
    )


def summary_reply(number: str, counts: dict[str, int]) -> str:
    parts = "，".join(f"{REPLY_STATE[k]}{v}个" for k, v in counts.items() if v)
    return f"{number}意见汇总：{parts}。附修改意见反馈表汇总（.docx）和一览表（.xlsx）。"
