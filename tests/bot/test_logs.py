"""Logs as an operator reads them: one format for every library, a request id per callback, and
no secret in any line — not even urllib3's debug output of a WeCom URL with `-v`."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest
import requests

from bot import logs
from tests.fakes.fixtures import CORP_ID
from tests.fakes.wecom_api import FAKE_SECRET

WECOM_URL = "https://qyapi.weixin.qq.com/cgi-bin/gettoken?corpid=ww1&corpsecret=S3cretValue99"


@pytest.fixture
def captured() -> Iterator:
    """configure_logging onto a buffer; undone afterwards so other tests see pytest's logging."""
    buffers: list[io.StringIO] = []

    def configure(verbose: bool = False, fmt: str | None = None) -> io.StringIO:
        buffers.append(io.StringIO())
        logs.configure_logging(verbose=verbose, fmt=fmt, stream=buffers[-1])
        return buffers[-1]

    yield configure
    logs.reset_logging()


def _fail_with_token() -> None:
    raise RuntimeError("POST https://qyapi/cgi-bin/message/send?access_token=Tok3nValue42 failed")


@pytest.mark.parametrize("fmt", ["kv", "json"])
def test_a_url_secret_and_an_exception_token_are_masked(captured, fmt):
    out = captured(verbose=True, fmt=fmt)
    logging.getLogger("urllib3.connectionpool").debug('"GET %s HTTP/1.1" 200 None', WECOM_URL)
    try:
        _fail_with_token()
    except RuntimeError:
        logging.getLogger("bot.outbox").exception("send failed")
    text = out.getvalue()
    assert "S3cretValue99" not in text and "Tok3nValue42" not in text
    assert "corpsecret=***" in text and "access_token=***" in text
    assert "Traceback" in text and "send failed" in text
    if fmt == "json":
        lines = [json.loads(line) for line in text.splitlines()]
        assert [line["level"] for line in lines] == ["debug", "error"]
        assert "access_token=***" in lines[1]["exception"]


def test_verbose_http_debug_of_a_real_token_fetch_shows_no_secret(captured, wecom_api):
    out = captured(verbose=True)
    res = requests.get(
        wecom_api.base + "gettoken",
        params={"corpid": CORP_ID, "corpsecret": FAKE_SECRET},
        timeout=5,
    )
    token = res.json()["access_token"]
    requests.get(wecom_api.base + "message/send", params={"access_token": token}, timeout=5)
    text = out.getvalue()
    assert "logger=urllib3.connectionpool" in text and "gettoken" in text  # -v logs URLs ...
    assert FAKE_SECRET not in text and token not in text  # ... masked
    assert "corpsecret=***" in text and "access_token=***" in text


def test_without_verbose_debug_lines_and_sql_are_not_logged(captured):
    out = captured(verbose=False)
    logging.getLogger("urllib3.connectionpool").debug("GET %s", WECOM_URL)
    logging.getLogger("sqlalchemy.engine.Engine").info("[generated] {'text': '举报内容'}")
    assert out.getvalue() == ""


def test_verbose_keeps_sql_statements_and_their_parameters_out(captured):
    out = captured(verbose=True)
    logging.getLogger("sqlalchemy.engine.Engine").info("[generated] {'text': '举报内容'}")
    assert out.getvalue() == ""


def test_a_callback_line_carries_its_request_id_and_only_while_bound(captured):
    out = captured()
    with logs.request_context("req-1234") as request_id:
        logging.getLogger("bot.dispatch").info("handled")
        logs.log_callback("wecom", "passive", ms=12)
    logging.getLogger("bot.dispatch").info("between callbacks")
    rid = logs.bind_request()
    logs.log_callback("wecom", "refused", reason="bad signature")
    logs.clear_request()
    first, second, between, third = out.getvalue().splitlines()
    assert request_id == "req-1234"
    assert "request_id=req-1234" in first and "event=handled" in first
    assert "event=callback" in second and "channel=wecom" in second
    assert "result=passive" in second and "ms=12" in second and "request_id=req-1234" in second
    assert "request_id" not in between
    assert f"request_id={rid}" in third and "level=warning" in third
    assert 'reason="bad signature"' in third


def test_binding_a_new_request_drops_the_previous_ones_fields(captured):
    """A pooled worker thread keeps its context; a new callback must not inherit the last one."""
    out = captured()
    logs.bind_request("old", user_count=3)
    logs.bind_request("new")
    logging.getLogger("bot").info("x")
    line = out.getvalue()
    assert "request_id=new" in line and "user_count" not in line


def test_a_database_error_logs_no_row_values(captured, database_url):
    """SQLAlchemy puts the parameters, and PostgreSQL the failing row, into the error's text."""
    from sqlalchemy import text
    from sqlalchemy.exc import IntegrityError

    from storage.db import make_engine

    out = captured()
    engine = make_engine(database_url)
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO outbox_message (channel, address, kind, payload, status, attempts,"
                    " created_at, next_attempt_at) VALUES ('wecom', NULL, 'text', :payload,"
                    " 'pending', 0, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                ),
                {"payload": '{"text": "举报内容XYZ"}'},
            )
    except IntegrityError:
        logging.getLogger("bot.dispatch").exception("insert failed")
    finally:
        engine.dispose()
    assert "insert failed" in out.getvalue() and "IntegrityError" in out.getvalue()
    assert "举报内容XYZ" not in out.getvalue()
