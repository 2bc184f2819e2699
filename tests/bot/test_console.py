"""`liaison shell` reads one message per line when stdin is not a terminal, and shows pushes."""

from __future__ import annotations

import os
import subprocess
import sys


def liaison(env: dict[str, str], *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    full_env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("LIAISON_", "WECOM_"))},
        **env,
    }
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=full_env,
        timeout=60,
        check=False,
    )


def test_scripted_shell_session_as_a_roster_member(env):
    assert liaison(env, "demo").returncode == 0
    result = liaison(env, "shell", "--as", "demo-u09-liaison", stdin="我是谁\n帮主\n\n取消\n")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "以 区人社局联络员（演示） 的身份对话" in out
    assert "> 我是谁" in out and "单位：区人社局　角色：联络员" in out
    assert "您是不是要：帮助" in out
    assert "当前没有进行中的操作" in out
    assert "Traceback" not in out + result.stderr


def test_shell_for_someone_not_on_the_roster(env):
    liaison(env, "demo")
    result = liaison(env, "shell", "--as", "stranger-1", stdin="我是谁\n")
    assert "不在名单中，按公众身份" in result.stdout
    assert "不在联席会议名单中" in result.stdout
