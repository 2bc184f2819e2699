"""舆情: a round reaches exactly the units whose duties cover the industry and the 街道/镇; the silent
are reminded once on the deadline day; the answers are compiled into a .docx."""

from __future__ import annotations

from datetime import datetime

from docx import Document as WordDocument
from sqlalchemy import select

from storage.roster import Unit
from tests.support import TZ

OFFICE = "demo-office"
EVENT = "舆情 地点 某省某市；行业 石材加工；事件 多名工人被诊断为矽肺；期限 2026-11-30"
COVERING = {"区卫健委", "区市场监督管理局", "区工信局", "区应急管理局"}


def _accounts(bot, names: set[str]) -> set[str]:
    with bot.session() as session:
        units = session.scalars(select(Unit).order_by(Unit.id)).all()
        order = {u.name: n for n, u in enumerate(units, start=1)}
        local = {u.name for u in units if u.kind == "镇街"}
    wanted = names | local
    return {f"demo-u{order[n]:02d}-{r}" for n in wanted for r in ("liaison", "leader")}


def test_round_reaches_exactly_the_covering_units_and_is_compiled(bot, clock):
    answer = bot.send(OFFICE, EVENT)
    assert answer.startswith("已建立舆情 YQ1"), answer
    pushed = [p for p in bot.pushes() if "【舆情 YQ1】" in p.text]
    assert {p.to for p in pushed} == _accounts(bot, COVERING)
    assert len(pushed) == len(_accounts(bot, COVERING))  # once each
    assert "调查摸底" in pushed[0].text and "11月30日" in pushed[0].text

    assert "已收到" in bot.send(
        "demo-u06-liaison", "摸底 YQ1 本区石材加工企业3家，均已完成粉尘检测"
    )
    assert "已更新" in bot.send("demo-u06-leader", "摸底 YQ1 本区石材加工企业3家，2家已整改")
    assert "没有找到舆情" in bot.send("demo-u09-liaison", "摸底 YQ1 无")
    assert "请写明调查摸底情况" in bot.send("demo-u01-liaison", "摸底 YQ1")

    clock.set(datetime(2026, 11, 30, 9, 30, tzinfo=TZ))
    bot.pushes()
    bot.run_job("monitoring.opinion_remind")
    reminded = {p.to for p in bot.pushes() if "【提醒】舆情 YQ1" in p.text}
    assert reminded == _accounts(bot, COVERING) - {"demo-u06-liaison", "demo-u06-leader"}
    bot.run_job("monitoring.opinion_remind")
    assert not [p for p in bot.pushes() if "【提醒】" in p.text]  # once each

    reply = bot.reply(OFFICE, "舆情 汇总 YQ1")
    assert "已报送1个单位" in reply.text and "区卫健委" in reply.text
    doc = next(p.document for p in bot.pushes(OFFICE) if p.document)
    word = WordDocument(bot.services.settings.files_path / doc.path)
    cells = [c.text for row in word.tables[0].rows for c in row.cells]
    assert "本区石材加工企业3家，2家已整改" in cells and "（未报送）" in cells
    assert "YQ1 石材加工" in bot.send(OFFICE, "舆情")


def test_round_needs_place_industry_and_event(bot):
    assert "请写明行业" in bot.send(OFFICE, "舆情 地点 某市；事件 中毒")
    assert "仅限办公室使用" in bot.send("demo-u09-liaison", EVENT)
