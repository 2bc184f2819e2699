"""Deadlines per hazard type and early-warning thresholds come from the deployment's settings."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.handlers.referrals.support import file_report
from tests.support import TZ

OFFICE = "demo-office"


@pytest.fixture
def env(env: dict[str, str]) -> dict[str, str]:
    env.update(
        LIAISON_REFERRAL_DAYS="20",
        LIAISON_REFERRAL_DAYS_BY_HAZARD="放射=5，高温=8",
        LIAISON_WARN_COUNT="2",
        LIAISON_WARN_DAYS="7",
    )
    return env


def _referred_slip(bot, hazard: str, employer: str) -> str:
    number, _ = file_report(bot, f"r{hazard}", hazard=hazard, employer=employer, place="建设路")
    bot.send(OFFICE, f"受理 {number}")
    bot.send(OFFICE, f"转办 {number} 区卫健委")
    (slip,) = [p for p in bot.pushes() if "【转办单】" in p.text]
    return slip.text


def test_answer_days_follow_the_hazard_type(bot):
    assert "反馈期限：11月30日" in _referred_slip(bot, "4", "甲医院")  # 放射: 5 days
    assert "反馈期限：12月21日" in _referred_slip(bot, "1", "乙厂")  # default: 20 days


def test_an_explicit_period_in_the_referral_wins(bot):
    number, _ = file_report(bot)
    bot.send(OFFICE, f"受理 {number}")
    assert "反馈期限11月30日" in bot.send(OFFICE, f"转办 {number} 区卫健委 5个工作日")
    assert "天数应为1至60" in bot.send(OFFICE, f"延期 {number} 0")
    assert "天数应为1至60" in bot.send(OFFICE, f"延期 {number} 61")


def test_thresholds_and_window_are_configurable(bot):
    def alerts() -> int:
        return sum(1 for p in bot.pushes(OFFICE) if "【预警】" in p.text)

    file_report(bot, "a1", employer="丙化工", place="建设路")
    assert alerts() == 0
    file_report(bot, "a2", employer="丙化工", place="建设路")
    assert alerts() == 1
    file_report(bot, "a3", employer="丙化工", place="建设路")
    assert alerts() == 0  # the same cluster is alerted once
    bot.clock.set(datetime(2026, 12, 2, 9, 0, tzinfo=TZ))  # 9 days later: a new window
    file_report(bot, "a4", employer="丙化工", place="建设路")
    assert alerts() == 0
    file_report(bot, "a5", employer="丙化工", place="建设路")
    assert alerts() == 1


def test_several_hazard_types_take_the_shortest_period(bot):
    assert "反馈期限：11月30日" in _referred_slip(bot, "1、4", "丙厂")  # 放射 5 < 20
