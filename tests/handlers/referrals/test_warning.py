"""Early warning on clusters of reports, and the responsible-unit suggestion from the seed's duties."""

from __future__ import annotations

from handlers.duties import suggest_units
from handlers.referrals.warning import employer_key
from tests.handlers.referrals.support import file_report, texts

OFFICE = "demo-office"


def test_employer_names_are_normalised_for_matching():
    assert employer_key("郑州 宏达机械有限公司") == "郑州宏达机械"
    assert employer_key("郑州宏达机械有限责任公司") == "郑州宏达机械"
    assert employer_key("郑州宏达机械（有限公司）") == "郑州宏达机械"
    assert employer_key("ＡＢＣ 电子·科技股份有限公司") == "abc电子科技"
    assert employer_key("郑州宏达印刷厂") != employer_key("郑州宏达机械有限公司")


def test_suggestion_follows_the_duties_in_the_seed():
    radiation = suggest_units("放射", "厂里用探伤机拍片，工人就站在旁边", "淮河路街道办事处")
    assert [s.unit for s in radiation][:2] == ["区生态环境分局", "淮河路街道办事处"]
    assert "射线装置" in radiation[0].reason
    injury = suggest_units("粉尘", "得了尘肺病，公司不给办工伤，也没签劳动合同")
    assert injury[0].unit == "区人社局" and "工伤" in injury[0].reason
    building = suggest_units("噪声", "工地施工噪声大，工人没有耳塞")
    assert {s.unit for s in building} >= {"区建设和交通局", "区卫健委"}


def _warnings(pushes) -> list:
    return [p for p in pushes if p.to == OFFICE and "【预警】" in p.text]


def test_reports_about_one_employer_alert_the_office_once(bot):
    names = ["郑州 宏达机械有限公司", "郑州宏达机械有限责任公司", "郑州宏达机械（有限公司）"]
    numbers = []
    for i, name in enumerate(names):
        numbers.append(file_report(bot, f"w{i}", employer=name, place="建设路88号")[0])
        alerts = _warnings(bot.pushes())
        assert len(alerts) == (1 if i == 2 else 0)
    assert (
        all(n in alerts[0].text for n in numbers)
        and "用人单位「郑州宏达机械（有限公司）」" in alerts[0].text
    )
    assert "近30天内" in alerts[0].text and "3件" in alerts[0].text

    file_report(bot, "w9", employer="郑州宏达机械有限公司", place="建设路88号")
    assert _warnings(bot.pushes()) == []
    bot.run_job("referrals.deadlines")
    assert _warnings(bot.pushes()) == []


def test_reports_in_one_street_about_one_hazard_alert_the_office(bot):
    employers = ["甲五金厂", "乙家具厂", "丙包装厂"]
    for i, name in enumerate(employers):
        file_report(bot, f"s{i}", employer=name, place="解放路街道民主路1号", hazard="2")
    file_report(bot, "s9", employer="丁厂", place="解放路街道民主路2号", hazard="1")
    alerts = _warnings(bot.pushes())
    assert len(alerts) == 1 and "解放路街道办事处的噪声问题" in alerts[0].text
    assert "达3件" in alerts[0].text


def test_the_job_catches_a_cluster_the_filing_missed(bot):
    extra = bot.services.settings.extra
    extra["LIAISON_WARN_COUNT"] = "99"  # as if simultaneous reports had each seen too few
    for i in range(3):
        file_report(bot, f"j{i}", employer="某某铸造厂", place="建设路1号")
    assert _warnings(bot.pushes()) == []
    del extra["LIAISON_WARN_COUNT"]
    bot.run_job("referrals.deadlines")
    assert "某某铸造厂" in texts(_warnings(bot.pushes()))
    bot.run_job("referrals.deadlines")
    assert _warnings(bot.pushes()) == []
