"""`liaison` as an operator meets it: a mistake (a missing file, a wrong extension, a database that
is not there) gets one Chinese line on standard error and a non-zero exit, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import TEST_SEAL_KEY
from tests.fakes.fixtures import wecom_vars
from tests.fakes.wecom_api import FAKE_SECRET

ROOT = Path(__file__).resolve().parents[2]


def liaison(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
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


def one_chinese_line(result: subprocess.CompletedProcess) -> str:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("错误："), lines[0]
    return lines[0]


@pytest.fixture
def cli_env(tmp_path: Path) -> dict[str, str]:
    (tmp_path / "note.txt").write_text("单位,姓名\n", encoding="utf-8")
    (tmp_path / "broken.xlsx").write_bytes(b"not a zip file")
    (tmp_path / "gbk.csv").write_bytes("日期,名称,类型\n2027-01-01,元旦,休\n".encode("gb18030"))
    return {
        "LIAISON_SEAL_KEY": TEST_SEAL_KEY,
        "LIAISON_INSTANCE_PATH": str(tmp_path / "instance"),
        "LIAISON_DATABASE_URL": f"sqlite:///{tmp_path / 'instance' / 'x.db'}",
    }


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["roster", "import", "missing.xlsx"], "找不到文件 missing.xlsx"),
        (["roster", "import", "note.txt"], "不支持的文件类型「.txt」"),
        (["roster", "import", "broken.xlsx"], "无法打开这个 .xlsx 文件"),
        (["roster", "import", "."], "不是文件"),
        (["roster", "export", "nowhere/out.csv"], "所在目录不存在"),
        (["roster", "export", "out.txt"], "不支持的文件类型「.txt」"),
        (["holidays", "import", "missing.csv"], "找不到文件 missing.csv"),
        (["shell"], "请用 --as 指定账号"),
        (["serve", "--workers", "0"], "--workers 至少为 1"),
        (["serve", "--threads", "0"], "--threads 至少为 1"),
    ],
)
def test_a_file_mistake_gets_one_chinese_line(tmp_path, cli_env, args, says):
    assert says in one_chinese_line(liaison(args, cli_env, tmp_path))


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("mysql://someone@db/liaison", "不支持的数据库地址 db/liaison"),
        ("postgresql+psycopg://liaison:secret@127.0.0.1:1/liaison", "无法连接数据库 127.0.0.1:1"),
        ("sqlite:////proc/no/such/dir/x.db", "无法创建数据库文件"),
    ],
)
def test_a_database_that_cannot_be_used_gets_one_chinese_line(tmp_path, cli_env, url, says):
    line = one_chinese_line(
        liaison(["db", "upgrade"], {**cli_env, "LIAISON_DATABASE_URL": url}, tmp_path)
    )
    assert says in line and "secret" not in line


def test_a_holiday_file_saved_by_excel_in_gbk_imports(tmp_path, cli_env):
    result = liaison(["holidays", "import", "gbk.csv"], cli_env, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "已导入2027年的1个节假日" in result.stdout


def test_verbose_logs_http_calls_without_their_secrets(tmp_path, cli_env, wecom_api):
    """Issue 8 item 3: `-v` logged urllib3's request lines with corpsecret= and access_token=."""
    liaison(["db", "upgrade"], cli_env, tmp_path)
    result = liaison(["-v", "doctor"], {**cli_env, **wecom_vars(wecom_api.base)}, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "logger=urllib3.connectionpool" in result.stderr
    assert "corpsecret=***" in result.stderr
    assert FAKE_SECRET not in result.stdout + result.stderr
    assert "fake-token-" not in result.stdout + result.stderr


def _commands(group, path=()):
    import click

    for name, cmd in group.commands.items():
        if cmd.hidden:
            continue
        yield (*path, name), cmd
        if isinstance(cmd, click.Group):
            yield from _commands(cmd, (*path, name))


def test_every_command_and_option_is_described_in_chinese():
    from bot.cli import cli

    for path, cmd in [((), cli), *_commands(cli)]:
        assert cmd.help and not cmd.help.isascii(), path
        for param in cmd.params:
            if getattr(param, "hidden", False) or param.param_type_name != "option":
                continue
            assert param.help and not param.help.isascii(), (path, param.name)


@pytest.mark.parametrize(
    "args", [["-h"], ["serve", "-h"], ["shell", "--help"], ["db", "upgrade", "-h"]]
)
def test_help_is_in_chinese_with_h(tmp_path, cli_env, args):
    result = liaison(args, cli_env, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("用法: liaison")
    for english in ("Usage", "Options", "Commands", "Show this message", "[OPTIONS]"):
        assert english not in result.stdout


def test_a_mistyped_command_is_answered_in_chinese(tmp_path, cli_env):
    result = liaison(["serv"], cli_env, tmp_path)
    assert result.returncode == 2
    assert "错误：没有「serv」这个命令。" in result.stderr
    assert "运行「liaison --help」查看帮助" in result.stderr
    assert "您是不是要：" in result.stderr and "serve" in result.stderr


def test_db_upgrade_says_what_it_did(tmp_path, cli_env):
    first = liaison(["db", "upgrade"], cli_env, tmp_path)
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("已新建数据库结构（版本 ")
    assert "已是最新" not in first.stdout
    again = liaison(["db", "upgrade"], cli_env, tmp_path)
    assert again.stdout.startswith("数据库已是最新结构（版本 ")
