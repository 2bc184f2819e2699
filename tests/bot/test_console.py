"""`liaison shell` reads one message per line when stdin is not a terminal, shows the speaker's
replies and pushes (everyone's with --all), edits lines with history at a terminal, and on an
empty roster says what to run first."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from datetime import UTC, datetime

from storage.outbox import OutboxMessage
from storage.sealing import seal


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
    assert liaison(env, "demo").returncode == 0
    result = liaison(env, "shell", "--as", "stranger-1", stdin="我是谁\n")
    assert "不在名单中，按公众身份" in result.stdout
    assert "不在联席会议名单中" in result.stdout


def _queue_console_push(bot, address: str, text: str, sealed: bool = False) -> None:
    """A push made elsewhere (the scheduler, another console) waiting for `address`."""
    now = datetime.now(UTC)
    with bot.session() as session, session.begin():
        session.add(
            OutboxMessage(
                channel="console",
                address=address,
                kind="text",
                payload={"text": text, **({"sealed_address": True} if sealed else {})},
                created_at=now,
                next_attempt_at=now,
            )
        )


def test_the_speaker_sees_pushes_to_them_and_others_only_with_all(bot, env):
    _queue_console_push(bot, "demo-office", "给办公室的推送")
    _queue_console_push(bot, "demo-u09-liaison", "给人社局的推送")
    _queue_console_push(bot, seal(bot.services.seal_key, "stranger-1"), "给举报人的推送", True)
    result = liaison(env, "shell", "--as", "demo-office", stdin="我是谁\n")
    assert result.returncode == 0, result.stderr
    assert "推送给 您：\n    给办公室的推送" in result.stdout
    assert "人社局" not in result.stdout and "举报人" not in result.stdout
    # the office's console left the others' pushes for their own consoles, sealed one included
    result = liaison(env, "shell", "--as", "demo-u09-liaison", stdin="我是谁\n")
    assert "推送给 您：\n    给人社局的推送" in result.stdout and "举报人" not in result.stdout
    result = liaison(env, "shell", "--as", "stranger-1", stdin="我是谁\n")
    assert "推送给 您：\n    给举报人的推送" in result.stdout, result.stdout
    _queue_console_push(bot, "demo-u09-liaison", "再一条给人社局的推送")
    result = liaison(env, "shell", "--as", "demo-office", "--all", stdin="催报\n")
    assert "推送给 区人社局联络员（演示）（demo-u09-liaison）：" in result.stdout
    assert "【催报】" in result.stdout


def test_an_empty_roster_says_to_load_one_instead_of_treating_everyone_as_public(env):
    result = liaison(env, "shell", "--as", "demo-office", stdin="我是谁\n")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "错误：名单是空的，还没有人可以对话：先运行 liaison demo 写入演示名单，"
        "或 liaison roster import 名单.xlsx 导入正式名单"
    ]
    assert "公众" not in result.stdout


def _read_until(fd: int, needle: bytes, timeout: float = 30.0) -> bytes:
    seen = b""
    deadline = time.monotonic() + timeout
    while needle not in seen and time.monotonic() < deadline:
        if select.select([fd], [], [], 0.2)[0]:
            try:
                seen += os.read(fd, 4096)
            except OSError:  # the child closed the terminal
                break
    return seen


def test_at_a_terminal_lines_are_edited_and_remembered_across_sessions(bot, env):
    full_env = {**os.environ, **env, "TERM": "xterm"}
    history = f"{env['LIAISON_INSTANCE_PATH']}/shell_history"

    def session(keys: bytes, expect: bytes) -> bytes:
        master, slave = pty.openpty()
        proc = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "shell", "--as", "demo-office"],
            stdin=slave,
            stdout=slave,
            stderr=subprocess.DEVNULL,
            env=full_env,
        )
        os.close(slave)
        try:
            _read_until(master, b"> ")
            os.write(master, keys)
            out = _read_until(master, expect + b"\r\n> ")  # answered, and prompting again
            os.write(master, b"\x04")  # Ctrl-D
            assert proc.wait(timeout=30) == 0
            return out
        finally:
            proc.kill()
            os.close(master)

    # typed 我是X, then Backspace and 谁: the line as edited is sent
    out = session("我是X\x7f谁\r".encode(), "角色：办公室".encode())
    assert "角色：办公室".encode() in out
    with open(history, encoding="utf-8") as remembered:
        assert "我是谁" in remembered.read()
    # the next session recalls it with the up arrow
    out = session(b"\x1b[A\r", "角色：办公室".encode())
    assert "角色：办公室".encode() in out
