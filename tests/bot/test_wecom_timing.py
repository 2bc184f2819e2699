"""The five-second rule: a handler slower than the reply budget gets an empty 200 at once, and its
reply goes out later through the outbox — never both, never neither."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import func, select

from handlers.core import Context, Incoming, Reply, button, command
from storage.outbox import OutboxMessage

USER = "demo-u09-liaison"
SLOW = 0.8  # seconds a slow handler takes; the budget below is 0.2


@pytest.fixture
def wecom_env(wecom_env: dict[str, str]) -> dict[str, str]:
    return {**wecom_env, "LIAISON_WECOM_REPLY_BUDGET": "0.2"}


@command("测试企微慢", hidden=True)
def _slow(msg: Incoming, ctx: Context) -> str:
    """测试用：超过回复时限的处理。"""
    time.sleep(SLOW)
    return "慢慢处理完了"


@button("测试慢卡片")
def _slow_click(msg: Incoming, ctx: Context) -> Reply:
    time.sleep(SLOW)
    return Reply(text="已登记您的回复", button_label="已回复")


def _wait_for_outbox(services, n: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with services.sessions() as s:
            if s.scalar(select(func.count()).select_from(OutboxMessage)) >= n:
                return
        time.sleep(0.05)
    raise AssertionError(f"outbox did not reach {n} rows")


def test_a_slow_handler_gets_an_empty_200_and_its_reply_through_the_outbox(
    wecom_client, wecom_services, wecom_api
):
    started = time.monotonic()
    reply = wecom_client.send_text(USER, "测试企微慢")
    assert time.monotonic() - started < SLOW  # answered before the handler finished
    assert reply.status == 200 and reply.body == b""
    _wait_for_outbox(wecom_services, 1)
    wecom_client.deliver()
    assert wecom_api.texts_to(USER) == ["慢慢处理完了"]


def test_a_slow_card_click_updates_the_button_through_the_api(
    wecom_client, wecom_services, wecom_api
):
    reply = wecom_client.click_card(USER, "测试慢卡片:HY12:yes", "task-HY12-p9", "rc-777")
    assert reply.status == 200 and reply.body == b""
    _wait_for_outbox(wecom_services, 2)
    wecom_client.deliver()
    updates = wecom_api.calls_to("message/update_template_card")
    assert [u.json for u in updates] == [
        {
            "userids": [USER],
            "agentid": 1000002,
            "response_code": "rc-777",
            "button": {"replace_name": "已回复"},
        }
    ]
    assert wecom_api.texts_to(USER) == ["已登记您的回复"]
