"""Every user-facing sentence of the monthly reports and the bulletin, in one place.

Tests import these constants, so wording can change without breaking them.
"""

from __future__ import annotations

MAX_SECTION = 2000  # characters per section
NONE_WORDS = ("无", "没有", "暂无", "本月无", "無")  # also with a full stop

BAD_PERIOD = "月份「{text}」无效，请写成 YYYY-MM，例如 2026-11。"
BAD_QUARTER = "季度「{text}」无效，请写成 年份+Q+季度，例如 2026Q3。"
NOT_OPEN = "{period}的月报将于{opens}开放填报，现在还不能报送。"
BEFORE_FIRST = "{period}早于本系统开始统计的月份（{first}），不能填报或查询。"
TOO_FAR = "{period}还没有到，最远只能到{latest}。请检查月份是否写错。"
CHOOSE_UNIT = "您是多个单位的联络员（{units}），请在指令后写明单位，例如：月报 {first}"
NOT_YOUR_UNIT = "您只能查看本单位的月报。"
NOT_LIAISON_OF = "您不是{unit}的联络员，只能填报本单位的月报。"
NO_UNIT = "没有找到单位「{name}」。"
MANY_UNITS = "「{name}」可能指多个单位（{units}），请写全称。"
UNKNOWN_ARG = "没有识别「{word}」。用法：{usage}"
OFFICE_NEEDS_UNIT = "请写明单位，例如：月报 查看 2026-11 区人社局；查看全部请用「月报 汇总」。"

START = (
    "开始填报{unit}{period}月报（截止{deadline}）。{existing}\n"
    "共三部分，每部分没有内容可回复「无」，随时回复「取消」退出。\n"
)
ASK_WORK = "第一部分【工作动态】：请发送本月涉及职业病防治的工作动态。"
START += ASK_WORK
EXISTING = "本月已报送第{version}版，这次提交将替换它（原版本保留）。"
ASK_ACTIVITIES = "第二部分【主要活动】：请发送本月开展的主要活动。"
ASK_PROGRESS = "第三部分【重大事项进展】：请发送重大事项的进展情况。"
PREVIOUS_PROGRESS = "上月（{period}）报送的重大事项进展如下，未办结的请更新进展，已办结的请注明「已办结」：\n{items}"
EMPTY_SECTION = "【{section}】不能为空；没有内容请回复「无」。"
TOO_LONG = "【{section}】共{length}字，超过{limit}字的上限，请精简后重新发送。"
MISSING_SECTIONS = (
    "一句话填报须包含三部分，缺少：{missing}。格式：月报 工作动态：…；主要活动：…；重大事项进展：…"
)
PREVIEW = (
    "请核对{unit}{period}月报：\n{body}\n回复「确认」提交，「修改」修改某一部分，「取消」放弃。"
)
ASK_WHICH = "请回复要修改的部分：工作动态、主要活动 或 重大事项进展。"
ASK_NEW = "请发送【{section}】的新内容（没有请回复「无」）。"
CONFIRM_HINT = "请回复「确认」提交，「修改」修改，或「取消」放弃。"
NOT_YET = "还没有填完：请先发送【{step}】的内容（没有请回复「无」）。"
SAVED_ON_TIME = "已提交{unit}{period}月报（第{version}版），按时报送（截止{deadline}）。"
SAVED_LATE = (
    "已提交{unit}{period}月报（第{version}版）。已超过截止日期{deadline}，本次报送记为迟交。"
)
REPLACED = "上一版已保留。"
REPLACED_LATE = (
    "已提交{unit}{period}月报（第{version}版），上一版已保留。本版在截止日期{deadline}后提交，"
    "已记录；本月报送是否按时仍以首次报送（{first}，{status}）为准。"
)

NOT_FILED = "{unit}{period}月报尚未报送（截止{deadline}）。"
VIEW_HEAD = "{unit}{period}月报（第{version}版，{status}）\n报送：{person} {filed}"
VIEW_VERSIONS = "历史版本：{versions}"
SUMMARY_HEAD = "{period}月报汇总（截止{deadline}）：已报{filed}个单位，未报{missing}个。"
SUMMARY_MISSING = "未报单位：{units}"
STATUS_HEAD = "{period}月报报送情况（截止{deadline}{note}）"
STATUS_NOT_DUE = "，尚未到期"
STATUS_COUNTS = "按时 {on_time} · 迟交 {late} · 未报 {missing}（共{total}个单位）"

ON_TIME, LATE, MISSING = "按时", "迟交", "未报"
PENDING = "未截止"  # no report yet, but the deadline has not passed: not counted as 未报

REMIND = {
    "open": "【月报提醒】{period}月报已开放填报，请于{deadline}（第{n}个工作日）前报送{unit}的月报。发送「{command}」开始填报。",
    "before": "【月报提醒】{unit}{period}月报尚未报送，截止日期为{deadline}，还有两个工作日。发送「{command}」开始填报。",
    "due": "【月报提醒】今天（{deadline}）是{period}月报的截止日，{unit}尚未报送，请今天内完成。发送「{command}」开始填报。",
    "overdue": "【月报逾期】{unit}{period}月报已于{deadline}截止，至今未报送，现抄送分管领导。请联络员尽快发送「{command}」补报，补报将记为迟交。",
    "manual": "【催报】联席会议办公室提醒：{unit}{period}月报尚未报送（截止{deadline}）。请联络员发送「{command}」填报。",
}
CHASED = "已向{units}个未报单位的{people}人发出催报（{period}）。"
CHASED_AGAIN = "刚刚已催报过{period}的{units}个未报单位，未重复发送。"
CHASE_NOT_OPEN = "{period}的月报将于{opens}开放填报，现在还不能催报。"
CHASE_UNIT_FILED = "{unit}{period}月报已报送，无需催报。"
CHASE_RECENT = (
    "{when}已自动提醒过{period}月报的未报单位。确定要再催一次，请回复「确认」；不催请回复「取消」。"
)
CHASE_CONFIRM_HINT = "再次催报请回复「确认」，不催请回复「取消」。"
CHASED_NONE = "{period}月报各单位均已报送，无需催报。"
CHASED_NOBODY = (
    "{period}月报还有{units}个单位未报，但这些单位没有登记在任的联络员，无法催报，请先更新名单。"
)

ASSESS_DONE = "{year}年月报报送考核表已生成：{units}个单位，统计{months}个月（{first}至{last}）。"
ASSESS_NONE = "{year}年还没有已截止的月份，暂无考核数据。"
ASSESS_BAD_YEAR = "年份「{text}」无效，例如：月报 考核 2026"

# The quarterly bulletin
MAX_LISTED = 10
MORE = "等{n}个单位"
NONE_MISSING = "无"
SUMMARY = (
    "《联席会议工作简报》{number}（{quarter}）\n"
    "收录{units}个单位的{reports}份月报：按时{on_time}份、迟交{late}份，未报{missing}份。\n"
    "有未报月份的单位：{missing_units}"
)
ASK_QUARTER = "请写明季度，例如：简报 生成 2026Q3"
NOT_STARTED = "{quarter}尚未开始报送，不能生成简报。"
FROZEN = "{issue}简报已印发，已冻结，不能重新生成。"
INCOMPLETE = "注意：{months}月报尚未截止，简报内容可能不完整。\n"
DRAFT_NUMBER = "草稿"
DRAFT_NAME = "{quarter}简报草稿"
GENERATED = (
    "{quarter}简报草稿已生成{again}，文件见下。核对无误后发送「简报 发布 {code}」印发，"
    "期号在印发时按顺序编定；不用这份草稿请发送「简报 作废 {code}」。"
)
DRAFT_REPLACED = "，已替换此前的草稿"
ASK_ISSUE = "请写明期号或季度，例如：{usage}"
NO_ISSUE = "没有找到简报「{text}」。发送「简报 列表」查看各期简报。"
STALE_DRAFT = (
    "{issue}草稿生成（{when}）后又有单位报送或修改了月报，草稿已不是最新内容。"
    "请先发送「简报 生成 {quarter}」重新生成并核对，再印发。"
)
ALREADY = "{issue}简报已于{when}印发，不再重复推送。"
PUSH = "【工作简报】{summary}\n全文见随后发送的文件。"
PUBLISHED = "{issue}简报已印发，已推送给{people}位成员单位联络员和分管领导。本期已冻结。"
STATE_PUBLISHED = "已印发 {when}"
STATE_DRAFT = "草稿（{when}生成）"
VOIDED = "{issue}已作废。需要时可发送「简报 生成 {quarter}」重新生成。"
VOID_PUBLISHED = "{issue}简报已印发，不能作废。"
EMPTY_LIST = "还没有简报。"
LIST_HEAD = "《联席会议工作简报》各期："
LIST_HINT = "发送「简报 下载 期号」重新获取文件，例如：简报 下载 2026年第1期"
DOWNLOAD = "{issue}简报：{name}"
