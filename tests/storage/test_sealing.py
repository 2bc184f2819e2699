"""One seal key per deployment: the database keeps its fingerprint, a process with a missing or
different key refuses to start with one Chinese line, and a key is generated only once, for a
fresh database."""

from __future__ import annotations

import stat
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import delete, select

from bot.app import build_services
from bot.config import ConfigError, load_settings
from bot.dispatch import Services
from storage.sealing import CHECK_NAME, DeploymentSetting, key_fingerprint
from tests.conftest import TEST_SEAL_KEY
from tests.handlers.referrals.support import file_report
from tests.support import TestBot

ROOT = Path(__file__).resolve().parents[2]
OTHER_KEY = Fernet.generate_key().decode()


def _env(database_url: str, instance: Path, key: str | None) -> dict[str, str]:
    env = {"LIAISON_DATABASE_URL": database_url, "LIAISON_INSTANCE_PATH": str(instance)}
    return {**env, "LIAISON_SEAL_KEY": key} if key else env


_ENGINES: list = []


@pytest.fixture(autouse=True)
def _dispose_engines():
    """Every engine a test started is closed with it, so no connection outlives its test."""
    yield
    while _ENGINES:
        _ENGINES.pop().dispose()


def _start(database_url: str, instance: Path, key: str | None = None) -> Services:
    services = build_services(load_settings(_env(database_url, instance, key)))
    _ENGINES.append(services.sessions.kw["bind"])
    return services


def _refusal(database_url: str, instance: Path, key: str | None = None) -> str:
    with pytest.raises(ConfigError) as info:
        _start(database_url, instance, key)
    line = str(info.value)
    assert "\n" not in line and "LIAISON_SEAL_KEY" in line and "seal.key" in line
    assert "切勿生成新密钥" in line
    return line


def _fingerprint(services: Services) -> str | None:
    with services.sessions() as s:
        return s.scalar(select(DeploymentSetting.value).where(DeploymentSetting.name == CHECK_NAME))


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_fresh_database_gets_a_key_once_and_every_start_uses_it(database_url, tmp_path):
    instance = tmp_path / "instance"
    first = _start(database_url, instance)
    key_file = instance / "seal.key"
    assert key_file.read_bytes() == first.seal_key
    assert _mode(key_file) == 0o600 and _mode(instance) == 0o700
    assert _fingerprint(first) == key_fingerprint(first.seal_key)
    again = _start(database_url, instance)
    assert again.seal_key == first.seal_key and key_file.read_bytes() == first.seal_key


def test_a_second_process_with_another_key_refuses(database_url, tmp_path):
    first = _start(database_url, tmp_path / "a", TEST_SEAL_KEY)
    assert _fingerprint(first) == key_fingerprint(TEST_SEAL_KEY.encode())
    line = _refusal(database_url, tmp_path / "b", OTHER_KEY)
    assert line.startswith("封存密钥与数据库不符") and OTHER_KEY not in line
    # a key file elsewhere that is not the deployment's is refused the same way
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "seal.key").write_text(OTHER_KEY)
    assert str(tmp_path / "c" / "seal.key") in _refusal(database_url, tmp_path / "c")
    assert _start(database_url, tmp_path / "d", TEST_SEAL_KEY).seal_key == TEST_SEAL_KEY.encode()


def test_a_missing_key_on_a_fingerprinted_database_refuses_and_generates_nothing(
    database_url, tmp_path
):
    _start(database_url, tmp_path / "a", TEST_SEAL_KEY)
    instance = tmp_path / "elsewhere"
    line = _refusal(database_url, instance)
    assert line.startswith("找不到封存密钥") and str(instance / "seal.key") in line
    assert not (instance / "seal.key").exists()


def test_sealed_data_without_a_fingerprint_still_needs_its_key(database_url, tmp_path, clock):
    """A database sealed before the fingerprint existed: the key must open what it holds."""
    services = _start(database_url, tmp_path / "a", TEST_SEAL_KEY)
    bot = TestBot(services=services, clock=clock)
    bot.seed_demo()
    file_report(bot)
    with services.sessions() as s, s.begin():
        s.execute(delete(DeploymentSetting))
    assert "打不开" in _refusal(database_url, tmp_path / "b", OTHER_KEY)
    assert "找不到封存密钥" in _refusal(database_url, tmp_path / "c")
    assert not (tmp_path / "c" / "seal.key").exists()
    assert _start(database_url, tmp_path / "a", TEST_SEAL_KEY).seal_key == TEST_SEAL_KEY.encode()


def test_the_command_line_refuses_a_wrong_key_with_one_chinese_line(tmp_path):
    base = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}
    env = _env(f"sqlite:///{tmp_path / 'shared.db'}", tmp_path / "one", None)

    def liaison(extra: dict[str, str]) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "bot.cli", "db", "upgrade"],
            env={**base, **env, **extra},
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
        )

    assert liaison({}).returncode == 0  # fresh: the key file is made
    assert liaison({}).returncode == 0  # now migrated: its fingerprint is recorded
    for extra in (
        {"LIAISON_SEAL_KEY": OTHER_KEY},
        {"LIAISON_INSTANCE_PATH": str(tmp_path / "two")},
    ):
        result = liaison(extra)
        assert result.returncode != 0 and "Traceback" not in result.stderr + result.stdout
        (line,) = result.stderr.strip().splitlines()
        assert "封存密钥" in line and "LIAISON_SEAL_KEY" in line, line
    assert not (tmp_path / "two" / "seal.key").exists()
