"""One case through every state and every refusal, checking what each party receives."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from storage.audit import AuditEntry
from storage.referrals import AppendOnlyError, ReferralCase, ReferralEvent
from tests.handlers.referrals.support import CONTACT, REPORTER, file_report, texts

OFFICE = "demo-office"
RS = "demo-u09-liaison"  # 区人社局
EE = "demo-u10-liaison"  # 区生态环境分局
YJ = "demo-u12-liaison"  # 区应急管理局
YJ_LEADER = "demo-u12-leader"
INTERNAL_NOTE = "企业负责人拒不配合，已移送执法队"


def _state(bot, number: str) -> tuple[str, int]:
    with bot.session() as s:
        case = s.scalar(select(ReferralCase).where(ReferralCase.number == number))
        events = s.scalar(select(func.count()).where(ReferralEvent.case_id == case.id))
        return case.status, events


def _refused(bot, user: str, text: str, expected: str, number: str) -> None:
    """The command is refused with a reason and changes nothing."""
    before = _state(bot, number)
    answer = bot.send(user, text)
    assert expected in answer, answer
    assert _state(bot, number) == before
    assert bot.pushes() == []


def test_case_walks_every_state_and_each_party_gets_its_messages(bot):
    number, code = file_report(bot)
    assert number == "JB202611230001"
    office = bot.pushes()
    assert {p.to for p in office} == {OFFICE, "demo-director"}
    assert "【新举报】" in office[0].text and "郑州市宏达机械制造有限公司" in office[0].text
    assert "等待联席会议办公室受理" in bot.send(REPORTER, f"查询 {number} {code}")
    assert "不正确" in bot.send(REPORTER, f"查询 {number} AAAAAA")

    _refused(bot, RS, f"转办 {number} 区人社局", "仅限办公室使用", number)
    _refused(bot, RS, f"签收 {number}", "本单位没有编号为", number)
    _refused(bot, OFFICE, f"转办 {number} 区人社局", "请先「受理」", number)
    _refused(bot, OFFICE, f"办结 {number}", "不能办结", number)

    accepted = bot.send(OFFICE, f"受理 {number}")
    assert "已受理" in accepted and "建议承办" in accepted and "区卫健委" in accepted
    (news,) = bot.pushes()  # the reporter learns the case was accepted
    assert news.to == REPORTER and f"（编号 {number}）已受理" in news.text
    _refused(bot, OFFICE, f"受理 {number}", "当前状态为「已受理（待转办）」，不能受理", number)
    _refused(bot, OFFICE, f"转办 {number} 不存在局", "没有找到名称含「不存在局」", number)

    assert "已转办" in bot.send(OFFICE, f"转办 {number} 人社局")
    (slip,) = bot.pushes()
    assert slip.to == RS and "【转办单】" in slip.text
    assert "签收期限：11月24日" in slip.text and "反馈期限：12月14日" in slip.text
    _refused(bot, EE, f"签收 {number}", "本单位没有编号为", number)
    _refused(bot, EE, f"反馈 {number} 已处理完毕", "本单位没有编号为", number)
    _refused(bot, RS, f"反馈 {number} 已处理完毕", "请先「签收", number)
    _refused(bot, RS, f"退回 {number}", "请写明理由", number)

    assert "已将" in bot.send(RS, f"退回 {number} 不属于本单位职责，建议转应急管理局")
    returned = bot.pushes()
    assert {p.to for p in returned} == {OFFICE, "demo-director"}
    assert "【退回】区人社局" in returned[0].text and "建议转应急管理局" in returned[0].text
    assert "已受理，正在确定承办单位" in bot.send(REPORTER, f"查询 {number} {code}")

    assert "反馈期限12月7日" in bot.send(OFFICE, f"转办 {number} 应急 10")
    (slip,) = bot.pushes()
    assert slip.to == YJ and "反馈期限：12月7日" in slip.text

    assert "已签收" in bot.send(YJ, f"签收 {number}")
    assert "区应急管理局已签收" in texts(bot.pushes(OFFICE))
    _refused(bot, YJ, f"签收 {number}", "已于11月23日 9:00签收，无需重复签收", number)

    assert "延期申请已报" in bot.send(YJ, f"申请延期 {number} 5 需等待检测机构出具报告")
    assert f"同意请发送「延期 {number} 5」" in texts(bot.pushes(OFFICE))
    assert "待批延期：5个工作日" in bot.send(OFFICE, f"案件 {number}")
    assert "至12月14日" in bot.send(OFFICE, f"延期 {number} 5")
    extended = bot.pushes()
    assert [p.to for p in extended] == [YJ] and "12月14日" in extended[0].text

    assert "已向区应急管理局" in bot.send(OFFICE, f"催办 {number}")
    urged = bot.pushes()
    assert {p.to for p in urged} == {YJ, YJ_LEADER} and "【催办】" in urged[0].text
    _refused(bot, OFFICE, f"办结 {number} 已处理", "承办单位尚未反馈", number)

    assert "已报送" in bot.send(YJ, f"反馈 {number} {INTERNAL_NOTE}")
    assert INTERNAL_NOTE in texts(bot.pushes(OFFICE))
    progress = bot.send(REPORTER, f"查询 {number} {code}")
    assert "正在审核" in progress and INTERNAL_NOTE not in progress and "应急" not in progress

    history = bot.send(OFFICE, f"案件 {number}")
    for step in ["举报人 登记", "受理", "退回", "转办", "签收", "申请延期", "延期", "催办", "反馈"]:
        assert step in history, step
    assert INTERNAL_NOTE in history and CONTACT not in history and REPORTER not in history

    assert "结论已告知举报人" in bot.send(OFFICE, f"办结 {number} 经查属实，已责令企业整改除尘设施")
    closed = bot.pushes()
    to_reporter = [p for p in closed if p.to == REPORTER]
    assert len(to_reporter) == 1 and "已办结" in to_reporter[0].text
    assert "责令企业整改除尘设施" in to_reporter[0].text
    assert [p.to for p in closed if p.to != REPORTER] == [YJ]

    _refused(bot, YJ, f"签收 {number}", "当前状态为「已办结」，不能签收", number)
    _refused(bot, OFFICE, f"转办 {number} 区人社局", "不能转办", number)
    final = bot.send(REPORTER, f"查询 {number} {code}")
    assert "已办结" in final and "责令企业整改" in final and INTERNAL_NOTE not in final

    unit_texts = texts(p for p in bot.sender.delivered if p.to not in (REPORTER, OFFICE))
    assert CONTACT not in unit_texts and REPORTER not in unit_texts
    assert "138****5678" not in unit_texts


def test_office_opens_the_reporter_only_through_an_audited_command(bot):
    number, _code = file_report(bot)
    bot.pushes()
    assert "仅限办公室使用" in bot.send(RS, f"举报人 {number}")
    opened = bot.send("demo-director", f"举报人 {number}")
    assert CONTACT in opened and REPORTER in opened and "审计日志" in opened
    with bot.session() as s:
        (entry,) = s.scalars(select(AuditEntry).where(AuditEntry.action == "查看举报人")).all()
        assert entry.subject == number and entry.actor == "办公室主任（演示）"
        assert entry.actor_person_id is not None and entry.at == bot.clock()


def test_rejection_tells_the_reporter_once_and_ends_the_case(bot):
    number, code = file_report(bot)
    bot.pushes()
    assert "请写明理由" in bot.send(OFFICE, f"不予受理 {number}")
    assert "不予受理" in bot.send(OFFICE, f"不予受理 {number} 不属于职业病危害问题，请向12345反映")
    (push,) = bot.pushes()
    assert push.to == REPORTER and "不予受理" in push.text and "12345" in push.text
    assert "不予受理。理由：不属于职业病危害问题" in bot.send(REPORTER, f"查询 {number} {code}")
    assert "不能受理" in bot.send(OFFICE, f"受理 {number}")
    assert "目前没有未办结的举报" in bot.send(OFFICE, "待办")


def test_history_rows_cannot_be_rewritten(bot):
    file_report(bot)
    with bot.session() as s:
        event = s.scalars(select(ReferralEvent)).first()
        event.note = "篡改"
        with pytest.raises(AppendOnlyError):
            s.flush()
        s.rollback()
        s.delete(s.scalars(select(ReferralEvent)).first())
        with pytest.raises(AppendOnlyError):
            s.flush()


def test_a_liaison_officer_may_report_too_and_stays_anonymous_in_the_history(bot):
    number, _code = file_report(bot, RS)
    bot.send(OFFICE, f"受理 {number}")
    history = bot.send(OFFICE, f"案件 {number}")
    assert "举报人 登记" in history and "区人社局联络员" not in history


def test_unit_names_are_matched_loosely_and_ambiguity_is_explained(bot):
    number, _code = file_report(bot)
    bot.send(OFFICE, f"受理 {number}")
    assert "对应多个单位" in bot.send(OFFICE, f"转办 {number} 马寨")
    assert "您是不是要" in bot.send(OFFICE, f"转办 {number} 区人设局")
    assert "转至淮河路街道办事处" in bot.send(OFFICE, f"转办 {number} 淮河路街道")
