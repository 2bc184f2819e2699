"""Benchmark: compile a quarterly bulletin for 500 units × 3 months (timeliness table, chart,
body grouped by unit and section). Run: `.venv/bin/python -m bench.bench_bulletin`.

Builds a throw-away SQLite database, files 1 500 reports (some late, some missing), then times the
status query plus the .docx build, and prints one Markdown table row.
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from handlers.core import Context
from handlers.demo import seed_reports
from handlers.reports.bulletin_docx import BulletinContent, build_bulletin
from handlers.reports.calendar import Quarter, ReportSchedule
from handlers.reports.status import status_grid
from storage.db import make_engine, make_session_factory
from storage.migrate import upgrade
from storage.roster import Person, Unit

TZ = ZoneInfo("Asia/Shanghai")
UNITS, QUARTER = 500, Quarter(2026, 3)
TEXT = "组织开展职业病防治法宣传周活动，走访用人单位并督促落实职业健康检查。" * 3


def seed(session) -> None:
    person = Person(name="联络员（基准）", title="", demo=True)
    session.add(person)
    session.add_all(Unit(name=f"单位{i:03d}", kind="部门", active=True) for i in range(UNITS))
    session.flush()
    seed_reports(
        session,
        QUARTER.periods(),
        dict.fromkeys(range(1, UNITS + 1), (TEXT, TEXT, "无")),
        tz=TZ,
        filed_by=person.id,
        missing=lambda unit_id, month: (unit_id + month) % 10 == 0,
        late_days=lambda unit_id: 12 if unit_id % 7 == 0 else 0,
    )


RESULTS = Path(__file__).resolve().parent / "results" / "bulletin.md"
RUNS = 3


def build_once(sessions) -> tuple[float, int]:
    with sessions() as session:
        ctx = Context(session=session, now=datetime(2026, 11, 23, 9, tzinfo=TZ), tz=TZ)
        start = time.perf_counter()
        schedule = ReportSchedule(ctx)
        grid = status_grid(session, schedule, QUARTER.periods())
        content = BulletinContent(
            org_name="二七区职业病防治工作联席会议",
            year=2026,
            number=1,
            quarter=QUARTER,
            issued=date(2026, 11, 23),
            periods=QUARTER.periods(),
            grid=grid,
        )
        data = build_bulletin(content)
        return time.perf_counter() - start, len(data)


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{Path(folder) / 'bench.db'}")
        upgrade(engine)
        sessions = make_session_factory(engine)
        with sessions() as session:
            seed(session)
        runs = [build_once(sessions) for _ in range(RUNS)]
        engine.dispose()
    times = sorted(t for t, _ in runs)
    size = runs[0][1]
    table = "\n".join(
        [
            f"# Bulletin benchmark ({datetime.now(TZ):%Y-%m-%d %H:%M})",
            "",
            f"Status query + .docx build for {UNITS} units × 3 months (1 500 reports, some late or"
            f" missing), SQLite, {RUNS} runs; Python {sys.version.split()[0]}.",
            "",
            "| benchmark | units × months | median s | best s | .docx size |",
            "| --- | --- | ---: | ---: | ---: |",
            f"| bulletin (简报 生成) | {UNITS} × 3 | {times[len(times) // 2]:.2f} | {times[0]:.2f}"
            f" | {size / 1024:.0f} KiB |",
        ]
    )
    print(table)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(table + "\n", encoding="utf-8")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
