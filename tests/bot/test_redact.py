"""Secrets never reach a log line or a stored error: URLs, JSON, SQL parameters, bare secrets."""

from __future__ import annotations

import logging

from bot.redact import MASK, install_log_redaction, redact

URL = (
    "https://qyapi.weixin.qq.com/cgi-bin/gettoken?corpid=ww1436e0e65a779aee"
    "&corpsecret=S3cr3t-Value_123"
)


def test_secret_query_parameters_are_masked_and_the_rest_kept():
    out = redact(f"500 Server Error for url: {URL}")
    assert "S3cr3t" not in out and "corpid=ww1436e0e65a779aee" in out
    assert out.endswith(f"corpsecret={MASK}")
    assert (
        redact("message/send?access_token=tok-1&debug=1")
        == f"message/send?access_token={MASK}&debug=1"
    )
    assert redact('{"access_token": "tok-1", "expires_in": 7200}') == (
        f'{{"access_token": "{MASK}", "expires_in": 7200}}'
    )


def test_a_given_secret_is_masked_in_any_form():
    out = redact("auth failed with S3cr3t-Value_123 (sent as header)", "S3cr3t-Value_123")
    assert out == f"auth failed with {MASK} (sent as header)"
    assert redact("short ab", "ab", None, "") == "short ab"  # too short to mask safely


def test_sql_parameters_and_key_values_are_masked():
    err = (
        "(psycopg.errors.UniqueViolation) duplicate key value violates unique constraint\n"
        "DETAIL:  Key (dedupe_key)=(report:worker-13800001111) already exists.\n"
        "[SQL: INSERT INTO outbox_message (address, payload) VALUES (%(address)s, %(payload)s)]\n"
        "[parameters: {'address': 'worker-13800001111', 'payload': '{\"text\": \"查询码 K7M2QX\"}'}]\n"
        "(Background on this error at: https://sqlalche.me/e/20/gkpj)"
    )
    out = redact(err)
    assert "13800001111" not in out and "K7M2QX" not in out
    assert f"[parameters: {MASK}]" in out and f"Key (dedupe_key)=({MASK})" in out
    assert "INSERT INTO outbox_message" in out and "Background on this error" in out


def test_urllib3_debug_lines_are_redacted_before_any_handler_sees_them(caplog):
    install_log_redaction("S3cr3t-Value_123")
    caplog.set_level(logging.DEBUG)
    logging.getLogger("urllib3.connectionpool").debug(
        '%s://%s:%s "%s %s %s" %s %s', "https", "qyapi", 443, "GET", URL, "HTTP/1.1", 200, 10
    )
    logging.getLogger("urllib3.connectionpool").debug("token S3cr3t-Value_123 in plain")
    assert "S3cr3t" not in caplog.text
    assert f"corpsecret={MASK}" in caplog.text and f"token {MASK} in plain" in caplog.text
