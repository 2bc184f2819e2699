"""The mistakes real people make: typos, full-width punctuation, arguments in the wrong order,
commands sent in the middle of a report, repeats. Each is understood or answered plainly."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from handlers.referrals import text as tx
from storage.referrals import ReferralCase, ReferralReporter
from tests.handlers.referrals.support import REPORTER, file_report, texts
from tests.support import TZ

OFFICE = "demo-office"
RS, RS_LEADER = "demo-u09-liaison", "demo-u09-leader"  # 区人社局


def _accepted(bot, **report) -> str:
    number, _code = file_report(bot, **report)
    bot.send(OFFICE, f"受理 {number}")
    bot.pushes()
    return number


def _case(bot, number: str) -> ReferralCase:
    with bot.session() as s:
        return s.scalar(select(ReferralCase).where(ReferralCase.number == number))


def test_a_command_in_the_middle_of_a_report_runs_and_the_report_goes_on(bot):
    number = _accepted(bot)
    bot.send(OFFICE, f"转办 {number} 人社局")
    bot.pushes()
    assert "第1步" in bot.send(RS, "举报")
    answer = bot.send(RS, f"签收　{number.lower()}")  # full-width space, lower case: still an id
    assert answer.startswith(f"已签收 {number}") and "您还在「举报」中" in answer
    assert answer.endswith(tx.ASK_EMPLOYER.split("\n", 1)[1])  # the question asked again
    assert _case(bot, number).status != "referred"  # signed, and not a report's employer
    again = bot.send(RS, f"签收{number}")  # glued to its keyword: the same command
    assert "您还在「举报」中" in again and "用人单位名称" in again
    assert "第2步" in bot.send(RS, "某某建材厂")
    refused = bot.send(RS, "待办")  # a bare keyword is not taken as the address either
    assert "仅限" in refused and refused.endswith(tx.ASK_PLACE)
    assert "第3步" in bot.send(RS, "淮河路街道")
    assert "已退出" in bot.send(RS, "取消")


def test_hazard_words_and_punctuated_answers_are_understood(bot):
    bot.send(REPORTER, "举报")
    bot.send(REPORTER, "某某五金厂")
    bot.send(REPORTER, "马寨镇工业园")
    assert "没有识别该危害类型" in bot.send(REPORTER, "很难受")  # no type named: ask again
    assert "第4步" in bot.send(REPORTER, "噪音太大")
    bot.send(REPORTER, "冲压车间机器噪音很大，没有发耳塞，好几个工友耳朵听不清了。")
    assert "联系方式应为" in bot.send(REPORTER, "提交")  # the contact was not answered yet
    preview = bot.send(REPORTER, "无。")
    assert "危害类型：噪声" in preview and "联系方式：未留" in preview
    assert "举报已登记" in bot.send(REPORTER, "提交。")
    with bot.session() as s:
        case = s.scalar(select(ReferralCase))
        assert case.hazard == "噪声" and not case.has_contact
        assert s.get(ReferralReporter, case.id).sealed_contact is None


def test_query_accepts_a_full_width_comma_and_lower_case(bot):
    number, code = file_report(bot)
    for text in (f"查询 {number}，{code}", f"查询　{number.lower()}　{code.lower()}"):
        assert "等待联席会议办公室受理" in bot.send(REPORTER, text), text


def test_case_numbers_are_found_however_they_are_written(bot):
    number = _accepted(bot)
    assert "当前状态为「已受理（待转办）」" in bot.send(OFFICE, f"受理 {number.lower()}")
    assert "当前状态为「已受理" in bot.send(OFFICE, f"受理 {number[2:]}")  # without «JB»
    answer = bot.send(OFFICE, f"转办 人社局 {number}")  # unit first, number second
    assert "已转办" in answer and "转至区人社局" in answer


def test_a_period_is_read_with_spaces_commas_and_full_width_digits(bot):
    for text, due in [
        ("转办 {n}，人社局，10个工作日", "12月7日"),
        ("转办 {n} 人社局 10 个工作日", "12月7日"),
        ("转办 {n} 人社局 １０天", "12月7日"),
    ]:
        number = _accepted(bot)
        answer = bot.send(OFFICE, text.format(n=number))
        assert f"反馈期限{due}" in answer, (text, answer)


def test_a_deadline_may_be_given_as_a_date(bot):
    for written, due in [
        ("12月3日", "12月3日"),
        ("2026-12-04", "12月4日"),
        ("下周三", "12月2日"),  # the clock is Monday 2026-11-23
    ]:
        number = _accepted(bot)
        answer = bot.send(OFFICE, f"转办 {number} 人社局 {written}")
        assert f"反馈期限{due}" in answer and "签收期限11月24日" in answer, answer
    number = _accepted(bot)
    assert "不是工作日" in bot.send(OFFICE, f"转办 {number} 人社局 11月28日")  # Saturday
    assert "不晚于今天" in bot.send(OFFICE, f"转办 {number} 人社局 2026-11-20")
    assert "无效" in bot.send(OFFICE, f"转办 {number} 人社局 2月30日")
    assert _case(bot, number).status == "accepted"
    tomorrow = bot.send(OFFICE, f"转办 {number} 人社局 11月24日")
    assert "签收期限11月24日，反馈期限11月24日" in tomorrow


def test_extension_request_reads_a_comma_and_is_dropped_once_answered(bot):
    number = _accepted(bot)
    bot.send(OFFICE, f"转办 {number} 人社局")
    bot.send(RS, f"签收 {number}")
    bot.pushes()
    assert "延期申请已报" in bot.send(RS, f"申请延期 {number} 5，需等待检测报告")
    assert "理由：需等待检测报告" in texts(bot.pushes(OFFICE))
    assert "延期申请已报" in bot.send(RS, f"申请延期　{number}　3个工作日　检测机构排期")
    assert "申请延期3个工作日" in bot.send(OFFICE, "待办")

    bot.send(RS, f"反馈 {number} 已现场检查，责令整改")
    assert "申请延期" not in bot.send(OFFICE, "待办")
    assert "待批延期" not in bot.send(OFFICE, f"案件 {number}")


def test_missing_text_names_what_is_missing(bot):
    number = _accepted(bot)
    assert "请写明办结结论" in bot.send(OFFICE, f"办结 {number}")
    assert "请写明理由" in bot.send(OFFICE, f"不予受理 {number}")
    bot.send(OFFICE, f"转办 {number} 人社局")
    bot.send(RS, f"签收 {number}")
    assert "请写明办理结果" in bot.send(RS, f"反馈 {number} 好")
    assert "请写明理由" in bot.send(RS, f"申请延期 {number} 5")


def test_a_repeated_urge_goes_once_a_day(bot):
    number = _accepted(bot)
    bot.send(OFFICE, f"转办 {number} 人社局")
    bot.pushes()
    assert "已向区人社局" in bot.send(OFFICE, f"催办 {number}")
    assert {p.to for p in bot.pushes()} == {RS, RS_LEADER}
    assert "今天9:00已催办过" in bot.send(OFFICE, f"催办 {number}")
    assert bot.pushes() == []
    assert bot.send(OFFICE, f"案件 {number}").count(" 催办") == 1
    bot.clock.set(datetime(2026, 11, 24, 9, 0, tzinfo=TZ))
    assert "已向区人社局" in bot.send(OFFICE, f"催办 {number}")
    assert {p.to for p in bot.pushes()} == {RS, RS_LEADER}


def test_repeats_and_wrong_moves_say_what_to_do(bot):
    number = _accepted(bot)
    bot.send(OFFICE, f"转办 {number} 人社局")
    bot.pushes()
    assert "请承办单位「退回」后重新转办" in bot.send(OFFICE, f"转办 {number} 应急管理局")
    bot.send(RS, f"签收 {number}")
    bot.pushes()
    again = bot.send(RS, f"签收 {number}")
    assert "已于11月23日 9:00签收，无需重复签收" in again
    assert bot.pushes() == []


def test_former_and_full_unit_names_find_the_unit(bot):
    for written, unit in [
        ("环保局", "区生态环境分局"),
        ("安监局", "区应急管理局"),
        ("住建局", "区建设和交通局"),
        ("卫生健康委员会", "区卫健委"),
        ("人力资源和社会保障局", "区人社局"),
        ("民政", "区民政局"),  # not 马寨镇人民政府, whose name holds «民政» too
    ]:
        number = _accepted(bot)
        answer = bot.send(OFFICE, f"转办 {number} {written}")
        assert f"转至{unit}" in answer, (written, answer)
    number = _accepted(bot)
    assert "对应多个单位" in bot.send(OFFICE, f"转办 {number} 马寨")


def test_a_liaison_of_two_units_sees_and_answers_for_both(bot):
    from storage.roster import Appointment, Person, Unit

    with bot.session() as s, s.begin():
        person = s.scalar(select(Person).where(Person.wecom_userid == RS))
        unit = s.scalar(select(Unit).where(Unit.name == "区应急管理局"))
        s.add(
            Appointment(person_id=person.id, unit_id=unit.id, role="联络员", started_at=bot.clock())
        )
    first, second = _accepted(bot), _accepted(bot, employer="某某化工厂")
    bot.send(OFFICE, f"转办 {first} 人社局")
    bot.send(OFFICE, f"转办 {second} 应急管理局")
    assert [p.to for p in bot.pushes() if "【转办单】" in p.text].count(RS) == 2
    listing = bot.send(RS, "承办")
    assert "（2件）" in listing and "区人社局｜" in listing and "区应急管理局｜" in listing
    assert "已签收" in bot.send(RS, f"签收 {second}")
    assert "区应急管理局已签收" in texts(bot.pushes(OFFICE))


def test_a_dozen_open_cases_fit_one_wecom_message(bot):
    for i in range(12):
        number = _accepted(bot, employer=f"郑州市第{i + 1}机械制造有限责任公司（二七分厂）")
        bot.send(OFFICE, f"转办 {number} 区建设和交通局")
    listing = bot.send(OFFICE, "待办")
    assert "未办结举报12件" in listing and "签收期限11月24日 还剩1个工作日" in listing
    assert len(listing.encode()) <= 2048, len(listing.encode())


def test_the_export_year_may_carry_its_character(bot):
    file_report(bot)
    assert "已导出2026年举报1件" in bot.send(OFFICE, "案件 导出 2026年")
    assert "年份格式应为" in bot.send(OFFICE, "案件 导出 去年")


def test_the_leader_in_charge_sees_the_units_open_cases_but_cannot_answer_them(bot):
    number = _accepted(bot)
    bot.send("demo-office", f"转办 {number} 区人社局")
    listing = bot.send("demo-u09-leader", "承办")
    assert number in listing and "待办理的转办件（1件）" in listing
    assert "仅限联络员" in bot.send("demo-u09-leader", f"签收 {number}")
    assert "没有待办理" in bot.send("demo-u15-leader", "承办")  # another unit's leader
