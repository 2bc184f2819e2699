"""Settings: a missing or malformed value stops start-up with one line naming the variable; with no
WECOM_* at all the WeCom callback is simply absent and everything else works."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.app import create_app
from bot.config import ConfigError, load_settings
from bot.dispatch import Services
from storage.db import make_engine, make_session_factory
from tests.fakes.fixtures import wecom_vars

ROOT = Path(__file__).resolve().parents[2]
GOOD = wecom_vars("http://127.0.0.1:9/cgi-bin")
BAD = [
    ({"WECOM_AES_KEY": GOOD["WECOM_AES_KEY"][:42]}, "WECOM_AES_KEY"),
    ({"WECOM_AES_KEY": GOOD["WECOM_AES_KEY"][:42] + "!"}, "WECOM_AES_KEY"),
    ({"WECOM_AGENT_ID": "一百万"}, "WECOM_AGENT_ID"),
    ({"WECOM_AGENT_ID": "10.5"}, "WECOM_AGENT_ID"),
    ({"WECOM_SECRET": ""}, "WECOM_SECRET"),
    ({"WECOM_API_BASE": "qyapi.weixin.qq.com/cgi-bin/"}, "WECOM_API_BASE"),
    ({"LIAISON_TIMEZONE": "Asia/Beijing"}, "LIAISON_TIMEZONE"),
    ({"LIAISON_DATABASE_URL": "liaison.db"}, "LIAISON_DATABASE_URL"),
    ({"LIAISON_REPORT_OPEN_DAY": "二十"}, "LIAISON_REPORT_OPEN_DAY"),
    ({"LIAISON_REPORT_OPEN_DAY": "31"}, "LIAISON_REPORT_OPEN_DAY"),
    ({"LIAISON_REPORT_DEADLINE_WORKDAY": "5.5"}, "LIAISON_REPORT_DEADLINE_WORKDAY"),
    ({"LIAISON_REFERRAL_DAYS": "0"}, "LIAISON_REFERRAL_DAYS"),
    ({"LIAISON_WARN_COUNT": "1"}, "LIAISON_WARN_COUNT"),
    ({"LIAISON_WECOM_REPLY_BUDGET": "6"}, "LIAISON_WECOM_REPLY_BUDGET"),
    ({"LIAISON_REFERRAL_DAYS_BY_HAZARD": "放射=abc"}, "LIAISON_REFERRAL_DAYS_BY_HAZARD"),
    ({"LIAISON_REFERRAL_DAYS_BY_HAZARD": "放射=0"}, "LIAISON_REFERRAL_DAYS_BY_HAZARD"),
    ({"LIAISON_REFERRAL_DAYS_BY_HAZARD": "辐射=10"}, "LIAISON_REFERRAL_DAYS_BY_HAZARD"),
    ({"LIAISON_REFERRAL_DAYS_BY_HAZARD": "放射"}, "LIAISON_REFERRAL_DAYS_BY_HAZARD"),
    ({"LIAISON_REPORT_FIRST_PERIOD": "2026-13"}, "LIAISON_REPORT_FIRST_PERIOD"),
    ({"LIAISON_REPORT_FIRST_PERIOD": "七月"}, "LIAISON_REPORT_FIRST_PERIOD"),
]


@pytest.mark.parametrize(("change", "variable"), BAD, ids=[v for _, v in BAD])
def test_a_malformed_value_names_its_variable(tmp_path, change, variable):
    env = {"LIAISON_INSTANCE_PATH": str(tmp_path), **GOOD, **change}
    with pytest.raises(ConfigError) as err:
        load_settings(env)
    assert variable in str(err.value)


def test_good_domain_settings_are_accepted(tmp_path):
    env = {
        "LIAISON_INSTANCE_PATH": str(tmp_path),
        "LIAISON_REFERRAL_DAYS_BY_HAZARD": "放射=10，化学毒物 = 12,",
        "LIAISON_REPORT_FIRST_PERIOD": "2026-7",
    }
    assert load_settings(env).extra["LIAISON_REPORT_FIRST_PERIOD"] == "2026-7"


def test_only_some_wecom_variables_set_is_an_error(tmp_path):
    with pytest.raises(ConfigError, match="WECOM_AGENT_ID"):
        load_settings({"LIAISON_INSTANCE_PATH": str(tmp_path), "WECOM_CORP_ID": "ww1"})


def test_good_wecom_settings_are_read_and_the_api_base_normalised(tmp_path):
    settings = load_settings({"LIAISON_INSTANCE_PATH": str(tmp_path), **GOOD})
    assert settings.wecom.agent_id == 1000002
    assert settings.wecom.api_base == "http://127.0.0.1:9/cgi-bin/"
    assert load_settings({"LIAISON_INSTANCE_PATH": str(tmp_path)}).wecom is None


def _liaison(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    base |= {k: v for k, v in os.environ.items() if k.startswith("COVERAGE_")}  # measured too
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        env={**base, "PYTHONPATH": str(ROOT), **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("change", "variable"),
    [
        ({"WECOM_AES_KEY": "tooshort"}, "WECOM_AES_KEY"),
        ({"WECOM_AGENT_ID": "abc"}, "WECOM_AGENT_ID"),
        ({"WECOM_TOKEN": ""}, "WECOM_TOKEN"),
        ({"LIAISON_TIMEZONE": "Mars/Olympus"}, "LIAISON_TIMEZONE"),
        ({"LIAISON_REFERRAL_DAYS_BY_HAZARD": "放射=abc"}, "LIAISON_REFERRAL_DAYS_BY_HAZARD"),
        ({"LIAISON_REPORT_FIRST_PERIOD": "2026-13"}, "LIAISON_REPORT_FIRST_PERIOD"),
    ],
)
def test_start_up_stops_with_one_clear_line(tmp_path, change, variable):
    env = {
        "LIAISON_INSTANCE_PATH": str(tmp_path / "instance"),
        "LIAISON_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}",
        **GOOD,
        **change,
    }
    result = _liaison(["db", "upgrade"], env, tmp_path)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("配置错误：") and variable in lines[0]
    assert "Traceback" not in result.stderr + result.stdout
    assert not (tmp_path / "x.db").exists()  # stopped before touching the database


def test_without_wecom_the_callback_is_absent_and_the_rest_works(services):
    assert services.settings.wecom is None
    client = create_app(services).test_client()
    assert client.get("/wecom/callback").status_code == 404
    assert client.post("/wecom/callback", data=b"<xml/>").status_code == 404
    assert client.get("/healthz").get_json() == {"status": "ok", "database": "ok"}


def test_healthz_is_503_when_the_database_is_unreachable(tmp_path, clock):
    settings = load_settings(
        {
            "LIAISON_INSTANCE_PATH": str(tmp_path),
            "LIAISON_DATABASE_URL": "postgresql+psycopg://postgres@127.0.0.1:9/none?connect_timeout=2",
        }
    )
    engine = make_engine(settings.database_url)
    services = Services(settings=settings, sessions=make_session_factory(engine), clock=clock)
    res = create_app(services).test_client().get("/healthz")
    assert res.status_code == 503
    assert res.get_json() == {"status": "error", "database": "unreachable"}
    engine.dispose()
