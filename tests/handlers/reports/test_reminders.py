"""A whole reporting month in simulated time: reminders reach only the units that have not filed,
each round exactly once — across a scheduler restart and with two schedulers at once."""

from __future__ import annotations

import threading
from collections import defaultdict
from datetime import datetime

from sqlalchemy import update

from bot.dispatch import Services
from bot.scheduler import run_job
from handlers.demo import SEED_UNITS
from handlers.reports import text as T
from storage.db import make_engine, make_session_factory
from storage.roster import Appointment
from tests.support import TZ

PREFIX = "reports:remind:2026-11:"
EARLY, LATE, NEVER, SLOW = "01", "09", "04", "10"  # 区卫健委, 区人社局, 区教育局, 区生态环境分局


def at(bot, *moment: int) -> None:
    bot.clock.set(datetime(*moment, tzinfo=TZ))


def deliver_all(bot) -> list:
    delivered, batch = [], bot.pushes()
    while batch:
        delivered += batch
        batch = bot.pushes()
    return delivered


def kinds_by_person(pushes) -> dict[str, list[str]]:
    out: dict[str, list[str]] = defaultdict(list)
    for push in pushes:
        if push.dedupe_key and push.dedupe_key.startswith(PREFIX):
            out[push.to].append(push.dedupe_key.removeprefix(PREFIX).split(":")[0])
    return out


def file(bot, nn: str) -> str:
    user = f"demo-u{nn}-liaison"
    bot.send(user, "月报 2026-11 工作动态：开展宣传；主要活动：培训；重大事项进展：无")
    return bot.send(user, "确认")


def run_month(bot, moments) -> dict[str, list[str]]:
    """Run the scheduler at each moment (filing where asked); returns what each person got."""
    pushes = []
    for moment in moments:
        if isinstance(moment, str):
            file(bot, moment)
            continue
        at(bot, *moment)
        bot.run_jobs()
        pushes += deliver_all(bot)
    return kinds_by_person(pushes)


FULL_MONTH = [
    (2026, 11, 19, 9, 0),
    (2026, 11, 20, 8, 50),
    (2026, 11, 20, 9, 0),  # window opens
    (2026, 11, 20, 9, 10),
    EARLY,
    (2026, 11, 21, 9, 0),
    (2026, 12, 3, 9, 0),  # two working days before the deadline (Mon 7 Dec)
    (2026, 12, 3, 9, 10),
    SLOW,
    (2026, 12, 7, 9, 0),  # deadline morning
    (2026, 12, 7, 17, 0),
    (2026, 12, 8, 9, 0),  # working day after: leaders too
    (2026, 12, 8, 9, 10),
    LATE,
    (2026, 12, 9, 9, 0),
    (2026, 12, 15, 9, 0),
]


def test_a_month_of_reminders_reaches_only_the_late_and_never_twice(bot):
    got = run_month(bot, FULL_MONTH)
    assert got[f"demo-u{EARLY}-liaison"] == ["open"]
    assert got[f"demo-u{SLOW}-liaison"] == ["open", "before"]
    assert got[f"demo-u{LATE}-liaison"] == ["open", "before", "due", "overdue"]
    assert got[f"demo-u{NEVER}-liaison"] == ["open", "before", "due", "overdue"]
    assert got[f"demo-u{NEVER}-leader"] == ["overdue"]
    assert got[f"demo-u{LATE}-leader"] == ["overdue"]
    assert f"demo-u{EARLY}-leader" not in got and f"demo-u{SLOW}-leader" not in got
    assert "demo-office" not in got
    liaisons = [p for p in got if p.endswith("-liaison")]
    assert len(liaisons) == len(SEED_UNITS)


def test_reminder_text_names_the_unit_and_the_working_day_deadline(bot):
    at(bot, 2026, 12, 3, 9, 0)
    bot.run_jobs()
    texts = [p.text for p in deliver_all(bot) if p.to == "demo-u09-liaison"]
    assert any("区人社局2026年11月月报尚未报送" in t and "12月7日" in t for t in texts)


def test_a_restart_sends_the_missed_round_late_once_and_drops_stale_ones(bot):
    # Down from before the window opened until the afternoon of the deadline: only "due" still
    # makes sense; "open" and "before" are dropped, and "due" goes out once.
    got = run_month(bot, [(2026, 11, 19, 9, 0), (2026, 12, 7, 15, 0), (2026, 12, 7, 15, 10)])
    assert got["demo-u09-liaison"] == ["due"]
    # Down over the day after the deadline: the escalation still goes out, late, once.
    got = run_month(bot, [(2026, 12, 10, 11, 0), (2026, 12, 10, 11, 10)])
    assert got["demo-u09-liaison"] == ["overdue"] and got["demo-u09-leader"] == ["overdue"]


def test_the_before_round_is_never_sent_after_the_deadline_passed(bot):
    got = run_month(bot, [(2026, 12, 8, 10, 0)])
    assert got["demo-u04-liaison"] == ["overdue"]


def _second_services(bot) -> Services:
    engine = make_engine(bot.services.settings.database_url)
    return Services(
        settings=bot.services.settings,
        sessions=make_session_factory(engine),
        clock=bot.clock,
    )


def test_two_schedulers_on_one_database_send_each_reminder_once(bot):
    other = _second_services(bot)
    try:
        for moment in [(2026, 11, 20, 9, 0), (2026, 12, 3, 9, 0), (2026, 12, 8, 9, 0)]:
            at(bot, *moment)
            run_job(other, "reports.remind")
            bot.run_job("reports.remind")
            run_job(other, "reports.remind")
        got = kinds_by_person(deliver_all(bot))
    finally:
        other.sessions.kw["bind"].dispose()
    assert got["demo-u04-liaison"] == ["open", "before", "overdue"]
    assert got["demo-u04-leader"] == ["overdue"]


def test_two_schedulers_running_at_the_same_moment_in_threads(bot):
    others = [_second_services(bot) for _ in range(2)]
    errors: list[BaseException] = []

    def run(services: Services) -> None:
        try:
            run_job(services, "reports.remind")
        except BaseException as err:  # reported below, not swallowed
            errors.append(err)

    try:
        at(bot, 2026, 12, 8, 9, 0)
        threads = [threading.Thread(target=run, args=(s,)) for s in others]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        got = kinds_by_person(deliver_all(bot))
    finally:
        for services in others:
            services.sessions.kw["bind"].dispose()
    assert errors == []
    assert got["demo-u04-liaison"] == ["overdue"] and got["demo-u04-leader"] == ["overdue"]
    assert sum(len(kinds) for kinds in got.values()) == 2 * len(SEED_UNITS)


def test_office_chases_now_only_the_units_that_have_not_filed(bot):
    file(bot, "09")
    reply = bot.send("demo-office", "催报")
    assert (
        reply
        == f"已向{len(SEED_UNITS) - 1}个未报单位的{len(SEED_UNITS) - 1}人发出催报（2026年11月）。"
    )
    pushes = deliver_all(bot)
    chased = {p.to for p in pushes if "【催报】" in p.text}
    assert "demo-u09-liaison" not in chased and "demo-u04-liaison" in chased
    assert not any(p.to.endswith("-leader") for p in pushes)  # before the deadline: liaisons only
    assert "仅限办公室" in bot.send("demo-u04-liaison", "催报")


def test_a_chase_for_an_earlier_month_says_how_to_file_that_month(bot):
    # 23 Nov: plain 「月报」 files November, so October's chase must name October.
    bot.send("demo-office", "催报 10月")
    texts = [p.text for p in deliver_all(bot) if p.to == "demo-u04-liaison"]
    assert len(texts) == 1 and "「月报 2026-10」" in texts[0]
    bot.send("demo-office", "催报")
    texts = [p.text for p in deliver_all(bot) if p.to == "demo-u04-liaison"]
    assert len(texts) == 1 and "「月报」" in texts[0]


def test_a_chase_for_a_month_not_yet_open_or_with_nobody_to_chase_says_so(bot):
    reply = bot.send("demo-office", "催报 2026-12")
    assert reply == T.CHASE_NOT_OPEN.format(period="2026年12月", opens="12月20日")
    assert deliver_all(bot) == []
    with bot.session() as session:
        session.execute(
            update(Appointment)
            .where(Appointment.role == "联络员")
            .values(ended_at=datetime(2026, 11, 1, tzinfo=TZ))
        )
        session.commit()
    reply = bot.send("demo-office", "催报")
    assert reply == T.CHASED_NOBODY.format(period="2026年11月", units=len(SEED_UNITS))
