"""`liaison doctor` as an operator runs it before going live: one Chinese line per check, what to
do when one fails, exit status 1 then, and never a secret on the screen."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from cryptography.fernet import Fernet
from sqlalchemy.orm import Session

from bot import logs
from bot.cli import cli
from storage.db import make_engine
from storage.sealing import CHECK_NAME, DeploymentSetting, key_fingerprint
from tests.fakes.fixtures import wecom_vars
from tests.fakes.wecom_api import FAKE_SECRET


@pytest.fixture(autouse=True)
def _own_logging() -> Iterator[None]:
    yield
    logs.reset_logging()  # the click group configured logging in this process


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)  # no developer's .env

    def invoke(env: dict[str, str]) -> Result:
        return CliRunner().invoke(cli, ["doctor"], env=env, catch_exceptions=False)

    return invoke


def lines(result: Result) -> list[str]:
    assert "Traceback" not in result.output
    return result.output.strip().splitlines()


def test_a_sound_deployment_passes_every_check(run, env, wecom_api):
    result = run({**env, **wecom_vars(wecom_api.base)})
    assert result.exit_code == 0, result.output
    checks = lines(result)
    assert [line[:1] for line in checks[:-1]] == ["✓"] * 5
    assert [line[2:5] for line in checks[:-1]] == ["配置：", "数据库", "数据库", "封存密", "企业微"]
    assert "凭据有效" in checks[4]
    assert checks[-1] == "全部检查通过。"
    assert FAKE_SECRET not in result.output


def test_a_wrong_wecom_secret_is_named_without_showing_it(run, env, wecom_api):
    result = run({**env, **wecom_vars(wecom_api.base), "WECOM_SECRET": "wrong-secret-value"})
    assert result.exit_code == 1
    (wecom,) = [line for line in lines(result) if "企业微信" in line]
    assert wecom.startswith("✗") and "errcode 40001" in wecom and "WECOM_SECRET" in wecom
    assert "wrong-secret-value" not in result.output
    assert lines(result)[-1] == "有 1 项检查未通过。"


def test_an_unreachable_wecom_api_is_a_failed_check(run, env):
    result = run({**env, **wecom_vars("http://127.0.0.1:1/cgi-bin/")})
    assert result.exit_code == 1
    (wecom,) = [line for line in lines(result) if "企业微信" in line]
    assert "无法从 http://127.0.0.1:1/cgi-bin/ 取得" in wecom
    assert FAKE_SECRET not in result.output


def test_without_wecom_the_platform_check_is_skipped(run, env):
    result = run(env)
    assert result.exit_code == 0, result.output
    assert "– 企业微信：未配置" in result.output


def test_a_settings_error_stops_with_its_line(run, env):
    result = run({**env, "LIAISON_TIMEZONE": "Mars/Olympus"})
    assert result.exit_code == 1
    assert lines(result) == ["✗ 配置：环境变量 LIAISON_TIMEZONE 无效：未知时区 Mars/Olympus"]


def test_a_database_that_is_not_there_or_not_migrated(run, tmp_path):
    base = {"LIAISON_SEAL_KEY": Fernet.generate_key().decode()}
    missing = run({**base, "LIAISON_DATABASE_URL": f"sqlite:///{tmp_path / 'none.db'}"})
    assert missing.exit_code == 1
    assert "不存在，请运行 liaison db upgrade" in missing.output
    assert "– 数据库结构：未检查" in missing.output
    assert not (tmp_path / "none.db").exists()  # doctor changes nothing
    (tmp_path / "empty.db").touch()
    empty = run({**base, "LIAISON_DATABASE_URL": f"sqlite:///{tmp_path / 'empty.db'}"})
    assert empty.exit_code == 1
    assert "✗ 数据库结构：不是最新版本，请运行 liaison db upgrade" in empty.output


def test_an_unreachable_database_names_the_host_but_not_the_password(run, env):
    url = "postgresql+psycopg://liaison:pa55word@127.0.0.1:1/liaison?connect_timeout=2"
    result = run({**env, "LIAISON_DATABASE_URL": url})
    assert result.exit_code == 1
    assert "✗ 数据库：无法连接 127.0.0.1:1/liaison" in result.output
    assert "pa55word" not in result.output


def test_a_seal_key_that_is_not_the_databases(run, env, database_url):
    engine = make_engine(database_url)
    with Session(engine) as session, session.begin():
        other = Fernet.generate_key()
        session.add(DeploymentSetting(name=CHECK_NAME, value=key_fingerprint(other)))
    engine.dispose()
    result = run(env)
    assert result.exit_code == 1
    (seal,) = [line for line in lines(result) if "封存密钥" in line]
    assert seal.startswith("✗ 封存密钥：与数据库记录的密钥指纹不符") and "切勿生成新密钥" in seal


def test_no_seal_key_on_a_fresh_database_is_fine_and_none_is_generated(run, env, tmp_path):
    env = {k: v for k, v in env.items() if k != "LIAISON_SEAL_KEY"}
    result = run(env)
    assert result.exit_code == 0, result.output
    assert "✓ 封存密钥：尚未生成" in result.output
    assert not list(tmp_path.rglob("seal.key"))


def test_a_malformed_seal_key_is_named(run, env):
    result = run({**env, "LIAISON_SEAL_KEY": "not-a-key"})
    assert result.exit_code == 1
    assert "✗ 封存密钥：环境变量 LIAISON_SEAL_KEY 格式错误" in result.output


def test_no_seal_key_for_a_database_with_sealed_data(run, env, database_url):
    engine = make_engine(database_url)
    with Session(engine) as session, session.begin():
        other = Fernet.generate_key()
        session.add(DeploymentSetting(name=CHECK_NAME, value=key_fingerprint(other)))
    engine.dispose()
    result = run({k: v for k, v in env.items() if k != "LIAISON_SEAL_KEY"})
    assert result.exit_code == 1
    assert "✗ 封存密钥：未找到密钥，但数据库已有加密数据。请设置 LIAISON_SEAL_KEY" in result.output
