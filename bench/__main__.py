"""Callback benchmark: `make bench` (= `.venv/bin/python -m bench`). Loopback only; stops by itself.

1. Starts the fake WeCom API, a temp SQLite database with the demo roster, and the production
   server (`liaison serve`: gunicorn, 2 gthread workers × 4 threads) with WeCom configured.
2. wrk (CONNECTIONS keep-alive connections, 2 threads, DURATION seconds) posts valid encrypted,
   signed, distinct text messages (帮助 / 我是谁 from the demo accounts, pre-encrypted into a file
   that a Lua script walks) to /wecom/callback; a sample answer is decrypted and checked.
3. Serves a bare Flask "hello" route with the same gunicorn set-up and loads it the same way.
4. Prints a Markdown table (messages/second, p50/p99 latency, server CPU per request, worker
   memory, ratio to the bare route) and writes bench/results/callback.md.
"""

from __future__ import annotations

import http.client
import os
import platform
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import urlencode

from bench import procstat, wrk
from tests.fakes import wecom_crypto
from tests.fakes.fixtures import AES_KEY, CORP_ID, TOKEN, wecom_vars
from tests.fakes.wecom_api import FakeWeComAPI
from tests.fakes.wecom_crypto import WeComCrypto

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "callback.md"
WORKERS, WORKER_THREADS = 2, 4
POOL = int(os.environ.get("BENCH_POOL", "60000"))  # distinct pre-encrypted messages
USERS = [f"demo-u{n:02d}-liaison" for n in range(1, 33)] + ["demo-office", "demo-convener"]


@dataclass
class Result:
    name: str
    load: wrk.Load
    cpu_s: float = 0.0  # server CPU seconds per request
    rss_mb: list[float] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.load.rate

    def row(self, bare: float) -> str:
        ratio = f"1/{bare / self.rate:.2f}" if self.rate and bare else "-"
        rss = f"{max(self.rss_mb):.0f}" if self.rss_mb else "-"
        return (
            f"| {self.name} | {self.load.requests} | {self.load.errors} | {self.rate:,.0f} | "
            f"{ratio} | {self.load.p50_ms:.1f} | {self.load.p99_ms:.1f} | "
            f"{self.cpu_s * 1e6:.0f} | {rss} |"
        )


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_healthy(port: int, path: str, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited early (code {proc.returncode})")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", path)
            if conn.getresponse().status == 200:
                conn.close()
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("server did not become healthy")


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _callback_requests(crypto: WeComCrypto) -> Iterator[tuple[str, bytes]]:
    now = int(time.time())
    base_id = 9_000_000_000 + now
    for i in range(POOL):
        user, text = USERS[i % len(USERS)], ("帮助", "我是谁")[i % 2]
        inner = wecom_crypto.text_xml(CORP_ID, user, text, base_id + i, now)
        params, body = crypto.seal(inner, now, nonce=str(i))
        yield "/wecom/callback?" + urlencode(params), body


def _measured(name: str, proc: subprocess.Popen, port: int, path: str, tmp: Path, file=None):
    """wrk against the server, with the server tree's CPU time and its workers' memory."""
    before = procstat.cpu_seconds(proc.pid)
    load = wrk.run(f"http://127.0.0.1:{port}{path}", tmp, file)
    cpu = procstat.cpu_seconds(proc.pid) - before
    return Result(name, load, cpu / max(load.requests, 1), procstat.worker_rss_mb(proc.pid))


def _check_one_reply(port: int, crypto: WeComCrypto) -> str:
    """Decrypt one passive reply, to be sure the load was answered, not refused."""
    now = int(time.time())
    inner = wecom_crypto.text_xml(CORP_ID, "demo-office", "我是谁", 1, now)
    params, body = crypto.seal(inner, now)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("POST", "/wecom/callback?" + urlencode(params), body=body)
    reply = crypto.open_reply(conn.getresponse().read())
    conn.close()
    return reply


def _liaison(args: list[str], env: dict[str, str], cwd: Path, log) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "bot.cli", *args], env=env, cwd=cwd, stdout=log, stderr=log
    )


def bench_callback(tmp: Path, env: dict[str, str], log, database: str) -> Result:
    for args in (["db", "upgrade"], ["demo"]):
        if _liaison(args, env, tmp, log).wait() != 0:
            raise SystemExit(f"liaison {' '.join(args)} failed; see {log.name}")
    port = _free_port()
    serve = ["serve", "--port", str(port), "--workers", str(WORKERS), "--no-scheduler"]
    proc = _liaison([*serve, "--threads", str(WORKER_THREADS)], env, tmp, log)
    try:
        _wait_healthy(port, "/healthz", proc)
        crypto = WeComCrypto(TOKEN, AES_KEY, CORP_ID)
        assert "演示" in _check_one_reply(port, crypto)
        print(f"encrypting {POOL} distinct messages…", flush=True)
        file = tmp / f"requests-{database}.txt"
        wrk.write_requests(file, _callback_requests(crypto))
        name = f"/wecom/callback (liaison serve, {database})"
        return _measured(name, proc, port, "/wecom/callback", tmp, file)
    finally:
        _stop(proc)


def bench_hello(tmp: Path, env: dict[str, str], log) -> Result:
    port = _free_port()
    args = [
        *("-m", "gunicorn", "--workers", str(WORKERS), "--threads", str(WORKER_THREADS)),
        *("--worker-class", "gthread", "--bind", f"127.0.0.1:{port}", "bench.hello:app"),
    ]
    proc = subprocess.Popen([sys.executable, *args], env=env, cwd=ROOT, stdout=log, stderr=log)
    try:
        _wait_healthy(port, "/hello", proc)
        return _measured("/hello (bare Flask)", proc, port, "/hello", tmp)
    finally:
        _stop(proc)


def render(results: list[Result]) -> str:
    bare = next((r.rate for r in results if r.name.startswith("/hello")), 0.0)
    lines = [
        f"# Callback benchmark ({datetime.now():%Y-%m-%d %H:%M})",
        "",
        f"gunicorn gthread, {WORKERS} workers × {WORKER_THREADS} threads, loopback; "
        f"wrk with {wrk.CONNECTIONS} keep-alive connections ({wrk.WRK_THREADS} threads) for "
        f"{wrk.DURATION:.0f} s each, on the same machine; database as named (SQLite in WAL "
        "mode; PostgreSQL on loopback). "
        f"Python {platform.python_version()}, {os.cpu_count()} CPUs ({platform.machine()}). "
        "Each callback is a distinct encrypted, signed text message (帮助/我是谁 from demo "
        "accounts): signature check, decryption, committed to the inbox, handled in order, "
        "and an encrypted passive reply. CPU is the server process tree's user+system time "
        "per request (wrk's own CPU not included); memory is the largest worker's RSS.",
        "",
        "| target | requests | errors | requests/s | vs bare | p50 ms | p99 ms | CPU µs/req "
        "| worker RSS MB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        *(r.row(bare) for r in results),
        "",
    ]
    return "\n".join(lines) + "\n"


@contextmanager
def pg_schema(base_url: str) -> Iterator[str]:
    """A throw-away schema in the PostgreSQL at `base_url`; yields a URL that uses it."""
    from sqlalchemy import text

    from storage.db import make_engine

    schema = f"liaison_bench_{os.getpid()}"
    admin = make_engine(base_url)
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        sep = "&" if "?" in base_url else "?"
        yield f"{base_url}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        admin.dispose()


def main() -> None:
    api = FakeWeComAPI().start()
    pg_url = os.environ.get("LIAISON_BENCH_PG_URL")
    with tempfile.TemporaryDirectory(prefix="liaison-bench-") as name:
        tmp = Path(name)
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("LIAISON_", "WECOM_"))},
            "PYTHONPATH": str(ROOT),
            "LIAISON_INSTANCE_PATH": str(tmp / "instance"),
            "LIAISON_DATABASE_URL": f"sqlite:///{tmp / 'bench.db'}",
            **wecom_vars(api.base),
        }
        with (tmp / "server.log").open("w") as log:
            results = [bench_callback(tmp, env, log, "SQLite")]
            if pg_url:
                with pg_schema(pg_url) as url:
                    pg_env = {**env, "LIAISON_DATABASE_URL": url}
                    results.append(bench_callback(tmp, pg_env, log, "PostgreSQL"))
            results.append(bench_hello(tmp, env, log))
    api.stop()
    table = render(results)
    print(table)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(table, encoding="utf-8")
    print(f"written to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
