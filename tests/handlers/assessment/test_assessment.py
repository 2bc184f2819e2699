"""The yearly assessment of a year of generated activity for 32 units matches figures computed
here, independently, from the raw records; the .xlsx and the .docx are opened and checked."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from docx import Document as WordDocument
from openpyxl import load_workbook
from sqlalchemy import select

from storage import followup as fst
from storage.meetings import Meeting, MeetingInvite
from storage.referrals import ReferralCase
from storage.reports import MonthlyReport
from storage.roster import Appointment, Person, Unit
from tests.support import TZ

NOW = datetime(2026, 12, 20, 9, tzinfo=TZ)
TODAY = NOW.date()
KEYS = ["月报", "转办", "会议", "督办", "征求意见", "整改"]
WEIGHTS = {"月报": 25, "转办": 20, "会议": 15, "督办": 15, "征求意见": 15, "整改": 10}
SLOPPY = {5, 17, 29}  # unit positions that do badly


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=TZ)


def generate(session, rng: random.Random) -> dict[int, dict[str, list[int]]]:
    """Write a year of activity; return the expected [done, due] per unit and criterion."""
    for appointment in session.scalars(select(Appointment)):  # the roster was in use all year
        appointment.started_at = at(date(2025, 12, 1))
    units = list(session.scalars(select(Unit).order_by(Unit.id)))
    person = session.scalars(select(Person)).first()
    want = {u.id: {k: [0, 0] for k in KEYS} for u in units}

    def good(unit_pos: int) -> bool:
        return rng.random() < (0.3 if unit_pos in SLOPPY else 0.92)

    for pos, unit in enumerate(units):
        for month in range(1, 12):  # Jan..Nov: deadlines passed by Dec 20
            roll = rng.random()
            if (pos not in SLOPPY and roll < 0.9) or (pos in SLOPPY and roll < 0.3):
                filed = at(date(2026, month, 25))
                want[unit.id]["月报"][0] += 1
            elif roll < 0.95:
                filed = at(date(2026, month + 1, 18))  # late
            else:
                filed = None
            want[unit.id]["月报"][1] += 1
            if filed:
                session.add(MonthlyReport(unit_id=unit.id, period=f"2026-{month:02d}",
                                          work_dynamics="x", main_activities="x", major_progress="无",
                                          version=1, first_filed_at=filed, filed_at=filed,
                                          filed_by=person.id, late=False))  # fmt: skip
    for n in range(60):  # referrals
        pos = rng.randrange(len(units))
        unit = units[pos]
        referred = date(2026, 1, 5) + timedelta(days=rng.randrange(0, 340))
        sign_due, answer_due = referred + timedelta(days=3), referred + timedelta(days=20)
        signed = referred + timedelta(days=rng.choice([1, 2, 5]) if good(pos) else 6)
        answered = referred + timedelta(days=rng.choice([10, 19]) if good(pos) else 25)
        signed_at = at(signed) if signed < TODAY else None
        answered_at = at(answered) if answered < TODAY and rng.random() < 0.9 else None
        for moment, due in ((signed_at, sign_due), (answered_at, answer_due)):
            if moment is None and due >= TODAY:
                continue
            want[unit.id]["转办"][1] += 1
            want[unit.id]["转办"][0] += moment is not None and moment.date() <= due
        session.add(ReferralCase(number=f"JB2026{n:08d}", query_hash="x", created_at=at(referred),
                                 status="signed", employer="某公司", employer_key="某", place="某地",
                                 hazard="噪声", description="d", unit_id=unit.id,
                                 referred_at=at(referred), sign_due=sign_due, answer_due=answer_due,
                                 signed_at=signed_at, answered_at=answered_at))  # fmt: skip
    for m in range(7):  # meetings; the last one is cancelled and does not count
        meeting = Meeting(kind="全体会议", title=f"会议{m}", place="会议室",
                          starts_at=at(date(2026, 1 + m, 15)), notified_at=at(date(2026, 1, 2)),
                          created_at=at(date(2026, 1, 2)),
                          cancelled_at=at(date(2026, 7, 1)) if m == 6 else None)  # fmt: skip
        session.add(meeting)
        session.flush()
        for pos, unit in enumerate(units):
            if rng.random() < 0.3:
                continue  # not invited
            answer = rng.choice(["参加", "代参"]) if good(pos) else rng.choice(["请假", None])
            session.add(MeetingInvite(meeting_id=meeting.id, unit_id=unit.id, answer=answer))
            if m != 6:
                want[unit.id]["会议"][1] += 1
                want[unit.id]["会议"][0] += answer in ("参加", "代参")
    for prefix, key in (("DB", "督办"), ("ZG", "整改")):
        for seq in range(1, 41):
            pos = rng.randrange(len(units))
            due = date(2026, 2, 1) + timedelta(days=rng.randrange(0, 320))
            closed = due - timedelta(days=3) if good(pos) else due + timedelta(days=4)
            closed_at = at(closed) if closed < TODAY else None
            session.add(fst.FollowupItem(prefix=prefix, seq=seq, title="t", lead_unit_id=units[pos].id,
                                         co_unit_ids=[], due=due, status="closed" if closed_at else "open",
                                         employer="", created_at=at(date(2026, 1, 10)),
                                         closed_at=closed_at))  # fmt: skip
            if closed_at is None and due >= TODAY:
                continue
            want[units[pos].id][key][1] += 1
            want[units[pos].id][key][0] += closed_at is not None and closed <= due
    for seq in range(1, 5):
        due = date(2026, 3 * seq, 20)
        row = fst.CommentRound(
            seq=seq, title="意见", due=due, created_at=at(due - timedelta(days=7))
        )
        session.add(row)
        session.flush()
        for pos, unit in enumerate(units):
            ok = good(pos)
            status = rng.choice([fst.ANSWERED, fst.NO_OPINION]) if ok else fst.SILENT
            answered_at = at(due - timedelta(days=1)) if ok else None
            session.add(fst.CommentReply(round_id=row.id, unit_id=unit.id, status=status,
                                         answered_at=answered_at))  # fmt: skip
            if ok or due < TODAY:  # silence counts once the deadline day is over
                want[unit.id]["征求意见"][1] += 1
                want[unit.id]["征求意见"][0] += ok
    return want


def expected_total(figures: dict[str, list[int]]) -> float | None:
    applied = [k for k in KEYS if figures[k][1]]
    if not applied:
        return None
    points = sum(WEIGHTS[k] * figures[k][0] / figures[k][1] for k in applied)
    return round(100 * points / sum(WEIGHTS[k] for k in applied), 1)


def test_assessment_matches_the_raw_records(bot, clock):
    clock.set(NOW)
    with bot.session() as session, session.begin():
        want = generate(session, random.Random(12))
        names = {u.id: u.name for u in session.scalars(select(Unit))}
    reply = bot.reply("demo-office", "考核 2026")
    assert "2026年度综合考核已计算：32个成员单位" in reply.text
    docs = {p.document.filename: p.document for p in bot.pushes("demo-office") if p.document}
    root = bot.services.settings.files_path
    sheet = load_workbook(root / docs["2026年度综合考核表.xlsx"].path).worksheets[0]
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert len(rows) == 32
    totals = {}
    for row in rows:
        unit_id = next(i for i, n in names.items() if n == row[1])
        for n, key in enumerate(KEYS):
            done, due = row[2 + 4 * n], row[3 + 4 * n]
            assert [done, due] == want[unit_id][key], (row[1], key)
        totals[row[1]] = row[-2]
        assert row[-2] == expected_total(want[unit_id])
    ordered = sorted(totals.items(), key=lambda kv: -kv[1])
    poor = {name for name, total in totals.items() if total < 60}
    assert poor == {names[i] for pos, i in enumerate(sorted(names)) if pos in SLOPPY}
    text = "\n".join(
        p.text
        for p in WordDocument(root / docs["2026年度综合考核通报（草稿）.docx"].path).paragraphs
    )
    best_part, poor_part = text.split("二、工作不力的单位")
    for name, _ in ordered[:3]:
        assert name in best_part
    for name in poor:
        assert name in poor_part
    assert "迟报" in poor_part or "未报" in poor_part  # the facts behind it


def test_a_unit_sees_only_its_own_figures(bot, clock):
    clock.set(NOW)
    with bot.session() as session, session.begin():
        generate(session, random.Random(3))
    answer = bot.send("demo-u09-liaison", "考核 本单位")
    assert answer.startswith("区人社局 2026年度综合考核")
    assert "区卫健委" not in answer and "月报按时报送" in answer
    assert "考核表" not in bot.send("demo-u09-liaison", "考核 2026")  # the office's command
    assert "年份「1999」无效" in bot.send("demo-office", "考核 1999")
    assert "月报报送考核表" in bot.send("demo-office", "月报 考核 2026")  # no clash
