"""The SQLite database, its WAL and its lock files are readable by their owner only (issue 8)."""

from __future__ import annotations

import stat
from pathlib import Path

from sqlalchemy import text

from storage.db import make_engine, queue_lock


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_sqlite_database_and_its_companions_are_private(tmp_path):
    db = tmp_path / "instance" / "liaison.db"
    engine = make_engine(f"sqlite:///{db}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (a TEXT)"))
        conn.execute(text("INSERT INTO t VALUES ('举报内容')"))
    with queue_lock(engine, "ab" * 32):
        pass
    assert mode(db.parent) == 0o700
    assert mode(db) == 0o600
    assert mode(Path(f"{db}-wal")) == 0o600
    assert mode(Path(f"{db}.writer-lock")) == 0o600
    assert mode(Path(f"{db}.queues")) == 0o700
    assert all(mode(p) == 0o600 for p in Path(f"{db}.queues").iterdir())
    engine.dispose()
