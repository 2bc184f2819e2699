"""The `liaison` command: serve, scheduler, shell, db, roster, demo, holidays."""

from __future__ import annotations

import ctypes
import logging
import os
import shutil
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING

import click

from bot.config import ConfigError, load_settings

if TYPE_CHECKING:  # not imported at run time: `serve` must set up metrics before prometheus_client
    from bot.dispatch import Services

log = logging.getLogger("liaison")


class CliError(click.ClickException):
    """A problem the operator can fix: one Chinese line on standard error, exit status 1."""

    def show(self, file=None) -> None:
        click.echo(f"错误：{self.format_message()}", err=True)


def _services() -> Services:
    from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

    from bot.app import build_services

    settings = load_settings()
    where = _where(settings.database_url)
    try:
        services = build_services(settings)
    except (ArgumentError, NoSuchModuleError, ImportError):
        raise CliError(
            f"不支持的数据库地址 {where}：LIAISON_DATABASE_URL 应为 sqlite:///文件路径 "
            "或 postgresql+psycopg://用户@主机:端口/库名"
        ) from None
    except OSError as err:
        raise CliError(f"无法创建数据库文件 {where}：{_os_reason(err)}") from None
    engine = services.sessions.kw["bind"]
    click.get_current_context().call_on_close(engine.dispose)
    try:
        _upgrade(services)
    except DBAPIError as err:
        detail = str(err.orig or err).strip().splitlines()[0][:200]
        raise CliError(
            f"无法连接数据库 {where}，请检查 LIAISON_DATABASE_URL 和数据库服务（{detail}）"
        ) from None
    return services


def _where(url: str) -> str:
    """The database address without user and password, for messages."""
    return url.split("@")[-1] if "@" in url else url


def _os_reason(err: OSError) -> str:
    if isinstance(err, FileNotFoundError):
        return "所在目录不存在"
    if isinstance(err, PermissionError):
        return "没有写入权限"
    if isinstance(err, IsADirectoryError):
        return "这是一个目录"
    return f"系统错误 {err.errno}"


def _input_file(path: Path) -> Path:
    if not path.exists():
        raise CliError(f"找不到文件 {path}")
    if not path.is_file():
        raise CliError(f"{path} 不是文件")
    return path


def _upgrade(services: Services) -> None:
    from storage.migrate import upgrade

    upgrade(services.sessions.kw["bind"])


def channel_senders(services: Services) -> dict:
    """The senders a server-side drainer uses: real platforms only, never the console."""
    senders = {}
    if services.settings.wecom is not None:
        from bot.channels.wecom import WeComSender

        senders["wecom"] = WeComSender(services)
    return senders


@click.group()
@click.option("-v", "--verbose", is_flag=True, help="输出调试日志")
def cli(verbose: bool) -> None:
    """二七区职业病防治工作联席会议 联络机器人"""
    from bot.logs import configure_logging

    configure_logging(verbose=verbose)


@cli.group()
def db() -> None:
    """数据库管理。"""


@db.command("upgrade")
def db_upgrade() -> None:
    """把数据库升级到最新结构（Alembic）。"""
    services = _services()
    click.echo(f"数据库已是最新结构：{_where(services.settings.database_url)}")


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=int)
@click.option("--threads", default=4, show_default=True, type=int)
@click.option(
    "--no-scheduler", is_flag=True, help="不在本机启动定时任务（另行运行 liaison scheduler）"
)
def serve(host: str, port: int, workers: int, threads: int, no_scheduler: bool) -> None:
    """以生产 WSGI 服务器（gunicorn）运行回调服务，默认同时运行一个定时任务进程。"""
    from bot.server import prepare_metrics_dir, run_gunicorn

    metrics_dir = prepare_metrics_dir()  # before _services() imports prometheus_client
    child = None
    try:
        services = _services()
        if not no_scheduler:
            child = _start_scheduler()
        wecom = "已启用 /wecom/callback" if services.settings.wecom else "未配置（WECOM_* 未设置）"
        click.echo(f"联络机器人已启动：http://{host}:{port}  企业微信回调：{wecom}")
        click.echo("本地对话：在另一个终端运行  .venv/bin/liaison shell --as demo-office")
        run_gunicorn(host, port, workers, threads)
    finally:
        if child is not None:
            _stop(child)
        shutil.rmtree(metrics_dir, ignore_errors=True)


def _start_scheduler() -> subprocess.Popen:
    """The scheduler as a child that dies with this process, even if this one is SIGKILLed."""
    verbose = click.get_current_context().find_root().params.get("verbose")
    args = [sys.executable, "-m", "bot.cli", *(["-v"] if verbose else [])]
    return subprocess.Popen([*args, "scheduler", "--parent-pid", str(os.getpid())])


def _stop(child: subprocess.Popen) -> None:
    child.send_signal(signal.SIGTERM)
    try:
        child.wait(timeout=10)
    except subprocess.TimeoutExpired:
        log.warning("定时任务进程 %s 10 秒内未退出，已强制结束", child.pid)
        child.kill()
        child.wait()


@cli.command()
@click.option("--parent-pid", type=int, default=None, hidden=True)
def scheduler(parent_pid: int | None) -> None:
    """只运行定时任务（提醒、催报、推送发送）；全部署只应运行一个。"""
    if parent_pid is not None:
        _die_with_parent(parent_pid)
    from apscheduler.schedulers.background import BackgroundScheduler

    from bot.scheduler import configure

    services = _services()
    sched = BackgroundScheduler(timezone=services.settings.timezone)
    configure(sched, services, channel_senders(services))
    # the signal handler only sets a flag, so a signal at any moment (even during start-up, or
    # while the main thread holds an executor lock) is safe; the main thread does the shutdown
    stopping = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stopping.set())
    sched.start()
    log.info("scheduler started (pid %s)", os.getpid())
    while not stopping.wait(1.0):
        if parent_pid is not None and os.getppid() != parent_pid:
            log.warning("serve 主进程 %s 已不在，定时任务进程随之停止", parent_pid)
            break
    sched.shutdown(wait=True)
    log.info("scheduler stopped")


PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def _die_with_parent(parent_pid: int) -> None:
    """Ask Linux for SIGTERM when `liaison serve` dies, however it dies (even SIGKILL), so no
    scheduler runs unsupervised (issue 8). If the parent died before this call, our parent is
    already another process and no signal will come: leave now. Elsewhere, the loop's ppid check
    is the only guard."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0) != 0:
            log.warning("prctl(PR_SET_PDEATHSIG) failed: errno %s", ctypes.get_errno())
    if os.getppid() != parent_pid:
        log.warning("serve 主进程 %s 已不在，定时任务进程不再启动", parent_pid)
        sys.exit(0)


@cli.command()
@click.option("--as", "user_id", default="", help="以名单中某人的企业微信/钉钉账号身份对话")
@click.option("--with-scheduler", is_flag=True, help="同时在本进程运行定时任务")
def shell(user_id: str, with_scheduler: bool) -> None:
    """本地控制台：以任意名单成员身份发消息，查看回复和推送。"""
    from bot.channels.console import run_shell

    if not user_id.strip():
        raise CliError("请用 --as 指定账号，例如：liaison shell --as demo-office")
    services = _services()
    if with_scheduler:
        from apscheduler.schedulers.background import BackgroundScheduler

        from bot.scheduler import configure

        configure(BackgroundScheduler(timezone=services.settings.timezone), services, {}).start()
    run_shell(services, user_id, sys.stdin, sys.stdout)


@cli.group()
def roster() -> None:
    """成员单位名单的导入与导出。"""


@roster.command("import")
@click.argument("file", type=click.Path(path_type=Path))
def roster_import(file: Path) -> None:
    """从 .xlsx 或 .csv 导入名单（表头：单位,姓名,职务,角色,企业微信账号,钉钉账号,手机）。"""
    from handlers.roster import RosterError, apply_rows, parse_rows, read_rows

    try:
        rows = parse_rows(read_rows(_input_file(file)))
    except RosterError as err:
        raise CliError(f"导入失败，未导入任何数据。{err}") from None
    services = _services()
    try:
        with services.sessions() as session, session.begin():
            result = apply_rows(session, rows, services.clock())
    except RosterError as err:
        raise CliError(f"导入失败，未导入任何数据。{err}") from None
    click.echo(
        f"导入完成：{len(rows)}行；新建单位{result.units_created}个，新增人员{result.people_created}人，"
        f"更新人员{result.people_updated}人，新任职{result.appointments_started}项，"
        f"卸任{result.appointments_ended}项。"
    )


@roster.command("export")
@click.argument("file", type=click.Path(path_type=Path))
def roster_export(file: Path) -> None:
    """把当前名单导出为 .xlsx 或 .csv。"""
    from handlers.roster import RosterError, export_rows, write_rows

    services = _services()
    with services.sessions() as session:
        rows = export_rows(session)
    try:
        write_rows(file, rows)
    except RosterError as err:
        raise CliError(str(err)) from None
    except OSError as err:
        raise CliError(f"无法写入 {file}：{_os_reason(err)}") from None
    click.echo(f"已导出{len(rows) - 1}条任职记录到 {file}")


@cli.command()
def demo() -> None:
    """向空数据库写入演示名单（种子文件中的32个成员单位，人员和账号均为虚构）。"""
    from handlers.demo import DEMO_OFFICE, seed_demo

    services = _services()
    with services.sessions() as session, session.begin():
        result = seed_demo(session, services.clock())
    if result is None:
        click.echo("名单已有数据，未写入演示数据。")
        return
    click.echo(
        f"已写入演示名单：{result.units_created}个成员单位，{result.people_created}人（均标注“演示”）。"
    )
    click.echo(f"试试：liaison shell --as {DEMO_OFFICE}   或   liaison shell --as demo-u09-liaison")


@cli.group()
def holidays() -> None:
    """法定节假日与调休安排。"""


@holidays.command("import")
@click.argument("file", type=click.Path(path_type=Path))
def holidays_import(file: Path) -> None:
    """导入某年的节假日（CSV 表头：日期,名称,类型；类型为 休 或 班）。"""
    from handlers.roster import RosterError, decode_csv
    from handlers.workdays import import_holidays, parse_holiday_file

    try:
        rows = parse_holiday_file(decode_csv(_input_file(file).read_bytes()))
    except (ValueError, RosterError) as err:
        raise CliError(f"导入失败，未导入任何数据。{err}") from None
    services = _services()
    with services.sessions() as session, session.begin():
        years = import_holidays(session, rows, source=file.name)
    click.echo(f"已导入{'、'.join(map(str, years))}年的{len(rows)}个节假日/调休日。")


@cli.command("seal-key")
def seal_key() -> None:
    """生成一个新的 LIAISON_SEAL_KEY（用于加密举报人身份信息）。"""
    from cryptography.fernet import Fernet

    click.echo(Fernet.generate_key().decode())


def main() -> None:
    try:
        cli(standalone_mode=True)
    except ConfigError as err:
        click.echo(f"配置错误：{err}", err=True)
        sys.exit(2)


if __name__ == "__main__":
    main()
