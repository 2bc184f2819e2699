"""Benchmark: import a 10 000-row health-check file, then run the early warning over 3 years ×
16 街道/镇 × 10 hazards. Run: `.venv/bin/python -m bench.bench_warning`.

The import goes through the same code as `体检 导入` (parse, check every cell, hash, bulk insert,
warning on the file's month) into a throw-away SQLite database. The warning is `detect` on 36
months of records (16 places × 10 hazards × 3 employers a month: 17 280 rows), every month judged.
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from openpyxl import Workbook

from handlers.core import Context
from handlers.monitoring.health import import_path
from handlers.monitoring.healthfile import TEMPLATE_HEADER, HealthRow
from handlers.monitoring.signals import detect
from storage.db import make_engine, make_session_factory
from storage.migrate import upgrade

TZ = ZoneInfo("Asia/Shanghai")
PLACES = [f"街道{i:02d}" for i in range(16)]
HAZARDS = ["噪声", "矽尘", "其他粉尘", "苯", "甲苯", "铅", "锰", "高温", "紫外辐射", "手传振动"]
RESULTS = Path(__file__).resolve().parent / "results" / "warning.md"
RUNS = 3


def write_file(path: Path, rows: int) -> None:
    rng = random.Random(1)
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(TEMPLATE_HEADER)
    for i in range(rows):
        n = rng.randint(10, 80)
        sheet.append(["区职防院", f"企业{i:05d}有限公司", rng.choice(PLACES), "制造", rng.choice(HAZARDS),
                      n, rng.randint(0, n // 8), 0, 0, f"2026-10-{rng.randint(1, 28):02d}", ""])  # fmt: skip
    book.save(path)


def time_import(folder: Path) -> float:
    engine = make_engine(f"sqlite:///{folder / 'bench.db'}")
    upgrade(engine)
    sessions = make_session_factory(engine)
    path = folder / "health.xlsx"
    write_file(path, 10_000)
    with sessions() as session, session.begin():
        ctx = Context(session=session, now=datetime(2026, 11, 10, 9, tzinfo=TZ), tz=TZ,
                      files_root=folder / "files")  # fmt: skip
        start = time.perf_counter()
        answer = import_path(ctx, path, "2026-10", "2026-10")
        took = time.perf_counter() - start
    engine.dispose()
    assert answer.startswith("已导入体检数据10000行"), answer
    return took


def history() -> list[HealthRow]:
    rng = random.Random(2)
    rows = []
    for m in range(36):
        year, month = 2024 + m // 12, m % 12 + 1
        for place in PLACES:
            for hazard in HAZARDS:
                for e in range(3):
                    n = rng.randint(20, 60)
                    rows.append(HealthRow(0, "区职防院", f"{place}{hazard}{e}", f"{place}{hazard}{e}",
                                          place, "制造", hazard, n,
                                          sum(rng.random() < 0.08 for _ in range(n)), 0, 0,
                                          f"{year:04d}-{month:02d}", date(year, month, 15)))  # fmt: skip
    return rows


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        imports = sorted(time_import(Path(folder) / str(n)) for n in range(RUNS) if
                         (Path(folder) / str(n)).mkdir() is None)  # fmt: skip
    records = history()
    periods = sorted({r.period for r in records})
    warnings = []
    for _ in range(RUNS):
        start = time.perf_counter()
        found = detect(records, periods)
        warnings.append(time.perf_counter() - start)
    warnings.sort()
    table = "\n".join(
        [
            f"# Warning benchmark ({datetime.now(TZ):%Y-%m-%d %H:%M})",
            "",
            f"Import: a 10 000-row .xlsx through `体检 导入`'s code (read, check every cell, hash, bulk"
            f" insert, warning on its month), SQLite. Warning: `detect` over 36 months × 16 places ×"
            f" 10 hazards ({len(records)} records, every month judged; {len(found)} signals on"
            f" binomial noise). {RUNS} runs; Python {sys.version.split()[0]}.",
            "",
            "| benchmark | size | median s | best s |",
            "| --- | --- | ---: | ---: |",
            f"| health import (体检 导入) | 10 000 rows | {imports[len(imports) // 2]:.2f}"
            f" | {imports[0]:.2f} |",
            f"| early warning (detect) | 3 y × 16 × 10 | {warnings[len(warnings) // 2]:.2f}"
            f" | {warnings[0]:.2f} |",
        ]
    )
    print(table)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(table + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
