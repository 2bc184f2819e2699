"""One message delivered twice at the same moment to two processes (two app instances on one
database, as two gunicorn hosts would be) has exactly one effect, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import func, select

from storage.audit import AuditEntry
from storage.inbound import InboundMessage
from storage.outbox import OutboxMessage
from tests.fakes import wecom_crypto
from tests.fakes.fixtures import CORP_ID

ROOT = Path(__file__).resolve().parents[2]

# Each process builds the production app from its environment, registers a command with a
# visible effect, waits until both processes are ready, then posts the same signed body.
WORKER = r"""
import json, sys, time
from pathlib import Path

from bot.app import create_app
from handlers.core import command
from storage.audit import record

@command("测试企微并发", hidden=True)
def effect(msg, ctx):
    record(ctx.session, ctx.now, ctx.sender.name, "并发测试", msg.dedupe_key[:100])
    ctx.push_to("wecom", "demo-office", {"text": "并发效果"})
    time.sleep(0.3)  # hold the transaction open so the two deliveries overlap
    return "已处理"

barrier, index, params, body = Path(sys.argv[1]), sys.argv[2], json.loads(sys.argv[3]), sys.argv[4]
client = create_app().test_client()
(barrier / f"ready-{index}").touch()
deadline = time.monotonic() + 60
while len(list(barrier.glob("ready-*"))) < 2 and time.monotonic() < deadline:
    time.sleep(0.002)
res = client.post("/wecom/callback", query_string=params, data=body.encode())
print(json.dumps({"status": res.status_code, "body": res.get_data(as_text=True)}))
"""


def test_two_processes_receiving_one_message_at_once_act_once(
    wecom_client, wecom_services, wecom_env, tmp_path
):
    script = tmp_path / "worker.py"
    script.write_text(WORKER, encoding="utf-8")
    now = int(time.time())  # the workers use the real clock
    inner = wecom_crypto.text_xml(CORP_ID, "demo-office", "测试企微并发", 88001234567, now)
    params, body = wecom_client.crypto.seal(inner, now)
    env = {**os.environ, **wecom_env, "PYTHONPATH": str(ROOT)}
    procs = [
        subprocess.Popen(
            [sys.executable, str(script), str(tmp_path), str(i), json.dumps(params), body.decode()],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(2)
    ]
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=90)
        assert proc.returncode == 0, err
        results.append(json.loads(out.strip().splitlines()[-1]))
    assert [r["status"] for r in results] == [200, 200]
    answers = [wecom_client.crypto.open_reply(r["body"]) for r in results if r["body"]]
    assert answers and all("已处理" in a for a in answers)
    with wecom_services.sessions() as s:
        counts = [
            s.scalar(select(func.count()).select_from(model))
            for model in (InboundMessage, AuditEntry, OutboxMessage)
        ]
    assert counts == [1, 1, 1]
