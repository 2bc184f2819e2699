"""Each channel is on only when configured, stops start-up naming a missing variable when half
configured, never changes another; `serve` says which are on, `doctor` checks their credentials."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot import logs
from bot.cli import channel_lines, cli
from bot.config import ConfigError, load_settings
from tests.fakes.channel_fixtures import dingtalk_vars, wechat_vars
from tests.fakes.fixtures import wecom_vars

BASE = "http://127.0.0.1:9/"


@pytest.fixture(autouse=True)
def _own_logging() -> Iterator[None]:
    yield
    logs.reset_logging()


@pytest.mark.parametrize(
    "name", ["DINGTALK_APP_KEY", "DINGTALK_APP_SECRET", "DINGTALK_ROBOT_CODE", "DINGTALK_AGENT_ID"]
)
def test_half_configured_dingtalk_names_the_missing_variable(name):
    values = {k: v for k, v in dingtalk_vars(BASE).items() if k != name}
    with pytest.raises(ConfigError, match=name):
        load_settings(values)


@pytest.mark.parametrize("name", ["WECHAT_APP_ID", "WECHAT_APP_SECRET", "WECHAT_TOKEN"])
def test_half_configured_wechat_names_the_missing_variable(name):
    values = {k: v for k, v in wechat_vars(BASE).items() if k != name}
    with pytest.raises(ConfigError, match=name):
        load_settings(values)


def test_malformed_values_are_named():
    with pytest.raises(ConfigError, match="DINGTALK_AGENT_ID"):
        load_settings({**dingtalk_vars(BASE), "DINGTALK_AGENT_ID": "abc"})
    with pytest.raises(ConfigError, match="WECHAT_AES_KEY"):
        load_settings({**wechat_vars(BASE), "WECHAT_AES_KEY": "short"})
    with pytest.raises(ConfigError, match="DINGTALK_API_BASE"):
        load_settings({**dingtalk_vars("ftp://x/")})


def test_the_official_account_without_a_key_is_plaintext_only():
    settings = load_settings(wechat_vars(BASE, aes=False))
    assert settings.wechat.aes_key == "" and settings.dingtalk is None and settings.wecom is None


def test_configuring_one_channel_changes_no_other():
    wecom = load_settings(wecom_vars(BASE)).wecom
    every = load_settings({**wecom_vars(BASE), **dingtalk_vars(BASE), **wechat_vars(BASE)})
    assert every.wecom == wecom
    assert load_settings(dingtalk_vars(BASE)).dingtalk == every.dingtalk
    assert load_settings(wechat_vars(BASE)).wechat == every.wechat
    assert load_settings({}).dingtalk is None and load_settings({}).wechat is None


def test_serve_says_in_one_line_each_whether_a_channel_is_on():
    off = channel_lines(load_settings({}))
    assert off == ["钉钉：未配置（DINGTALK_* 未设置）", "微信公众号：未配置（WECHAT_* 未设置）"]
    on = channel_lines(load_settings({**dingtalk_vars(BASE), **wechat_vars(BASE)}))
    assert "/dingtalk/callback" in on[0] and "Stream" in on[0]
    assert "/wechat/callback" in on[1] and "安全模式" in on[1]


def _doctor(env: dict[str, str], tmp_path: Path, monkeypatch) -> list[str]:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["doctor"], env=env, catch_exceptions=False)
    assert "Traceback" not in result.output
    return result.output.strip().splitlines()


def test_doctor_checks_each_configured_channel(
    env, dingtalk_api, wechat_api, tmp_path, monkeypatch
):
    values = {**env, **dingtalk_vars(dingtalk_api.base), **wechat_vars(wechat_api.base)}
    lines = _doctor(values, tmp_path, monkeypatch)
    assert "✓ 钉钉：凭据有效，已取得 access_token" in lines
    assert "✓ 微信公众号：凭据有效，已取得 access_token" in lines
    assert dingtalk_api.paths() == ["gettoken"] and [c.path for c in wechat_api.calls] == ["token"]


def test_doctor_names_wrong_credentials_without_showing_them(
    env, dingtalk_api, wechat_api, tmp_path, monkeypatch
):
    values = {**env, **dingtalk_vars(dingtalk_api.base), **wechat_vars(wechat_api.base)}
    values.update(DINGTALK_APP_SECRET="wrong-ding-secret", WECHAT_APP_SECRET="wrong-mp-secret")
    lines = _doctor(values, tmp_path, monkeypatch)
    ding = next(line for line in lines if "钉钉" in line)
    mp = next(line for line in lines if "微信公众号" in line)
    assert ding.startswith("✗") and "DINGTALK_APP_SECRET" in ding
    assert mp.startswith("✗") and "errcode 40001" in mp
    assert "wrong-ding-secret" not in "\n".join(lines) and "wrong-mp-secret" not in "\n".join(lines)


def test_the_stream_command_without_dingtalk_says_so(env, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["dingtalk-stream"], env=env)
    assert result.exit_code == 1 and "钉钉未配置" in result.output
