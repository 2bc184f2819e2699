"""Issue 8, shown with real processes on SQLite and PostgreSQL: nothing lost after a 200, one
message at a time per person in order, and every answer delivered exactly once.

- Order: many reporters send their seven 举报 messages a few ms apart without waiting for answers,
  to a `liaison serve` with two workers; every case ends with each answer in its own step.
- Faults: handling blocked while messages arrive (the budget runs out, each gets an empty 200),
  then workers and master killed with SIGKILL; a scheduler started afterwards (itself killed
  mid-work and started again, against an API that stalls after accepting and fails) handles every
  stored message once, and each user sees exactly one answer.
- A database that cannot take a message answers 503 (WeCom delivers it again) and stores nothing.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import signal
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from sqlalchemy import func, select, text

from storage.db import QueueLocks, make_engine
from storage.inbound import InboundMessage, sender_hash
from storage.referrals import ReferralCase
from tests.bot.test_serve import Process, free_port
from tests.fakes import wecom_crypto
from tests.fakes.fixtures import AES_KEY, CORP_ID, TOKEN, wecom_vars
from tests.fakes.wecom_crypto import WeComCrypto

SEAL_KEY = "h7t1YpGeSeYn9CjuhQfXbm4rTn5t5FGm4S2u1wKVV3c="
REPORTERS = 12


@pytest.fixture
def server_env(database_url: str, tmp_path: Path, wecom_api) -> dict[str, str]:
    return {
        "LIAISON_INSTANCE_PATH": str(tmp_path / "instance"),
        "LIAISON_DATABASE_URL": database_url,
        "LIAISON_SEAL_KEY": SEAL_KEY,
        **wecom_vars(wecom_api.base),
    }


class Sender:
    """Posts WeCom callbacks as WeCom does: encrypted, signed, with rising MsgId and CreateTime."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.crypto = WeComCrypto(TOKEN, AES_KEY, CORP_ID)
        self.lock = threading.Lock()
        self.msg_id = 7_000_000_000

    def body(self, user: str, content: str) -> tuple[dict[str, str], bytes]:
        with self.lock:
            self.msg_id += 1
            msg_id = self.msg_id
        now = int(time.time())
        inner = wecom_crypto.text_xml(CORP_ID, user, content, msg_id, now)
        return self.crypto.seal(inner, now)

    def post(self, params: dict[str, str], body: bytes) -> requests.Response:
        return requests.post(f"{self.url}/wecom/callback", params=params, data=body, timeout=30)


@contextlib.contextmanager
def running(args: list[str], env: dict[str, str], cwd: Path) -> Iterator[Process]:
    proc = Process(args, env, cwd)
    try:
        yield proc
    finally:
        if proc.proc.poll() is None:
            proc.stop()


@pytest.fixture
def start_serve(tmp_path: Path) -> Iterator:
    """Starts `liaison serve` (two workers, no scheduler); every server is gone after the test,
    whatever happened in it."""
    started: list[Process] = []

    def start(env: dict[str, str], cwd: Path) -> tuple[Process, str]:
        port = free_port()
        args = ["serve", "--port", str(port), "--workers", "2", "--no-scheduler"]
        proc = Process(args, env, cwd)
        started.append(proc)
        url = f"http://127.0.0.1:{port}"
        proc.wait_for(lambda: requests.get(url + "/healthz", timeout=2).ok)
        return proc, url

    yield start
    for proc in started:
        if proc.proc.poll() is None:
            _kill_tree(proc)


def count(url: str, model, *where) -> int:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return conn.scalar(select(func.count()).select_from(model).where(*where))
    finally:
        engine.dispose()


def wait_until(check, timeout: float = 60.0, what: str = "", every: float = 0.005) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(every)
    raise AssertionError(f"timed out waiting for {what}")


def stored(engine, queue: str) -> int:
    with engine.connect() as conn:
        where = InboundMessage.sender_hash == queue
        return conn.scalar(select(func.count()).select_from(InboundMessage).where(where))


def reporter_answers(i: int) -> list[str]:
    return [
        "举报",
        f"测试机械厂{i:02d}",
        f"淮河路街道建设路{i}号",
        "噪声",
        f"第{i}车间噪声很大没有发放耳塞已经{i}个月",
        "无",
        "提交",
    ]


def test_each_persons_answers_land_in_the_step_that_asked_for_them(
    server_env, tmp_path, start_serve
):
    proc, url = start_serve(server_env, tmp_path)
    sender = Sender(url)
    statuses: list[int] = []

    def converse(i: int) -> None:
        """Each message is sent once the previous one is stored, without waiting for answers:
        the answers pile up while earlier ones are still being handled."""
        user = f"worker-{i}"
        queue = sender_hash(SEAL_KEY.encode(), "wecom", user)
        engine = make_engine(server_env["LIAISON_DATABASE_URL"])
        threads = []
        for n, answer in enumerate(reporter_answers(i), start=1):
            params, body = sender.body(user, answer)

            def post(params=params, body=body) -> None:
                statuses.append(sender.post(params, body).status_code)

            threads.append(threading.Thread(target=post))
            threads[-1].start()
            wait_until(lambda n=n: stored(engine, queue) >= n, 20, f"{user}'s message {n}")
        for t in threads:
            t.join()
        engine.dispose()

    people = [threading.Thread(target=converse, args=(i,)) for i in range(REPORTERS)]
    for t in people:
        t.start()
    for t in people:
        t.join()
    db = server_env["LIAISON_DATABASE_URL"]
    pending = InboundMessage.status == "pending"
    wait_until(lambda: count(db, InboundMessage, pending) == 0, what="every message handled")
    assert statuses == [200] * (REPORTERS * 7)
    assert count(db, InboundMessage, InboundMessage.status == "done") == REPORTERS * 7
    engine = make_engine(db)
    with engine.connect() as conn:
        cases = conn.execute(
            select(
                ReferralCase.employer,
                ReferralCase.place,
                ReferralCase.description,
                ReferralCase.hazard,
            )
        ).all()
    engine.dispose()
    expected = {
        (*tuple(reporter_answers(i)[1:3]), reporter_answers(i)[4], "噪声") for i in range(REPORTERS)
    }
    assert {tuple(c) for c in cases} == expected
    assert proc.stop() == 0


@contextlib.contextmanager
def handling_blocked(url: str, tmp_path: Path) -> Iterator[None]:
    """Hold what handling needs while messages can still be stored: on SQLite every per-person
    queue lock, on PostgreSQL the roster (every handler reads it to know the sender)."""
    if url.startswith("sqlite"):
        locks = QueueLocks(Path(url.removeprefix("sqlite:///") + ".queues"))
        fds = [locks._fd(bucket) for bucket in range(locks.BUCKETS)]
        for fd in fds:
            fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            yield
        finally:
            for fd in fds:
                fcntl.flock(fd, fcntl.LOCK_UN)
                os.close(fd)
        return
    engine = make_engine(url)
    with engine.connect() as conn:
        conn.execute(text("LOCK TABLE person IN ACCESS EXCLUSIVE MODE"))
        try:
            yield
        finally:
            conn.rollback()
    engine.dispose()


def _kill_tree(proc: Process) -> None:
    master = proc.proc.pid
    workers = set()
    for task in Path(f"/proc/{master}/task").glob("*/children"):
        with contextlib.suppress(OSError):
            workers.update(int(p) for p in task.read_text().split())
    for pid in workers:  # the workers first, mid-work, then the master
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    proc.proc.kill()
    proc.proc.wait()


def test_accepted_messages_survive_killed_workers_and_are_answered_once(
    server_env, tmp_path, wecom_api, start_serve
):
    env = {**server_env, "LIAISON_WECOM_REPLY_BUDGET": "0.3"}
    db = env["LIAISON_DATABASE_URL"]
    proc, url = start_serve(env, tmp_path)
    sender = Sender(url)
    users = [f"worker-{i}" for i in range(20)]
    with handling_blocked(db, tmp_path):
        replies = [sender.post(*sender.body(user, "我是谁")) for user in users]
        assert [r.status_code for r in replies] == [200] * len(users)
        assert all(r.content == b"" for r in replies)  # out of budget: answered empty
        assert count(db, InboundMessage, InboundMessage.status == "pending") == len(users)
        _kill_tree(proc)
    assert wecom_api.texts_to(users[0]) == []
    # the API is slow, fails, and accepts some messages without the sender learning it did
    wecom_api.accept_then_stall(3, seconds=1.5)
    wecom_api.fail_next(3, errcode=-1)
    env = {**env, "LIAISON_WECOM_TIMEOUT": "0.5"}
    scheduler = Process(["scheduler"], env, tmp_path)
    wait_until(lambda: len(wecom_api.delivered) >= 3, 30, "the first answers")
    scheduler.proc.kill()  # the scheduler killed mid-work, then started again
    scheduler.proc.wait()
    with running(["scheduler"], env, tmp_path):
        for user in users:
            wait_until(lambda user=user: wecom_api.texts_to(user), what=f"the answer to {user}")
        time.sleep(1.0)  # a second drain or sweep must not send anything again
    for user in users:
        (answer,) = wecom_api.texts_to(user)  # what the user saw: exactly one answer
        assert f"您（{user}）不在联席会议名单中" in answer
    assert count(db, InboundMessage, InboundMessage.status == "pending") == 0
    assert count(db, InboundMessage, InboundMessage.status == "done") == len(users)


def test_a_database_that_cannot_take_the_message_answers_503_and_stores_nothing(
    server_env, tmp_path, start_serve
):
    db = server_env["LIAISON_DATABASE_URL"]
    proc, url = start_serve(server_env, tmp_path)
    sender = Sender(url)
    params, body = sender.body("worker-x", "我是谁")
    if db.startswith("sqlite"):
        raw = sqlite3.connect(db.removeprefix("sqlite:///"), isolation_level=None)
        raw.execute("BEGIN EXCLUSIVE")  # a backup or another program holding the file

        def release() -> None:
            raw.rollback()
            raw.close()
    else:
        engine = make_engine(db)
        conn = engine.connect()
        conn.execute(text("LOCK TABLE inbound_message IN ACCESS EXCLUSIVE MODE"))

        def release() -> None:
            conn.rollback()
            conn.close()
            engine.dispose()

    started = time.monotonic()
    try:
        res = sender.post(params, body)
    finally:
        release()
    assert res.status_code == 503 and time.monotonic() - started < 5  # before WeCom gives up
    assert count(db, InboundMessage) == 0
    again = sender.post(params, body)  # WeCom's re-delivery is then handled
    assert again.status_code == 200
    assert "不在联席会议名单中" in sender.crypto.open_reply(again.content)
    assert proc.stop() == 0
