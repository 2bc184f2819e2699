"""Fixtures: a fresh database per test on SQLite and (when configured) PostgreSQL, a movable
clock, services, and `bot`, which talks like a user.

PostgreSQL runs when LIAISON_TEST_PG_URL is set (`.ci/run` sets it); then an unreachable server
fails the run instead of skipping. Without it the PostgreSQL half is left out at collection and
the run ends with one line saying so and how to include it (not one SKIPPED line per test).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import chinese_calendar
import pytest
from sqlalchemy import Engine, text

import handlers  # noqa: F401  (registers every command)
import storage
from bot.config import load_settings
from bot.dispatch import Services
from storage.db import make_engine, make_session_factory
from storage.migrate import upgrade
from tests.support import TZ, FakeClock, TestBot

pytest_plugins = ["tests.fakes.fixtures", "tests.fakes.channel_fixtures"]
PG_ENV = "LIAISON_TEST_PG_URL"
START = datetime(2026, 11, 23, 9, 0, tzinfo=TZ)
TEST_SEAL_KEY = "h7t1YpGeSeYn9CjuhQfXbm4rTn5t5FGm4S2u1wKVV3c="


PG_HOWTO = f"{PG_ENV}=postgresql+psycopg://postgres@127.0.0.1:5432/test make test (or .ci/run)"


def pytest_report_header(config: pytest.Config) -> str:
    url = os.environ.get(PG_ENV)
    return f"PostgreSQL tests: {'on ' + url if url else f'left out ({PG_ENV} not set)'}"


def _on_postgresql(item: pytest.Item) -> bool:
    callspec = getattr(item, "callspec", None)
    return (callspec is not None and callspec.params.get("database_url") == "postgresql") or (
        "pg_url" in getattr(item, "fixturenames", ())
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.environ.get(PG_ENV):
        return
    left_out = [item for item in items if _on_postgresql(item)]
    if left_out:
        items[:] = [item for item in items if not _on_postgresql(item)]
        config.hook.pytest_deselected(items=left_out)


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    if not os.environ.get(PG_ENV):
        terminalreporter.write_line(
            f"PostgreSQL half skipped ({PG_ENV} not set); to run it: {PG_HOWTO}", yellow=True
        )


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def pg_url(worker_id: str) -> Iterator[str]:
    base = os.environ.get(PG_ENV)
    if not base:
        pytest.skip(
            f"PostgreSQL tests skipped: set {PG_ENV} (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test)"
        )
    schema = f"liaison_test_{worker_id}_{os.getpid()}"  # concurrent runs never share a schema
    admin = make_engine(base)
    try:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
            conn.execute(text(f"CREATE SCHEMA {schema}"))
    except Exception as err:
        pytest.fail(f"{PG_ENV} is set but PostgreSQL is unreachable: {err}", pytrace=False)
    sep = "&" if "?" in base else "?"
    url = f"{base}{sep}options=-csearch_path%3D{schema}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    yield url
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
    admin.dispose()


def _truncate_all(engine: Engine) -> None:
    names = ", ".join(t.name for t in storage.Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, migrated database for one test, on each backend."""
    if request.param == "sqlite":
        path = tmp_path / "liaison.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    url = request.getfixturevalue("pg_url")
    engine = make_engine(url)
    _truncate_all(engine)
    engine.dispose()
    yield url


@pytest.fixture
def calendar_ends_2026(monkeypatch: pytest.MonkeyPatch) -> None:
    """chinese-calendar as if it knew no year after 2026, whichever release is installed: a
    release that adds 2027 must not change what a test about an unknown year proves."""
    real = chinese_calendar.is_workday

    def is_workday(day):
        if day.year > 2026:
            raise NotImplementedError(f"no data for {day.year}")
        return real(day)

    monkeypatch.setattr(chinese_calendar, "is_workday", is_workday)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
def env(database_url: str, tmp_path: Path) -> dict[str, str]:
    """The environment the bot is configured from; tests may add WECOM_* etc. before use."""
    return {
        "LIAISON_DATABASE_URL": database_url,
        "LIAISON_INSTANCE_PATH": str(tmp_path / "instance"),
        "LIAISON_SEAL_KEY": TEST_SEAL_KEY,
    }


@pytest.fixture
def services(env: dict[str, str], clock: FakeClock) -> Iterator[Services]:
    settings = load_settings(env)
    engine = make_engine(settings.database_url)
    yield Services(settings=settings, sessions=make_session_factory(engine), clock=clock)
    engine.dispose()


@pytest.fixture
def bot(services: Services, clock: FakeClock) -> TestBot:
    """A bot on a fresh database with the demo roster (32 units, demo-uNN-liaison/leader…)."""
    test_bot = TestBot(services=services, clock=clock)
    test_bot.seed_demo()
    return test_bot


@pytest.fixture(scope="session")
def worker_id(request: pytest.FixtureRequest) -> str:
    """Without pytest-xdist there is one worker; with it, each gets its own PG schema."""
    return getattr(request.config, "workerinput", {}).get("workerid", "main")
