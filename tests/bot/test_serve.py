"""`liaison serve` and `liaison scheduler` as real processes on a free loopback port and a temp
SQLite database: gunicorn answers, WeCom works over HTTP when configured, the scheduler drains."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests

from storage.db import make_engine
from storage.outbox import OutboxMessage
from tests.fakes import wecom_crypto
from tests.fakes.fixtures import AES_KEY, CORP_ID, TOKEN, wecom_vars
from tests.fakes.wecom_crypto import WeComCrypto

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Process:
    """A `liaison` subprocess whose output goes to files (no pipe to fill up)."""

    def __init__(self, args: list[str], env: dict[str, str], cwd: Path) -> None:
        self.log = cwd / f"{args[0]}.log"
        base = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
        base |= {k: v for k, v in os.environ.items() if k.startswith("COVERAGE_")}  # measured too
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "bot.cli", *args],
                env={**base, "PYTHONPATH": str(ROOT), **env},
                cwd=cwd,
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def wait_for(self, check, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"process exited early:\n{self.output()}")
            try:
                if check():
                    return
            except requests.RequestException:
                pass
            time.sleep(0.1)
        raise AssertionError(f"timed out:\n{self.output()}")

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError(f"did not stop on SIGTERM:\n{self.output()}") from None


@pytest.fixture
def base_env(tmp_path: Path) -> dict[str, str]:
    return {
        "LIAISON_INSTANCE_PATH": str(tmp_path / "instance"),
        "LIAISON_DATABASE_URL": f"sqlite:///{tmp_path / 'liaison.db'}",
        "LIAISON_SEAL_KEY": "h7t1YpGeSeYn9CjuhQfXbm4rTn5t5FGm4S2u1wKVV3c=",
    }


@pytest.fixture
def serve(tmp_path: Path) -> Iterator:
    started: list[Process] = []

    def start(env: dict[str, str], *extra: str) -> tuple[Process, str]:
        port = free_port()
        proc = Process(["serve", "--port", str(port), "--workers", "2", *extra], env, tmp_path)
        started.append(proc)
        url = f"http://127.0.0.1:{port}"
        proc.wait_for(lambda: requests.get(url + "/healthz", timeout=2).ok)
        return proc, url

    yield start
    for proc in started:
        proc.stop()


def test_serve_without_wecom_is_healthy_and_has_no_callback(serve, base_env):
    proc, url = serve(base_env, "--no-scheduler")
    assert requests.get(url + "/healthz", timeout=5).json() == {"status": "ok", "database": "ok"}
    assert requests.get(url + "/wecom/callback", timeout=5).status_code == 404
    assert "企业微信回调：未配置" in proc.output()
    assert proc.stop() == 0


def test_serve_with_wecom_answers_callbacks_and_its_scheduler_sends(serve, base_env, wecom_api):
    env = {**base_env, **wecom_vars(wecom_api.base)}
    proc, url = serve(env)
    crypto = WeComCrypto(TOKEN, AES_KEY, CORP_ID)
    now = int(time.time())
    params, body = crypto.seal(wecom_crypto.text_xml(CORP_ID, "stranger", "我是谁", 42, now), now)
    res = requests.post(url + "/wecom/callback", params=params, data=body, timeout=10)
    assert res.status_code == 200
    assert "不在联席会议名单中" in crypto.open_reply(res.content)
    _queue_directly(env["LIAISON_DATABASE_URL"], "demo-office", "调度进程发出的推送")
    proc.wait_for(lambda: wecom_api.texts_to("demo-office") == ["调度进程发出的推送"])
    assert proc.stop() == 0


def _queue_directly(url: str, address: str, text: str) -> None:
    engine = make_engine(url)
    now = datetime.now(UTC)
    with engine.begin() as conn:
        conn.execute(
            OutboxMessage.__table__.insert().values(
                channel="wecom",
                address=address,
                kind="text",
                payload={"text": text},
                status="pending",
                attempts=0,
                created_at=now,
                next_attempt_at=now,
            )
        )
    engine.dispose()


def test_scheduler_starts_and_stops_on_sigterm(base_env, tmp_path):
    proc = Process(["scheduler"], base_env, tmp_path)
    try:
        proc.wait_for(lambda: "scheduler started" in proc.output())
    finally:
        code = proc.stop()
    assert code == 0
    assert "Traceback" not in proc.output()


@pytest.mark.parametrize("delay", [0.0, 0.8, 1.6])
def test_scheduler_stops_on_sigterm_whenever_it_arrives(base_env, tmp_path, delay):
    """A stop during imports, migrations or start-up must not leave the scheduler running."""
    proc = Process(["scheduler"], base_env, tmp_path)
    time.sleep(delay)
    code = proc.stop()  # fails the test if the process is still alive 20 s later
    assert code in (0, -signal.SIGTERM)
    assert "Traceback" not in proc.output()


def _children(pid: int) -> set[int]:
    """Direct children of `pid`, from /proc (psutil is not a dependency)."""
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):  # a thread that just ended
            found.update(int(c) for c in (task / "children").read_text().split())
    return found


def _alive(pid: int) -> bool:
    """Running and not a zombie (an orphan reaped late by init still counts as gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")


def _cmdline(pid: int) -> str:
    return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux /proc")
def test_a_sigkilled_master_leaves_no_scheduler_and_no_worker(serve, base_env):
    """Issue 8: `kill -9` of the serve master must not leave a scheduler running unsupervised."""
    proc, _url = serve(base_env)
    master = proc.proc.pid
    proc.wait_for(lambda: "scheduler started" in proc.output() and len(_children(master)) == 3)
    children = _children(master)
    schedulers = [pid for pid in children if "scheduler" in _cmdline(pid)]
    assert len(schedulers) == 1, [_cmdline(pid) for pid in children]
    proc.proc.kill()
    proc.proc.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_alive(pid) for pid in children):
        time.sleep(0.1)
    survivors = {pid: _cmdline(pid) for pid in children if _alive(pid)}
    for pid in survivors:
        os.kill(pid, signal.SIGKILL)
    assert survivors == {}


def test_scheduler_whose_parent_is_already_gone_does_not_start(base_env, tmp_path):
    """The race: the master dies before the child asked for PR_SET_PDEATHSIG."""
    proc = Process(["scheduler", "--parent-pid", "1"], base_env, tmp_path)  # pytest is no pid 1
    assert proc.proc.wait(timeout=30) == 0
    assert "scheduler started" not in proc.output()
    assert "已不在" in proc.output()


def test_metrics_under_gunicorn_come_from_every_process_in_a_private_dir(serve, base_env, tmp_path):
    proc, url = serve({**base_env, "TMPDIR": str(tmp_path)}, "--no-scheduler")
    (metrics_dir,) = tmp_path.glob("liaison-metrics-*")
    assert metrics_dir.stat().st_mode & 0o777 == 0o700
    res = requests.get(url + "/metrics", timeout=5)
    assert res.headers["Content-Type"].startswith("text/plain")
    assert "liaison_inbox_backlog 0.0" in res.text
    assert "liaison_outbox_depth 0.0" in res.text
    # counters are summed from every process's files (multiprocess mode), not one worker's memory
    assert list(metrics_dir.glob("counter_*.db"))  # a worker writes its own on its first count
    assert "liaison_handler_errors_total 0.0" in res.text
    assert "python_gc_objects_collected_total" not in res.text  # the per-process registry
    assert proc.stop() == 0
    assert not metrics_dir.exists()


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux /proc")
@pytest.mark.parametrize("how", ["SIGTERM", "Ctrl-C", "SIGTERM again", "Ctrl-C again"])
def test_serve_stops_within_five_seconds_every_time(serve, base_env, how):
    """Issue 9: 2 of 7 stops took 10.7 s and ended in a SIGKILL of a worker. Here a client holds
    a keep-alive connection, as a load balancer does, and the scheduler runs."""
    proc, url = serve(base_env)
    master = proc.proc.pid
    proc.wait_for(lambda: "scheduler started" in proc.output() and len(_children(master)) == 3)
    children = _children(master)
    with requests.Session() as client:
        for _ in range(5):
            assert client.get(url + "/healthz", timeout=5).ok
        started = time.monotonic()
        if how.startswith("Ctrl-C"):  # the terminal sends SIGINT to the whole foreground group
            for pid in (master, *children):
                os.kill(pid, signal.SIGINT)
        else:
            proc.proc.send_signal(signal.SIGTERM)
        code = proc.proc.wait(timeout=30)
        took = time.monotonic() - started
    assert code == 0, proc.output()
    assert took < 5, f"{how} took {took:.1f} s"
    assert not [pid for pid in children if _alive(pid)]
    assert "SIGKILL" not in proc.output() and "强制结束" not in proc.output()
    assert proc.output().count("联络机器人已停止。") == 1  # the master alone, not its workers
