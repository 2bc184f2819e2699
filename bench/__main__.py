"""Callback benchmark: `make bench` (= `.venv/bin/python -m bench`). Loopback only; stops by itself.

1. Starts the fake WeCom API, a temp SQLite database with the demo roster, and the production
   server (`liaison serve`: gunicorn, 2 gthread workers × 4 threads) with WeCom configured.
2. From THREADS client threads for DURATION seconds, posts valid encrypted, signed, distinct text
   messages (帮助 / 我是谁 from the demo accounts) to /wecom/callback; each answer is a passive
   encrypted reply (a sample is decrypted and checked).
3. Serves a bare Flask "hello" route with the same gunicorn set-up and loads it the same way.
4. Prints a Markdown table (messages/second, p50/p99 latency) and writes bench/results/callback.md.
"""

from __future__ import annotations

import http.client
import os
import platform
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import urlencode

from tests.fakes import wecom_crypto
from tests.fakes.fixtures import AES_KEY, CORP_ID, TOKEN, wecom_vars
from tests.fakes.wecom_api import FakeWeComAPI
from tests.fakes.wecom_crypto import WeComCrypto

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "callback.md"
DURATION = float(os.environ.get("BENCH_SECONDS", "10"))
THREADS = int(os.environ.get("BENCH_THREADS", "8"))
WORKERS, WORKER_THREADS = 2, 4
POOL = 20_000  # pre-encrypted messages; the run stops early if they are used up
USERS = [f"demo-u{n:02d}-liaison" for n in range(1, 33)] + ["demo-office", "demo-convener"]


@dataclass
class Result:
    name: str
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    empty: int = 0
    elapsed: float = 0.0

    def row(self) -> str:
        lat = sorted(self.latencies)
        n = len(lat)
        p50 = lat[n // 2] * 1000 if n else 0.0
        p99 = lat[min(n - 1, int(n * 0.99))] * 1000 if n else 0.0
        rate = n / self.elapsed if self.elapsed else 0.0
        return f"| {self.name} | {n} | {self.errors} | {rate:,.0f} | {p50:.1f} | {p99:.1f} |"


Request = tuple[str, str, bytes]  # method, path with query, body


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


def _callback_requests(crypto: WeComCrypto) -> Iterator[Request]:
    now = int(time.time())
    base_id = 9_000_000_000 + now
    for i in range(POOL):
        user, text = USERS[i % len(USERS)], ("帮助", "我是谁")[i % 2]
        inner = wecom_crypto.text_xml(CORP_ID, user, text, base_id + i, now)
        params, body = crypto.seal(inner, now, nonce=str(i))
        yield "POST", "/wecom/callback?" + urlencode(params), body


def _load(name: str, port: int, requests: Iterator[Request] | Callable[[], Request]) -> Result:
    """THREADS keep-alive clients, each sending the next request until time or requests run out."""
    result = Result(name)
    lock = threading.Lock()
    deadline = time.monotonic() + DURATION

    def next_request() -> Request | None:
        if callable(requests):
            return requests()
        with lock:
            return next(requests, None)

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine: list[float] = []
        errors = empty = 0
        while time.monotonic() < deadline:
            req = next_request()
            if req is None:
                break
            method, path, body = req
            started = time.perf_counter()
            try:
                conn.request(method, path, body=body or None)
                res = conn.getresponse()
                data = res.read()
            except OSError:
                errors += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                continue
            mine.append(time.perf_counter() - started)
            errors += res.status != 200
            empty += not data
        conn.close()
        with lock:
            result.latencies.extend(mine)
            result.errors += errors
            result.empty += empty

    started = time.monotonic()
    threads = [threading.Thread(target=client) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    result.elapsed = time.monotonic() - started
    return result


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
        pool = list(_callback_requests(crypto))
        return _load(f"/wecom/callback (liaison serve, {database})", port, iter(pool))
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
        return _load("/hello (bare Flask)", port, lambda: ("GET", "/hello", b""))
    finally:
        _stop(proc)


def render(results: list[Result]) -> str:
    lines = [
        f"# Callback benchmark ({datetime.now():%Y-%m-%d %H:%M})",
        "",
        f"gunicorn gthread, {WORKERS} workers × {WORKER_THREADS} threads, loopback, "
        f"{THREADS} keep-alive client threads for {DURATION:.0f} s each; database as named "
        "(SQLite in WAL mode; PostgreSQL on loopback when LIAISON_BENCH_PG_URL is set); "
        f"Python {platform.python_version()}, {os.cpu_count()} CPUs. "
        "Each callback is a distinct encrypted, signed text message (帮助/我是谁 from demo "
        "accounts): signature check, decryption, dedupe insert, routing, and an encrypted "
        "passive reply.",
        "",
        "| target | requests | errors | messages/s | p50 ms | p99 ms |",
        "|---|---:|---:|---:|---:|---:|",
        *(r.row() for r in results),
        "",
    ]
    queued = sum(r.empty for r in results if r.name.startswith("/wecom"))
    lines.append(
        f"{queued} of the callbacks were answered with an empty 200 and their reply queued to the "
        "outbox (a reply over 2048 bytes, e.g. the full 帮助 list, or one over the reply budget); "
        "the rest got an encrypted passive reply."
    )
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
