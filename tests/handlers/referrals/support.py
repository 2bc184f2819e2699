"""Helpers for the referral tests: file a report through the real dialogue, read the database."""

from __future__ import annotations

import re

from sqlalchemy import text

import storage
from tests.support import TestBot

REPORTER = "worker-7731"
CONTACT = "13812345678"


def file_report(
    bot: TestBot,
    user: str = REPORTER,
    *,
    employer: str = "郑州市宏达机械制造有限公司",
    place: str = "淮河路街道建设路88号",
    hazard: str = "1",
    description: str = "打磨车间粉尘很大，没有除尘设备，工人没有防尘口罩，已经有人咳嗽。",
    contact: str = CONTACT,
    dedupe: str = "",
) -> tuple[str, str]:
    """Walk the 举报 dialogue; returns (case number, query code). With `dedupe`, every message
    carries a platform dedupe key, as WeCom's do, so replies are kept in the inbound table."""
    keys = iter(f"{dedupe}-{i}" if dedupe else "" for i in range(10))
    for message, expected in [
        ("举报", "用人单位名称"),
        (employer, "地址"),
        (place, "危害类型"),
        (hazard, "描述"),
        (description, "联系方式"),
    ]:
        answer = bot.send(user, message, dedupe_key=next(keys))
        assert expected in answer, answer
    preview = bot.send(user, contact, dedupe_key=next(keys))
    assert "请核对举报内容" in preview
    answer = bot.send(user, "提交", dedupe_key=next(keys))
    match = re.search(r"编号：(JB\d{12})，查询码：([A-Z2-9]{6})", answer)
    assert match, answer
    return match.group(1), match.group(2)


def texts(pushes) -> str:
    return "\n".join(p.text for p in pushes)


def dump_database(bot: TestBot) -> str:
    """Every row of every table as text, the way an administrator's dump would show it."""
    chunks = []
    with bot.session() as session:
        for table in storage.Base.metadata.sorted_tables:
            rows = session.execute(text(f"SELECT * FROM {table.name}")).all()
            chunks.extend(" ".join(str(v) for v in row) for row in rows)
    return "\n".join(chunks)
