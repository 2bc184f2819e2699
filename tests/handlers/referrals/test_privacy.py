"""The reporter's contact and account never rest in clear: not in the database files, not in any
table, not in the export; the dialogue keeps the contact sealed and shows it masked."""

from __future__ import annotations

import io
import sqlite3
import stat
import zipfile
from contextlib import closing
from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy import select, text
from sqlalchemy.engine import make_url

from storage.conversations import ConversationState, open_state
from storage.documents import Document
from storage.inbound import InboundMessage
from storage.referrals import ReferralCase, ReferralReporter
from storage.sealing import unseal
from tests.handlers.referrals.support import CONTACT, REPORTER, dump_database, file_report

OFFICE = "demo-office"
RS = "demo-u09-liaison"


def _walk_to_the_end(bot) -> tuple[str, str]:
    """A whole case, with platform dedupe keys on every message so replies are stored too."""
    number, code = file_report(bot, dedupe="m")
    bot.send(OFFICE, f"受理 {number}", dedupe_key="o1")
    bot.send(OFFICE, f"转办 {number} 区人社局", dedupe_key="o2")
    bot.send(RS, f"签收 {number}", dedupe_key="u1")
    bot.send(RS, f"反馈 {number} 已现场检查并责令整改", dedupe_key="u2")
    bot.send(OFFICE, f"办结 {number} 经查属实，已责令整改", dedupe_key="o3")
    assert CONTACT in bot.send(OFFICE, f"举报人 {number}", dedupe_key="o4")
    assert "已办结" in bot.send(REPORTER, f"查询 {number} {code}", dedupe_key="m-q")
    assert [p.to for p in bot.pushes() if "已办结" in p.text and p.to == REPORTER] == [REPORTER]
    return number, code


def _opened(key: bytes, text: str) -> str:
    """A stored reply, opened if the inbox keeps it sealed."""
    return unseal(key, text) if text.startswith("gAAAA") else text


def _sqlite_bytes(bot) -> bytes:
    path = Path(make_url(bot.services.settings.database_url).database)
    files = [path, path.with_name(path.name + "-wal")]
    return b"".join(f.read_bytes() for f in files if f.exists())


def test_contact_account_and_query_code_are_nowhere_in_clear(bot, database_url):
    number, code = _walk_to_the_end(bot)
    dump = dump_database(bot)
    assert number in dump  # the dump does hold the case
    for secret in (CONTACT, REPORTER, code):
        assert secret not in dump, secret
    with bot.session() as s:
        key = bot.services.seal_key
        replies = [_opened(key, r.reply_text or "") for r in s.scalars(select(InboundMessage))]
        assert len(replies) >= 12 and "保密信息" in "".join(replies)
        reporter = s.get(ReferralReporter, s.scalar(select(ReferralCase.id)))
        assert reporter.sealed_contact and CONTACT not in reporter.sealed_contact
    if database_url.startswith("sqlite"):
        raw = _sqlite_bytes(bot)
        assert CONTACT.encode() not in raw and code.encode() not in raw
        path = make_url(bot.services.settings.database_url).database
        with closing(sqlite3.connect(path)) as conn:
            assert conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0] == 0
        assert REPORTER.encode() not in _sqlite_bytes(bot)  # the dialogue row was zeroed


def test_the_export_holds_the_cases_but_not_the_reporter(bot):
    number, _code = _walk_to_the_end(bot)
    reply = bot.send(OFFICE, "案件 导出 2026")
    assert "已导出2026年举报1件" in reply
    (push,) = [p for p in bot.pushes(OFFICE) if p.kind == "file"]
    assert isinstance(push.document, Document) and push.document.filename.endswith(".xlsx")
    content = (bot.services.settings.files_path / push.document.path).read_bytes()
    cells = [
        str(v)
        for row in load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True)
        for v in row
        if v is not None
    ]
    assert number in cells and "郑州市宏达机械制造有限公司" in cells and "区人社局" in cells
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        xml = "".join(archive.read(n).decode("utf-8", "replace") for n in archive.namelist())
    for secret in (CONTACT, REPORTER, "138****5678"):
        assert secret not in "".join(cells) and secret not in xml
    assert "年份格式" in bot.send(OFFICE, "案件 导出 26")
    assert "仅限办公室使用" in bot.send(RS, "案件 导出")


def test_the_dialogue_seals_the_contact_and_shows_it_masked(bot):
    for message in ["举报", "宏达机械", "淮河路街道", "粉尘", "车间粉尘很大，没有任何防护措施"]:
        bot.send(REPORTER, message)
    preview = bot.send(REPORTER, CONTACT)
    assert "138****5678" in preview and CONTACT not in preview
    with bot.session() as s:
        (row,) = s.scalars(select(ConversationState)).all()
        state = open_state(bot.services.seal_key, row.sealed)
        assert CONTACT not in row.sealed and "宏达机械" not in row.sealed
        assert state["employer"] == "宏达机械" and CONTACT not in str(state) and state["contact"]
    assert "举报已登记" in bot.send(REPORTER, "提交")
    with bot.session() as s:
        assert s.scalars(select(ConversationState)).all() == []
        case = s.scalar(select(ReferralCase))
        assert case.has_contact and len(case.query_hash) == 64


def test_bad_answers_are_explained_and_the_dialogue_waits(bot):
    bot.send("someone", "举报")
    assert "2至100个字" in bot.send("someone", "宏")
    bot.send("someone", "宏达机械厂")
    bot.send("someone", "不知道在哪")
    assert "没有识别该危害类型" in bot.send("someone", "7")
    assert "描述" in bot.send("someone", "噪声")
    assert "10至1000个字" in bot.send("someone", "很吵")
    bot.send("someone", "冲压车间噪声很大，工人没有耳塞，好几个人听力下降")
    preview = bot.send("someone", "无")
    assert "联系方式：未留" in preview and "危害类型：噪声" in preview
    assert "已退出「举报」" in bot.send("someone", "取消")
    assert "没有未办结的举报" in bot.send(OFFICE, "待办")
    number, _ = file_report(bot, "someone", contact="无")
    assert "举报人联系方式：未留" in bot.send(OFFICE, f"案件 {number}")
    assert "联系方式：未留" in bot.send(OFFICE, f"举报人 {number}")


def test_query_needs_both_number_and_code(bot):
    number, code = file_report(bot)
    assert "用法：查询 编号 查询码" in bot.send("anyone", f"查询 {number}")
    assert "不正确" in bot.send("anyone", f"查询 JB209901010001 {code}")
    assert "不正确" in bot.send("anyone", f"查询 {number} {code[::-1]}")
    answer = bot.send("anyone", f"查询 {number.lower()} {code.lower()}")
    assert "等待联席会议办公室受理" in answer and CONTACT not in answer


def test_a_report_in_progress_rests_sealed_and_goes_when_filed(bot):
    """The raw conversation_state table names neither the employer, the contact nor the sender."""
    employer = "郑州市宏达机械制造有限公司"
    for message in ["举报", employer, "淮河路街道建设路88号", "粉尘", "车间粉尘很大，没有任何防护"]:
        bot.send(REPORTER, message)
    bot.send(REPORTER, CONTACT)
    with bot.session() as s:
        rows = s.execute(text("SELECT * FROM conversation_state")).all()
    raw = " ".join(str(v) for row in rows for v in row)
    assert len(rows) == 1 and "举报" in raw  # the flow's name is all that is readable
    for secret in (employer, "宏达", "建设路", CONTACT, "5678", REPORTER):
        assert secret not in raw, secret
    assert "举报已登记" in bot.send(REPORTER, "提交")
    with bot.session() as s:
        assert s.execute(text("SELECT COUNT(*) FROM conversation_state")).scalar() == 0


def test_generated_files_are_readable_by_the_owner_only(bot):
    _walk_to_the_end(bot)
    bot.send(OFFICE, "案件 导出 2026")
    (push,) = [p for p in bot.pushes(OFFICE) if p.kind == "file"]
    root = bot.services.settings.files_path
    path = root / push.document.path
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    for folder in (root, path.parent):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
