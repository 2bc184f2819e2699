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
import time
from pathlib import Path
from typing import TYPE_CHECKING

import click

from bot import cli_zh
from bot.config import ConfigError, load_settings
from bot.redact import redact

if TYPE_CHECKING:  # not imported at run time: `serve` must set up metrics before prometheus_client
    from bot.dispatch import Services

log = logging.getLogger("liaison")
cli_zh.install()


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
        before = _revision(engine)
        _upgrade(services)
        click.get_current_context().meta["liaison.revisions"] = (before, _revision(engine))
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


def _revision(engine) -> str:
    """The database's Alembic revision ('' for a database with no tables of ours yet)."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return ",".join(sorted(MigrationContext.configure(conn).get_current_heads()))


def _upgrade(services: Services) -> None:
    from storage.migrate import upgrade

    upgrade(services.sessions.kw["bind"])


def channel_senders(services: Services) -> dict:
    """The senders a server-side drainer uses: real platforms only, never the console."""
    senders = {}
    if services.settings.wecom is not None:
        from bot.channels.wecom import WeComSender

        senders["wecom"] = WeComSender(services)
    if services.settings.dingtalk is not None:
        from bot.dingtalk_client import DingTalkSender

        senders["dingtalk"] = DingTalkSender(services)
    if services.settings.wechat is not None:
        from bot.wechat_mp_client import WeChatMPSender

        senders["wechat_mp"] = WeChatMPSender(services)
    return senders


@click.group(
    cls=cli_zh.Group,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.option("-v", "--verbose", is_flag=True, help="输出调试日志（写到标准错误）")
def cli(verbose: bool) -> None:
    """二七区职业病防治工作联席会议 联络机器人。

    \b
    第一次使用：
      liaison demo                         写入演示名单（或 liaison roster import 名单.xlsx）
      liaison serve                        启动服务（http://127.0.0.1:8000）
      liaison shell --as demo-office       在另一个终端以办公室身份对话
    每个命令加 -h 查看用法。
    """
    from bot.logs import configure_logging

    configure_logging(verbose=verbose)


@cli.group()
def db() -> None:
    """数据库管理。"""


@db.command("upgrade")
def db_upgrade() -> None:
    """把数据库升级到最新结构（Alembic）；新数据库即建立全部表。"""
    services = _services()
    where = _where(services.settings.database_url)
    before, after = click.get_current_context().meta["liaison.revisions"]
    if not before:
        click.echo(f"已新建数据库结构（版本 {after}）：{where}")
    elif before != after:
        click.echo(f"数据库已从版本 {before} 升级到 {after}：{where}")
    else:
        click.echo(f"数据库已是最新结构（版本 {after}），无需升级：{where}")


@cli.command()
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    metavar="地址",
    help="监听地址；只在本机访问用 127.0.0.1，供企业微信等平台回调用 0.0.0.0",
)
@click.option("--port", default=8000, show_default=True, type=int, metavar="端口", help="监听端口")
@click.option(
    "--workers",
    default=2,
    show_default=True,
    type=int,
    metavar="N",
    help="处理回调的进程数（至少 1）",
)
@click.option(
    "--threads",
    default=4,
    show_default=True,
    type=int,
    metavar="N",
    help="每个进程的线程数（至少 1）",
)
@click.option(
    "--no-scheduler", is_flag=True, help="不在本机启动定时任务（另行运行 liaison scheduler）"
)
@click.option(
    "--no-dingtalk-stream", is_flag=True, help="不启动钉钉 Stream 连接（全部署只应有一个）"
)
def serve(
    host: str, port: int, workers: int, threads: int, no_scheduler: bool, no_dingtalk_stream: bool
) -> None:
    """以生产 WSGI 服务器（gunicorn）运行回调服务，默认同时运行一个定时任务进程。"""
    from bot.server import prepare_metrics_dir, run_gunicorn

    for name, value in (("--workers", workers), ("--threads", threads)):
        if value < 1:
            raise CliError(f"{name} 至少为 1（当前为 {value}）：没有进程或线程就无人处理回调")
    if not 1 <= port <= 65535:
        raise CliError(f"--port 应为 1–65535 的端口号（当前为 {port}）")
    metrics_dir = prepare_metrics_dir()  # before _services() imports prometheus_client
    serve_pid = os.getpid()
    children = []
    try:
        services = _services()
        if not no_scheduler:
            children.append(_start_scheduler())
        if services.settings.dingtalk is not None and not no_dingtalk_stream:
            children.append(_start_child("dingtalk-stream"))
        wecom = "已启用 /wecom/callback" if services.settings.wecom else "未配置（WECOM_* 未设置）"
        click.echo(f"联络机器人已启动：http://{host}:{port}  企业微信回调：{wecom}")
        for line in channel_lines(services.settings, stream=not no_dingtalk_stream):
            click.echo(line)
        click.echo("本地对话：在另一个终端运行  .venv/bin/liaison shell --as demo-office")
        click.echo("按 Ctrl-C 停止。")
        run_gunicorn(host, port, workers, threads, on_stop=lambda: _signal_all(children))
    except KeyboardInterrupt:  # Ctrl-C reached this process outside gunicorn's own handler
        pass
    finally:  # gunicorn ends with sys.exit(), so this is where a stop comes out
        if os.getpid() != serve_pid:  # a forked worker unwinding (a second signal mid-exit)
            os._exit(0)
        _stop_all(children)
        shutil.rmtree(metrics_dir, ignore_errors=True)
        click.echo("联络机器人已停止。")
        import gc

        gc.freeze()  # exit without the final collection of everything imported


def channel_lines(settings, stream: bool = True) -> list[str]:
    """One line per channel besides WeCom: on (and where), or off and why."""
    if settings.dingtalk is None:
        dingtalk = "钉钉：未配置（DINGTALK_* 未设置）"
    else:
        mode = "，Stream 连接已启动" if stream else ""
        dingtalk = f"钉钉：已启用 /dingtalk/callback{mode}"
    if settings.wechat is None:
        wechat = "微信公众号：未配置（WECHAT_* 未设置）"
    else:
        safe = (
            "明文/兼容/安全模式" if settings.wechat.aes_key else "明文模式（未设 WECHAT_AES_KEY）"
        )
        wechat = f"微信公众号：已启用 /wechat/callback（{safe}）"
    return [dingtalk, wechat]


def _start_child(command: str) -> subprocess.Popen:
    """A `liaison <command>` child that dies with this process (like the scheduler)."""
    verbose = click.get_current_context().find_root().params.get("verbose")
    args = [sys.executable, "-m", "bot.cli", *(["-v"] if verbose else [])]
    return subprocess.Popen([*args, command, "--parent-pid", str(os.getpid())])


@cli.command("dingtalk-stream")
@click.option("--parent-pid", type=int, default=None, hidden=True)
def dingtalk_stream_command(parent_pid: int | None) -> None:
    """以钉钉 Stream 模式接收机器人消息（无需公网地址）；全部署只应运行一个。"""
    if parent_pid is not None:
        _die_with_parent(parent_pid)
    services = _services()
    if services.settings.dingtalk is None:
        raise CliError(
            "钉钉未配置：请设置 DINGTALK_APP_KEY、DINGTALK_APP_SECRET、DINGTALK_ROBOT_CODE、DINGTALK_AGENT_ID"
        )
    from bot.channels.dingtalk_stream import StreamRunner

    runner = StreamRunner(services)
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: runner.stop())
    log.info("dingtalk stream started (pid %s)", os.getpid())
    runner.run()
    log.info("dingtalk stream stopped")


def _start_scheduler() -> subprocess.Popen:
    """The scheduler as a child that dies with this process, even if this one is SIGKILLed."""
    verbose = click.get_current_context().find_root().params.get("verbose")
    args = [sys.executable, "-m", "bot.cli", *(["-v"] if verbose else [])]
    return subprocess.Popen([*args, "scheduler", "--parent-pid", str(os.getpid())])


CHILD_GRACE = 3.0  # seconds, counted from the stop, for all children together


def _signal_all(children: list[subprocess.Popen]) -> None:
    """SIGTERM to every child still running, so they stop while gunicorn stops, not after it."""
    for child in children:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)


def _stop_all(children: list[subprocess.Popen]) -> None:
    _signal_all(children)
    deadline = time.monotonic() + CHILD_GRACE
    for child in children:
        try:
            child.wait(timeout=max(deadline - time.monotonic(), 0.1))
        except subprocess.TimeoutExpired:
            log.warning("子进程 %s 在 %.0f 秒内未退出，已强制结束", child.pid, CHILD_GRACE)
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
    while not stopping.wait(0.2):
        if parent_pid is not None and os.getppid() != parent_pid:
            log.warning("serve 主进程 %s 已不在，定时任务进程随之停止", parent_pid)
            break
    sched.shutdown(wait=True)
    log.info("scheduler stopped")
    import gc

    gc.freeze()  # exit without the final collection of everything imported (as gunicorn workers)


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
@click.option(
    "--as",
    "user_id",
    default="",
    metavar="账号",
    help="以名单中某人的企业微信/钉钉账号身份对话；不在名单中的账号按公众身份",
)
@click.option(
    "--all", "show_all", is_flag=True, help="也显示发给其他人的推送（默认只显示发给您的）"
)
@click.option("--with-scheduler", is_flag=True, help="同时在本进程运行定时任务")
def shell(user_id: str, show_all: bool, with_scheduler: bool) -> None:
    """本地控制台：以名单成员身份发消息，查看回复和发给您的推送。

    \b
    在终端里可以用方向键编辑、翻看历史；Ctrl-D 退出。
    标准输入不是终端时每行一条消息，例如：
      printf '我是谁\\n帮助\\n' | liaison shell --as demo-office
    """
    from bot.channels.console import run_shell

    if not user_id.strip():
        raise CliError("请用 --as 指定账号，例如：liaison shell --as demo-office")
    services = _services()
    if _roster_is_empty(services):
        raise CliError(
            "名单是空的，还没有人可以对话：先运行 liaison demo 写入演示名单，"
            "或 liaison roster import 名单.xlsx 导入正式名单"
        )
    if with_scheduler:
        from apscheduler.schedulers.background import BackgroundScheduler

        from bot.scheduler import configure

        configure(BackgroundScheduler(timezone=services.settings.timezone), services, {}).start()
    try:
        run_shell(services, user_id, sys.stdin, sys.stdout, show_all=show_all)
    except KeyboardInterrupt:
        click.echo()


def _roster_is_empty(services: Services) -> bool:
    from sqlalchemy import func, select

    from storage.roster import Person

    with services.sessions() as session:
        return not session.scalar(select(func.count()).select_from(Person))


@cli.group()
def roster() -> None:
    """成员单位名单的导入与导出。"""


@roster.command("import")
@click.argument("file", type=click.Path(path_type=Path), metavar="文件")
@click.option("--replace", is_flag=True, help="文件中未列出的任职一并卸任（不加则列出并拒绝导入）")
def roster_import(file: Path, replace: bool) -> None:
    """从 .xlsx 或 .csv 导入名单（表头：单位,姓名,职务,角色,企业微信账号,钉钉账号,手机）。"""
    from handlers.roster import RosterError, apply_rows, parse_rows, read_table

    try:
        table, note = read_table(_input_file(file))
        if note:
            click.echo(note)
        rows = parse_rows(table)
    except RosterError as err:
        raise CliError(f"导入失败，未导入任何数据。{err}") from None
    services = _services()
    try:
        with services.sessions() as session, session.begin():
            result = apply_rows(session, rows, services.clock(), replace=replace)
    except RosterError as err:
        raise CliError(f"导入失败，未导入任何数据。{err}") from None
    click.echo(
        f"导入完成：{len(rows)}行；新建单位{result.units_created}个，新增人员{result.people_created}人，"
        f"更新人员{result.people_updated}人，新任职{result.appointments_started}项，"
        f"卸任{result.appointments_ended}项。"
    )
    for line in result.ended:
        click.echo(f"  已卸任：{line}")


@roster.command("export")
@click.argument("file", type=click.Path(path_type=Path), metavar="文件")
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
@click.argument("file", type=click.Path(path_type=Path), metavar="文件")
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


@cli.group()
def health() -> None:
    """职业健康检查数据（监测预警）。"""


@health.command("import")
@click.argument("file", type=click.Path(path_type=Path), metavar="文件")
@click.option("--period", default="", metavar="YYYY-MM|YYYY", help="统计期，默认上个月")
def health_import(file: Path, period: str) -> None:
    """导入体检结果 .xlsx/.csv（全部成功才导入），随后进行预警分析。"""
    from handlers.core import UserError
    from handlers.monitoring.health import import_path, span
    from handlers.monitoring.healthfile import HealthFileError

    path = _input_file(file)
    services = _services()
    try:
        with services.sessions() as session, session.begin():
            ctx = services.context(session)
            first, last = span(ctx, period)
            click.echo(import_path(ctx, path, first, last))
    except (HealthFileError, UserError) as err:
        raise CliError(str(err)) from None


@cli.command("seal-key")
def seal_key() -> None:
    """生成一个新的 LIAISON_SEAL_KEY（用于加密举报人身份信息）。"""
    from cryptography.fernet import Fernet

    click.echo(Fernet.generate_key().decode())


WECOM_ERRORS = {  # errcode -> (meaning, what to do); https://developer.work.weixin.qq.com/document/path/90313
    -1: ("企业微信系统繁忙", "请稍后再运行 liaison doctor"),
    40001: ("应用 Secret 不正确", "请核对 WECOM_SECRET（应用管理 → 本应用 → Secret）"),
    40013: ("企业ID 不正确", "请核对 WECOM_CORP_ID（我的企业 → 企业信息 → 企业ID）"),
    40091: ("应用 Secret 不正确", "请核对 WECOM_SECRET（应用管理 → 本应用 → Secret）"),
    41002: ("缺少企业ID", "请设置 WECOM_CORP_ID"),
    41004: ("缺少应用 Secret", "请设置 WECOM_SECRET"),
    60020: (
        "本服务器的 IP 不在企业可信 IP 中",
        "请在应用管理 → 本应用 → 企业可信IP 中加入本机出口 IP",
    ),
}


class Doctor:
    """Prints one line per check (✓ passed, ✗ failed and what to do, – not checked)."""

    def __init__(self) -> None:
        self.failures = 0

    def ok(self, text: str) -> None:
        click.echo(f"✓ {text}")

    def fail(self, text: str) -> None:
        self.failures += 1
        click.echo(f"✗ {text}")

    def skip(self, text: str) -> None:
        click.echo(f"– {text}")


@cli.command()
def doctor() -> None:
    """检查配置、数据库、数据库结构、封存密钥和企业微信凭据，逐项说明问题（不做任何修改）。"""
    check = Doctor()
    try:
        settings = load_settings()
    except ConfigError as err:
        check.fail(f"配置：{err}")
        sys.exit(1)
    check.ok(
        f"配置：已读取（数据库 {_where(settings.database_url)}，时区 {settings.timezone.key}）"
    )
    engine = _doctor_database(check, settings.database_url)
    try:
        if engine is None:
            check.skip("数据库结构：未检查（数据库不可用）")
        else:
            _doctor_migrations(check, engine)
        _doctor_seal_key(check, settings, engine)
    finally:
        if engine is not None:
            engine.dispose()
    _doctor_wecom(check, settings)
    _doctor_dingtalk(check, settings)
    _doctor_wechat(check, settings)
    if check.failures:
        click.echo(f"有 {check.failures} 项检查未通过。")
        sys.exit(1)
    click.echo("全部检查通过。")


def _doctor_database(check: Doctor, url: str):
    """A connected engine, or None after saying why not. Never creates a database file."""
    from sqlalchemy import text
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

    from storage.db import make_engine

    where = _where(url)
    try:
        parsed = make_url(url)
        file = parsed.database if parsed.get_backend_name() == "sqlite" else None
        if file and file != ":memory:" and not Path(file).is_file():
            check.fail(f"数据库：文件 {where} 不存在，请运行 liaison db upgrade 创建")
            return None
        engine = make_engine(url)
    except (ArgumentError, NoSuchModuleError, ImportError, ValueError):
        check.fail(
            f"数据库：不支持的地址 {where}，LIAISON_DATABASE_URL 应为 sqlite:///… 或 postgresql+psycopg://…"
        )
        return None
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except (DBAPIError, OSError) as err:
        engine.dispose()
        detail = redact(str(getattr(err, "orig", None) or err).strip().splitlines()[0][:200])
        check.fail(
            f"数据库：无法连接 {where}（{detail}），请检查 LIAISON_DATABASE_URL 和数据库服务"
        )
        return None
    check.ok(f"数据库：可以连接 {where}")
    return engine


def _doctor_migrations(check: Doctor, engine) -> None:
    from storage.migrate import is_current

    if is_current(engine):
        check.ok("数据库结构：已是最新版本")
    else:
        check.fail("数据库结构：不是最新版本，请运行 liaison db upgrade")


def _doctor_seal_key(check: Doctor, settings, engine) -> None:
    """Read only: unlike start-up (storage.sealing.deployment_seal_key) it neither generates a
    key nor records the fingerprint; it compares the key with the database's fingerprint, or
    with a sealed value when no fingerprint is recorded yet."""
    from storage.sealing import SealError, read_seal_key, seal, unseal

    try:
        key = read_seal_key(settings.seal_key, settings.instance_path)
        if key is not None and unseal(key, seal(key, "doctor")) != "doctor":
            raise SealError("封存密钥无法加解密")
    except SealError as err:
        check.fail(f"封存密钥：{err}")
        return
    key_file = settings.instance_path / "seal.key"
    origin = "环境变量 LIAISON_SEAL_KEY" if settings.seal_key else f"密钥文件 {key_file}"
    if engine is None:
        if key is None:
            check.fail(
                f"封存密钥：未设置 LIAISON_SEAL_KEY，也没有 {key_file}；数据库不可用，无法判断能否新生成"
            )
        else:
            check.ok(f"封存密钥：来自{origin}，可以加解密（数据库不可用，未与数据库核对）")
        return
    problem = _seal_key_mismatch(engine, key)
    if problem and key is None:
        check.fail(
            f"封存密钥：{problem}。请设置 LIAISON_SEAL_KEY 或放回 {key_file}，切勿生成新密钥"
        )
    elif problem:
        check.fail(
            f"封存密钥：{problem}（当前密钥来自{origin}）。请换回本部署原有的密钥，切勿生成新密钥"
        )
    elif key is None:
        check.ok(f"封存密钥：尚未生成；数据库中没有加密数据，首次启动时将生成 {key_file}")
    else:
        check.ok(f"封存密钥：来自{origin}，与数据库一致")


def _seal_key_mismatch(engine, key: bytes | None) -> str | None:
    """Why `key` is not this database's key, or None."""
    import hmac

    from sqlalchemy import inspect, select
    from sqlalchemy.orm import Session

    from storage.referrals import ReferralReporter
    from storage.sealing import CHECK_NAME, DeploymentSetting, SealError, key_fingerprint, unseal

    with Session(engine) as session:
        tables = set(inspect(session.connection()).get_table_names())
        stored = None
        if DeploymentSetting.__tablename__ in tables:
            stored = session.get(DeploymentSetting, CHECK_NAME)
        sample = None
        if ReferralReporter.__tablename__ in tables:
            sample = session.scalar(select(ReferralReporter.sealed_account).limit(1))
    if key is None:
        return "未找到密钥，但数据库已有加密数据" if stored or sample else None
    if stored is not None:
        return (
            None
            if hmac.compare_digest(stored.value, key_fingerprint(key))
            else "与数据库记录的密钥指纹不符"
        )
    if sample is not None:
        try:
            unseal(key, sample)
        except SealError:
            return "打不开数据库中已加密的数据"
    return None


def _doctor_wecom(check: Doctor, settings) -> None:
    """A real `gettoken` call (5 s timeout): the only proof that corp id and secret are right."""
    import requests

    wecom = settings.wecom
    if wecom is None:
        check.skip("企业微信：未配置（WECOM_* 未设置），跳过")
        return
    params = {"corpid": wecom.corp_id, "corpsecret": wecom.secret}
    try:
        res = requests.get(wecom.api_base + "gettoken", params=params, timeout=5)
        res.raise_for_status()
        answer = res.json()
    except (requests.RequestException, ValueError) as err:
        log.debug("gettoken failed: %s", redact(err, wecom.secret))
        check.fail(
            f"企业微信：无法从 {wecom.api_base} 取得 access_token（{_http_problem(err)}），"
            "请检查本机网络、代理和 WECOM_API_BASE"
        )
        return
    code = answer.get("errcode", 0)
    if code == 0 and answer.get("access_token"):
        check.ok(
            f"企业微信：凭据有效，已取得 access_token（企业 {wecom.corp_id}，应用 {wecom.agent_id}）"
        )
        return
    meaning, todo = WECOM_ERRORS.get(code, ("未知错误", "请对照企业微信全局错误码说明处理"))
    errmsg = redact(answer.get("errmsg", ""), wecom.secret)[:120]
    check.fail(f"企业微信：取 access_token 失败，errcode {code}：{meaning}（{errmsg}），{todo}")


def _doctor_dingtalk(check: Doctor, settings) -> None:
    """A real `gettoken` with the app key and secret (5 s timeout)."""
    cfg = settings.dingtalk
    if cfg is None:
        return  # not configured: nothing to check (serve says so at start-up)
    params = {"appkey": cfg.app_key, "appsecret": cfg.app_secret}
    _doctor_token(
        check,
        "钉钉",
        cfg.oapi_base + "gettoken",
        params,
        cfg.app_secret,
        "DINGTALK_APP_KEY 和 DINGTALK_APP_SECRET",
    )


def _doctor_wechat(check: Doctor, settings) -> None:
    """A real `token` call with the app id and secret (5 s timeout)."""
    cfg = settings.wechat
    if cfg is None:
        return  # not configured: nothing to check (serve says so at start-up)
    params = {"grant_type": "client_credential", "appid": cfg.app_id, "secret": cfg.app_secret}
    _doctor_token(
        check,
        "微信公众号",
        cfg.api_base + "token",
        params,
        cfg.app_secret,
        "WECHAT_APP_ID 和 WECHAT_APP_SECRET（以及公众号的 IP 白名单）",
    )


def _doctor_token(check: Doctor, name: str, url: str, params: dict, secret: str, hint: str) -> None:
    import requests

    try:
        res = requests.get(url, params=params, timeout=5)
        res.raise_for_status()
        answer = res.json()
    except (requests.RequestException, ValueError) as err:
        log.debug("%s token failed: %s", name, redact(err, secret))
        check.fail(
            f"{name}：无法取得 access_token（{_http_problem(err)}），请检查本机网络、代理和接口地址"
        )
        return
    code = answer.get("errcode", 0)
    if code == 0 and answer.get("access_token"):
        check.ok(f"{name}：凭据有效，已取得 access_token")
        return
    errmsg = redact(answer.get("errmsg", ""), secret)[:120]
    check.fail(f"{name}：取 access_token 失败，errcode {code}（{errmsg}），请核对 {hint}")


def _http_problem(err: Exception) -> str:
    """A failed HTTP call in a few Chinese words (the exception text holds the URL and secret)."""
    import requests

    if isinstance(err, requests.Timeout):
        return "5 秒内没有应答"
    if isinstance(err, requests.ConnectionError):
        return "无法建立连接"
    if isinstance(err, requests.HTTPError) and err.response is not None:
        return f"HTTP {err.response.status_code}"
    if isinstance(err, ValueError):
        return "应答不是 JSON"
    return type(err).__name__


@cli.group()
def audit() -> None:
    """审计日志"""


@audit.command("verify")
def audit_verify() -> None:
    """逐条重算审计日志的哈希链，指出第一条被改动的记录"""
    from bot.web.commands import verify_audit

    ok, line = verify_audit(_services())
    if not ok:
        raise CliError(line)
    click.echo(line)


@cli.command("archive")
@click.argument("what", metavar="年份|verify")
@click.argument("file", required=False, type=click.Path(path_type=Path))
@click.option("--out", "folder", default=".", type=click.Path(path_type=Path), help="输出目录")
def archive_command(what: str, file: Path | None, folder: Path) -> None:
    """年度建档：liaison archive 2026 生成档案包；liaison archive verify 文件.zip 核对"""
    from bot.web.commands import verify_archive, write_archive

    if what == "verify":
        if file is None:
            raise CliError("用法：liaison archive verify 档案包.zip")
        ok, line = verify_archive(file)
        if not ok:
            raise CliError(line)
        click.echo(line)
        return
    if not what.isdigit() or len(what) != 4:
        raise CliError(f"年份应为四位数字，如 liaison archive 2026（收到「{what}」）")
    target = write_archive(_services(), int(what), folder)
    click.echo(f"已生成 {what} 年档案包：{target}")


def main() -> None:
    try:
        cli(prog_name="liaison", standalone_mode=True)
    except ConfigError as err:
        click.echo(f"配置错误：{err}", err=True)
        sys.exit(2)


if __name__ == "__main__":
    main()
