"""Every sentence the yearly assessment shows."""

from __future__ import annotations

USAGE = "考核 2026"
MINE_USAGE = "考核 本单位 [2026]"
NA = "不适用"
BAD_YEAR = "年份「{text}」无效，例如：考核 2026（各单位查看本单位：考核 本单位）"
NO_UNIT = "您不是成员单位的联络员或分管领导，没有本单位的考核数据。"


def pct(rate: float | None) -> str:
    return NA if rate is None else f"{rate * 100:.1f}%"


def points(value: float | None) -> str:
    return NA if value is None else f"{value:.1f}"


def done(year: int, units: int, best: list[str], poor: list[str]) -> str:
    return (
        f"{year}年度综合考核已计算：{units}个成员单位，考核表（.xlsx）和考核通报草稿（.docx）已发送。\n"
        f"表现突出：{'、'.join(best) or '无'}；工作不力：{'、'.join(poor) or '无'}。"
    )


def mine(year: int, unit: str, lines: list[str], total: float | None, rank: int, count: int) -> str:
    head = f"{unit} {year}年度综合考核（截至今日）："
    tail = (
        "总分：暂无考核数据"
        if total is None
        else f"总分：{total:.1f}（第{rank}名/共{count}个单位）"
    )
    return "\n".join([head, *lines, tail])


def mine_line(label: str, done_count: int, due: int, rate: float | None, score: float | None,
              facts: list[str]) -> str:  # fmt: skip
    if rate is None:
        return f"· {label}：{NA}"
    extra = f"（{'；'.join(facts)}）" if facts else ""
    return f"· {label}：{done_count}/{due}，{pct(rate)}，得分{points(score)}{extra}"
