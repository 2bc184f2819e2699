"""One message delivered twice at the same moment to two processes (two app instances on one
database, as two gunicorn hosts would be) has exactly one effect, on SQLite and PostgreSQL, and
both deliveries get a proper answer."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

from sqlalchemy import func, select

from storage.audit import AuditEntry
from storage.inbound import InboundMessage
from storage.outbox import OutboxMessage
from tests.fakes import wecom_crypto
from tests.fakes.fixtures import CORP_ID

ROOT = Path(__file__).resolve().parents[2]

# Each process builds the production app from its environment and registers a command with a
# visible effect. A barrier in front of the inbox's doors (`dispatch.answer_fresh`, the first try
# that handles and stores at once, and `inbox.accept`, where a delivery is stored or found to be a
# re-delivery) holds each process at the first door it reaches until both are there, so both
# deliveries meet together: the race is certain, not a matter of sleeps overlapping.
WORKER = r"""
import json, sys, time
from pathlib import Path

from bot import dispatch, inbox
from bot.app import create_app
from handlers.core import command
from storage.audit import record

@command("测试企微并发", hidden=True)
def effect(msg, ctx):
    record(ctx.session, ctx.now, ctx.sender.name, "并发测试", msg.dedupe_key[:100])
    ctx.push_to("wecom", "demo-office", {"text": "并发效果"})
    return "已处理"

barrier, index, params, body = Path(sys.argv[1]), sys.argv[2], json.loads(sys.argv[3]), sys.argv[4]

def wait_for_both(stage):
    (barrier / f"{stage}-{index}").touch()
    deadline = time.monotonic() + 60
    while len(list(barrier.glob(f"{stage}-*"))) < 2:
        assert time.monotonic() < deadline, f"the other process never reached {stage}"
        time.sleep(0.001)

reached = []

def together(door):
    def at_the_door(*args, **kwargs):
        if not reached:  # the first door this delivery reaches
            reached.append(door.__name__)
            wait_for_both("door")
        return door(*args, **kwargs)
    return at_the_door

inbox.accept = together(inbox.accept)
dispatch.answer_fresh = together(dispatch.answer_fresh)
client = create_app().test_client()
wait_for_both("ready")
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
    assert sorted(p.name for p in tmp_path.glob("door-*")) == ["door-0", "door-1"]
    assert [r["status"] for r in results] == [200, 200]
    # the delivery that stored the message answers it; the other, finding it already stored, gives
    # the same answer or WeCom's empty 200 ("nothing to add"), never an error or a second effect
    answers = sorted(_content(wecom_client, r["body"]) for r in results)
    assert answers in (["", "已处理"], ["已处理", "已处理"]), answers
    with wecom_services.sessions() as s:
        counts = [
            s.scalar(select(func.count()).select_from(InboundMessage)),
            s.scalar(select(func.count()).where(AuditEntry.action == "并发测试")),
            s.scalar(select(func.count()).select_from(OutboxMessage)),
        ]
    assert counts == [1, 1, 1]


def _content(wecom_client, body: str) -> str:
    """The text of an encrypted passive answer; '' for WeCom's empty 200 (nothing to say)."""
    if not body:
        return ""
    return ET.fromstring(wecom_client.crypto.open_reply(body)).findtext("Content") or ""
