"""The audit log is a hash chain: every change is appended, nothing can be rewritten through the
application, and `liaison audit verify` names the first entry edited behind its back."""

from __future__ import annotations

import itertools

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from storage import audit
from storage.audit import AuditEntry, AuditRewriteError
from tests.bot.test_cli import liaison
from tests.conftest import TEST_SEAL_KEY
from tests.handlers.referrals.support import file_report


def entries(bot) -> list[AuditEntry]:
    with bot.session() as s:
        return list(s.scalars(select(AuditEntry).order_by(AuditEntry.id)))


def behind_the_back(bot, sql: str) -> None:
    """Change the table as someone with database access would, the trigger switched off."""
    with bot.services.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SET LOCAL session_replication_role = replica"))
            conn.execute(text(sql))
        else:
            conn.execute(text("DROP TRIGGER audit_entry_no_update"))
            conn.execute(text("DROP TRIGGER audit_entry_no_delete"))
            conn.execute(text(sql))


def test_every_change_is_chained_and_the_chain_verifies(bot):
    number, _code = file_report(bot)
    bot.send("demo-office", f"受理 {number}")
    rows = entries(bot)
    assert rows[0].prev_hash == audit.GENESIS
    for before, after in itertools.pairwise(rows):
        assert after.prev_hash == before.hash
    assert any(r.subject == number and "referral_case" in r.action for r in rows)
    assert any(r.action == "新增 person" or r.action == "新增 appointment" for r in rows)
    with bot.session() as s:
        assert audit.verify(s) == (len(rows), None)


def test_the_application_cannot_edit_or_delete_an_entry(bot):
    bot.send("demo-office", "举报人 JB000")  # anything: the roster seed already wrote entries
    with bot.session() as s, s.begin():
        entry = s.scalars(select(AuditEntry).limit(1)).one()
        entry.detail = "改过"
        with pytest.raises(AuditRewriteError):
            s.flush()
    with bot.session() as s, s.begin():
        s.delete(s.scalars(select(AuditEntry).limit(1)).one())
        with pytest.raises(AuditRewriteError):
            s.flush()


@pytest.mark.parametrize(
    "statement", ["UPDATE audit_entry SET detail = 'x'", "DELETE FROM audit_entry"]
)
def test_the_database_refuses_updates_and_deletes(bot, statement):
    with pytest.raises(DBAPIError, match="append-only"), bot.services.engine.begin() as conn:
        conn.execute(text(statement))


def test_verify_names_the_first_entry_edited_behind_the_applications_back(bot, env, tmp_path):
    file_report(bot)
    rows = entries(bot)
    victim = rows[len(rows) // 2]
    behind_the_back(bot, f"UPDATE audit_entry SET actor = '别人' WHERE id = {victim.id}")
    with bot.session() as s:
        checked, broken = audit.verify(s)
    assert broken is not None and broken.entry_id == victim.id
    assert checked == len([r for r in rows if r.id < victim.id])

    result = liaison(["audit", "verify"], {**env, "LIAISON_SEAL_KEY": TEST_SEAL_KEY}, tmp_path)
    assert result.returncode == 1, result.stderr
    assert f"第 {victim.id} 条" in result.stderr and "被篡改" in result.stderr


def test_verify_notices_a_deleted_entry(bot, env, tmp_path):
    rows = entries(bot)
    behind_the_back(bot, f"DELETE FROM audit_entry WHERE id = {rows[3].id}")
    with bot.session() as s:
        _checked, broken = audit.verify(s)
    assert broken is not None and broken.entry_id == rows[4].id
    ok = liaison(["audit", "verify"], env, tmp_path)
    assert ok.returncode == 1


def test_verify_passes_on_an_intact_log(bot, env, tmp_path):
    file_report(bot)
    result = liaison(["audit", "verify"], env, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "审计日志完整" in result.stdout
