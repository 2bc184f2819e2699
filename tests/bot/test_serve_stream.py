"""Issue 10: `liaison serve` with DingTalk configured starts one Stream connection (a child
process) that connects to the gateway; `--no-dingtalk-stream` starts none."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

from tests.bot.test_serve import Process, free_port
from tests.fakes.channel_fixtures import dingtalk_vars
from tests.fakes.dingtalk_api import FakeStreamGateway


@pytest.fixture
def stream_env(tmp_path: Path, dingtalk_api) -> dict[str, str]:
    return {
        "LIAISON_INSTANCE_PATH": str(tmp_path / "instance"),
        "LIAISON_DATABASE_URL": f"sqlite:///{tmp_path / 'liaison.db'}",
        "LIAISON_SEAL_KEY": "h7t1YpGeSeYn9CjuhQfXbm4rTn5t5FGm4S2u1wKVV3c=",
        **dingtalk_vars(dingtalk_api.base),
    }


def _serve(env: dict[str, str], cwd: Path, *extra: str) -> Process:
    port = free_port()
    args = ["serve", "--port", str(port), "--workers", "1", "--no-scheduler", *extra]
    proc = Process(args, env, cwd)
    proc.wait_for(lambda: requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2).ok)
    return proc


def test_serve_starts_one_stream_connection(stream_env, dingtalk_api, tmp_path):
    gateway = FakeStreamGateway(dingtalk_api).start()
    proc = _serve(stream_env, tmp_path)
    try:
        assert gateway.wait_connected(1, timeout=30), proc.output()
        assert not gateway.wait_connected(2, timeout=2)  # one per deployment
    finally:
        code = proc.stop()
        gateway.stop()
    assert code == 0


def test_no_stream_when_told_not_to(stream_env, dingtalk_api, tmp_path):
    gateway = FakeStreamGateway(dingtalk_api).start()
    proc = _serve(stream_env, tmp_path, "--no-dingtalk-stream")
    try:
        assert not gateway.wait_connected(1, timeout=3)
    finally:
        proc.stop()
        gateway.stop()
