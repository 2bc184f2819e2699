"""Every sentence of 联合检查 (joint inspections and their 整改 items)."""

from __future__ import annotations

from datetime import date

from handlers.followup.text import CONFIRM_WORDS, RECORD_USAGE, d, full, inspection_notice
from storage import followup as st

__all__ = ["CONFIRM_WORDS", "RECORD_USAGE", "d", "full", "inspection_notice"]

ASK_SUBJECT = "请发送检查主题，如「2026年冬季尘肺病防治联合执法检查」。"
ASK_DATES = "请发送检查日期，如「2026-12-01至2026-12-03」或「2026-12-01」。"
ASK_INSPECT_UNITS = "请发送参加检查的成员单位（用、分隔）。"
ASK_STREETS = "请发送被检查的镇街（用、分隔），没有请回复「无」。"
ASK_EMPLOYERS = "请发送被检查的用人单位（用、分隔）。"


def bad_dates(text: str) -> str:
    return f"无法识别日期「{text}」。请写如「2026-12-01至2026-12-03」。"


def inspection_preview(data: dict) -> str:
    return (
        f"联合检查：{data['subject']}\n日期：{data['dates_text']}\n"
        f"参加单位：{'、'.join(data['unit_names'])}\n镇街：{'、'.join(data['streets']) or '无'}\n"
        f"用人单位：{'、'.join(data['employers'])}\n回复「确认」建立，或「取消」放弃。"
    )


def inspection_created(number: str, count: int) -> str:
    return (
        f"已建立联合检查 {number}，已通知{count}个参加单位。结束后发送「联合检查 汇总 {number}」。"
    )


def no_inspection(number: str) -> str:
    return f"没有找到联合检查「{number}」，或您的单位没有参加这次检查。"


def unknown_employer(name: str, employers: list[str]) -> str:
    return f"「{name}」不在这次检查的对象中。检查对象：{'、'.join(employers)}。"


def finding_saved(employer: str, item: st.FollowupItem | None, today: date) -> str:
    if item is None:
        return f"已记录{employer}的检查情况：未发现问题。"
    return (
        f"已记录{employer}的检查情况，整改事项 {item.number}，期限{d(item.due, today)}。"
        f"整改完成后请发送「整改 完成 {item.number} 复查情况」。"
    )


NEED_DEADLINE = "发现问题的，请写明整改期限，如「期限：2026-12-31」。"
NEED_PROBLEMS = "请写明发现的问题，如「问题：未设置警示标识」，没有问题写「问题：无」。"


def rectified(item: st.FollowupItem) -> str:
    return f"已记录 {item.number}（{item.employer}）整改完成。"


def rectified_notice(item: st.FollowupItem, unit: str, note: str) -> str:
    return f"【整改完成】{item.number}（{item.employer}）{unit}确认整改完成：{note[:200]}"


def not_rectify(number: str) -> str:
    return f"{number}不是整改事项。督办事项请用「办结申请 {number} 办理结果」。"


def inspection_summary_reply(number: str, violations: int, open_items: int) -> str:
    tail = f"，尚有{open_items}项整改未完成" if open_items else "，整改均已完成"
    return f"已生成{number}联合检查总结和违法用人单位名单：发现问题的用人单位{violations}家{tail}。"
