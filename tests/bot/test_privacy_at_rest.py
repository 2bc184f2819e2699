"""Issue 8: a reporter's account and phone are never at rest in clear, nor in a log line.

A worker reports a hazard over the WeCom callback with every reply late (a 50 ms budget, so each goes
through the outbox), some sends failing for good, the office opening the identity (a private
answer that then fails to send). Afterwards every column of every table, the SQLite file and its
WAL (or PostgreSQL's heap files and the WAL written meanwhile) and the captured logs are searched
for the account and the phone: nothing.
"""

from __future__ import annotations

import logging
import secrets
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

import storage
from storage.inbound import InboundMessage
from storage.referrals import ReferralCase


@pytest.fixture
def wecom_env(wecom_env: dict[str, str]) -> dict[str, str]:
    return {**wecom_env, "LIAISON_WECOM_REPLY_BUDGET": "0.05"}


def _settle(services) -> None:
    """Wait until the callback's worker has handled everything it accepted."""
    deadline = time.monotonic() + 20
    pending = InboundMessage.status == "pending"
    while time.monotonic() < deadline:
        with services.sessions() as s:
            if s.scalar(select(func.count()).select_from(InboundMessage).where(pending)) == 0:
                return
        time.sleep(0.02)
    raise AssertionError("messages still pending")


def _all_values(services) -> str:
    out = []
    with services.sessions() as s:
        for table in storage.Base.metadata.sorted_tables:
            for row in s.execute(select(table)).all():
                out.extend(repr(v) for v in row)
    return "\n".join(out)


def _sqlite_bytes(url: str) -> bytes:
    path = Path(url.removeprefix("sqlite:///"))
    return b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())


def _postgres_bytes(services, wal_since: float) -> bytes:
    with services.sessions() as s:
        s.execute(text("CHECKPOINT"))  # heap pages on disk, as a thief of the files would find
        data_dir = Path(s.scalar(text("SHOW data_directory")))
        files = []
        for table in storage.Base.metadata.sorted_tables:
            for rel in (table.name, None):
                path = s.scalar(
                    text("SELECT pg_relation_filepath(CAST(:t AS regclass))")
                    if rel
                    else text(
                        "SELECT pg_relation_filepath(reltoastrelid) FROM pg_class "
                        "WHERE oid = CAST(:t AS regclass) AND reltoastrelid <> 0"
                    ),
                    {"t": table.name},
                )
                if path:
                    files.append(data_dir / path)
    wal = [p for p in (data_dir / "pg_wal").glob("0*") if p.stat().st_mtime >= wal_since - 1]
    return b"".join(p.read_bytes() for p in files + wal if p.exists())


def test_a_reporters_account_and_phone_are_nowhere_in_clear(
    wecom_client, wecom_services, wecom_api, caplog, database_url
):
    caplog.set_level(logging.DEBUG)
    started = time.time()
    account = f"worker-{secrets.token_hex(5)}"
    phone = "139" + "".join(secrets.choice("0123456789") for _ in range(8))
    answers = [
        "举报",
        "隐私测试机械厂",
        "淮河路街道建设路9号",
        "粉尘",
        "打磨车间粉尘很大没有除尘设施",
    ]
    for answer in [*answers, phone, "提交"]:
        assert wecom_client.send_text(account, answer).status == 200
        _settle(wecom_services)
    wecom_client.deliver()  # the first replies reach the worker
    wecom_client.send_text(account, "我是谁")  # a reply that names the account
    _settle(wecom_services)
    wecom_api.fail_always(errcode=40003)  # from now on every send fails for good
    wecom_client.deliver()
    with wecom_services.sessions() as s:
        number, has_contact = s.execute(select(ReferralCase.number, ReferralCase.has_contact)).one()
    assert has_contact  # the flow really ran, the phone given
    wecom_client.send_text("demo-office", f"举报人 {number}")  # the identity, answered late
    _settle(wecom_services)
    for _ in range(3):
        wecom_client.deliver()
    wecom_api.heal()

    stored = _all_values(wecom_services)
    assert number in stored
    assert account not in stored and phone not in stored
    if database_url.startswith("sqlite"):
        raw = _sqlite_bytes(database_url)
    else:
        raw = _postgres_bytes(wecom_services, started)
    assert number.encode() in raw  # the search does see what is stored in clear
    assert account.encode() not in raw and phone.encode() not in raw
    assert account not in caplog.text and phone not in caplog.text
