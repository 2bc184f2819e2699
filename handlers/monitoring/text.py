"""Every sentence the monitoring domain (体检数据、预警、舆情) shows to people."""

from __future__ import annotations

from datetime import date

from handlers import dates

IMPORT_USAGE = "体检 导入 [YYYY-MM 或 YYYY]"
DISPOSE_USAGE = "预警 处置 YJ4 处置情况"
DECIDE_USAGE = "预警 督办 YJ4 牵头 区卫健委；期限 2026-12-31[；配合 区应急管理局]"
INSPECT_USAGE = "预警 检查 YJ4 参加 区卫健委、区应急管理局；日期 2026-12-10至2026-12-11"
OPINION_USAGE = (
    "舆情 地点 某省某市；行业 石材加工；事件 多名工人确诊矽肺[；期限 2026-12-10][；镇街 马寨镇]"
)
SURVEY_USAGE = "摸底 YQ1 本辖区同类企业N家、现状、已采取的措施"

EMPTY_FILE = "文件中没有体检数据（第1行应为表头，第2行起为数据）。"
EMPTY_CELL = "不能为空"
TOO_LONG_CELL = "内容过长（最多200字）"
NOT_HEALTH_UNIT = "只有联席会议办公室和负责体检数据的单位（{units}）可以导入体检数据。"
ASK_FILE = (
    "请发送体检数据文件（.xlsx 或 .csv），统计月份：{first}至{last}。\n"
    "表头：{header}；体检日期或月份填一个即可。需要模板请发送「预警 模板」。"
)
NEED_FILE = "请发送 .xlsx 或 .csv 文件，或发送「取消」退出。"
TEMPLATE_READY = "体检数据模板已发送。每行一个体检机构对一个用人单位、一种危害因素的当月结果。"
NO_SIGNALS = "目前没有未处置的预警。"
NOT_OFFICE = "只有联席会议办公室可以处置预警。"
STATE = {"open": "待处置", "closed": "已处置"}
RULES = {
    "rate": "异常率超出历史基线",
    "suspected": "疑似职业病超出历史基线",
    "cluster": "同一用人单位90天内疑似职业病≥2例",
    "severe": "出现疑似尘肺病/放射性疾病",
    "complaint": "举报聚集",
}


def missing_columns(names: list[str]) -> str:
    return f"导入失败，未导入任何数据。第1行缺少列：{'、'.join(names)}。请使用「预警 模板」的表头。"


def bad_cell(row: int, column: str, why: str) -> str:
    return f"导入失败，未导入任何数据。第{row}行「{column}」列：{why}。"


def not_number(text: str) -> str:
    return f"「{text[:20]}」不是整数"


def negative(text: str) -> str:
    return f"「{text[:20]}」是负数，人数不能为负"


def more_than_examined(count: int, examined: int) -> str:
    return f"{count}人多于受检人数{examined}人"


def bad_date(text: str) -> str:
    return f"「{text[:20]}」不是日期，应写如 2026-10-15"


def bad_month(text: str) -> str:
    return f"「{text[:20]}」不是月份，应写如 2026-10"


def future(text: str) -> str:
    return f"「{text[:20]}」晚于今天"


def outside(period: str, first: str, last: str) -> str:
    span = first if first == last else f"{first}至{last}"
    return f"{period}不在本次导入的统计期（{span}）内"


def too_many_rows(limit: int) -> str:
    return f"导入失败，未导入任何数据。文件超过{limit}行，请按月分开发送。"


def duplicate(filename: str, when: str) -> str:
    return f"这份数据已于{when}导入（文件「{filename}」），未重复计入。"


def repeated_row(
    number: int, institution: str, employer: str, hazard: str, period: str, file: str, when: str
) -> str:
    return f"第{number}行（{institution}／{employer}／{hazard}／{period}）已在「{file}」中（{when}导入）"


def repeated_rows(count: int, total: int, lines: list[str]) -> str:
    more = f"\n……共{count}行" if count > len(lines) else ""
    return (
        f"文件中有{count}行（共{total}行）已经导入过，为免重复计入，整份文件未导入：\n"
        + "\n".join(lines)
        + more
        + "\n请删去已导入的行后重新发送。如要更正已导入的数据，请联系联席会议办公室。"
    )


def imported(rows: int, first: str, last: str, signals: int) -> str:
    span = first if first == last else f"{first}至{last}"
    tail = f"发出预警{signals}条，发送「预警」查看。" if signals else "未发现需要预警的情况。"
    return f"已导入体检数据{rows}行（{span}）。{tail}"


def pct(value: float) -> str:
    return f"{value * 100:.1f}%"


def rate_reason(f: dict) -> str:
    return (
        f"受检{f['examined']}人，异常（复查）{f['abnormal']}人，异常率{pct(f['rate'])}；"
        f"历史基线（{f['from']}至{f['to']}，{f['months']}个月）{pct(f['baseline'])}，"
        f"σ={pct(f['sigma'])}，预警阈值{pct(f['threshold'])}（基线+3σ），历史P80 {pct(f['p80'])}，"
        f"按基线率（取95%上限）出现该异常人数的概率{f['p']:.2g}（<0.0001）"
    )


def suspected_reason(f: dict) -> str:
    return (
        f"受检{f['examined']}人，疑似职业病{f['suspected']}例；按历史基线（{f['from']}至{f['to']}）"
        f"预期{f['expected']}例，泊松上尾概率{f['p']:.4f}（<0.001）"
    )


def cluster_reason(f: dict) -> str:
    return f"{f['first']}至{f['last']}疑似职业病{f['suspected']}例（≥2例/90天）"


def severe_reason(f: dict) -> str:
    return f"{f['period']}疑似职业病{f['suspected']}例（尘肺病、放射性疾病一例即预警）"


def merged(employers: list[str]) -> str:
    return f"；其中异常率同时超出自身基线的用人单位：{'、'.join(employers)}" if employers else ""


def signal_push(number: str, subject: str, rule: str, reason: str) -> str:
    return (
        f"【预警 {number}】{subject}：{RULES[rule]}。{reason}。\n请查找原因、采取措施。"
        f"处置：「预警 处置 {number} 情况」；转督办：「预警 督办 {number} 牵头 …；期限 …」；"
        f"联合检查：「预警 检查 {number} 参加 …；日期 …」。"
    )


def signal_line(number: str, period: str, subject: str, rule: str, reason: str) -> str:
    return f"{number}（{period}）{subject}：{RULES[rule]}。{reason[:80]}"


MAX_LISTED = 8  # keeps 预警 within one WeCom reply (2048 bytes)


def signal_list(lines: list[str]) -> str:
    more = f"\n另有{len(lines) - MAX_LISTED}条较早的预警未列出。" if len(lines) > MAX_LISTED else ""
    return f"未处置的预警{len(lines)}条（最新在前）：\n" + "\n".join(lines[:MAX_LISTED]) + more


def no_signal(number: str) -> str:
    return f"没有找到预警「{number}」。发送「预警」查看未处置的预警。"


def closed_already(number: str, outcome: str) -> str:
    return f"预警 {number} 已处置：{outcome}"


def closed(number: str, outcome: str) -> str:
    return f"预警 {number} 已处置：{outcome}"


def need_note(usage: str) -> str:
    return f"请写明处置情况，例如：{usage}"


def inspection_bad(missing: str) -> str:
    return f"请写明{missing}，例如：{INSPECT_USAGE}"


def complaint_subject(kind: str, key: str) -> str:
    if kind == "street":
        street, _, hazard = key.partition("|")
        return f"{street}·{hazard}（举报）"
    return f"用人单位「{key}」（举报）"


def opinion_bad(missing: str) -> str:
    return f"请写明{missing}，例如：{OPINION_USAGE}"


def opinion_notice(
    number: str, place: str, industry: str, event: str, due: date, why: str, today: date
) -> str:
    return (
        f"【舆情 {number}】{place}发生职业病危害事件（{industry}）：{event[:300]}\n"
        f"请贵单位（{why}）针对本辖区{industry}类企业开展调查摸底：企业数量、现状（危害因素、"
        f"防护、体检等）、已采取的措施，于{d(due, today)}前回复「摸底 {number} 情况」。"
    )


def opinion_sent(number: str, lines: list[str], due: date, today: date) -> str:
    return (
        f"已建立舆情 {number}，请以下{len(lines)}个单位于{d(due, today)}前报送调查摸底：\n"
        + "、".join(lines)
        + f"\n汇总：「舆情 汇总 {number}」。"
    )


def opinion_remind(number: str, industry: str, due: date, today: date) -> str:
    return f"【提醒】舆情 {number}（{industry}）调查摸底今天（{d(due, today)}）截止，请回复「摸底 {number} 情况」。"


def no_round(number: str) -> str:
    return f"没有找到舆情「{number}」，或贵单位不在这次调查摸底的范围内。"


def survey_saved(number: str, replaced: bool) -> str:
    return f"已{'更新' if replaced else '收到'}贵单位对舆情 {number} 的调查摸底，谢谢。"


def survey_notice(number: str, unit: str) -> str:
    return f"{unit}已报送舆情 {number} 的调查摸底。"


def need_survey() -> str:
    return f"请写明调查摸底情况，例如：{SURVEY_USAGE}"


def opinion_summary(number: str, answered: int, silent: list[str]) -> str:
    tail = f"未报送：{'、'.join(silent)}。" if silent else "全部单位已报送。"
    return f"舆情 {number} 调查摸底汇总（.docx）已生成：已报送{answered}个单位。{tail}"


def opinion_list(lines: list[str]) -> str:
    if not lines:
        return f"还没有舆情记录。新建：{OPINION_USAGE}"
    return "舆情记录：\n" + "\n".join(lines) + f"\n新建：{OPINION_USAGE}"


def d(value: date, today: date) -> str:
    """A deadline in a message: the year only when it is not `today`'s."""
    return dates.day(value, today)
