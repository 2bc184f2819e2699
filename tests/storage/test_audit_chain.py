"""The audit log is two hash chains — the acts the domains record (audit_entry) and every changed
row of a business table (change_entry): nothing can be rewritten through the application, and
`liaison audit verify` names the first entry edited behind its back."""

from __future__ import annotations

import itertools

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from storage import audit
from storage.audit import AuditEntry, AuditRewriteError, ChangeEntry
from tests.bot.test_cli import liaison
from tests.handlers.referrals.support import file_report

JOURNALS = {"audit_entry": AuditEntry, "change_entry": ChangeEntry}


def entries(bot, model=ChangeEntry) -> list:
    with bot.session() as s:
        return list(s.scalars(select(model).order_by(model.id)))


def behind_the_back(bot, table: str, sql: str) -> None:
    """Change the table as someone with database access would, the trigger switched off."""
    with bot.services.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SET LOCAL session_replication_role = replica"))
        else:
            conn.execute(text(f"DROP TRIGGER {table}_no_update"))
            conn.execute(text(f"DROP TRIGGER {table}_no_delete"))
        conn.execute(text(sql))


def test_every_change_is_chained_and_the_chain_verifies(bot):
    number, _code = file_report(bot)
    bot.send("demo-office", f"受理 {number}")
    bot.send("demo-office", f"举报人 {number}")
    for model in (ChangeEntry, AuditEntry):
        rows = entries(bot, model)
        assert rows and rows[0].prev_hash == audit.GENESIS
        for before, after in itertools.pairwise(rows):
            assert after.prev_hash == before.hash
    changes = entries(bot)
    assert any(r.subject == number and r.action == "新增 referral_case" for r in changes)
    accepted = [r for r in changes if r.subject == number and r.action == "修改 referral_case"]
    assert accepted and "status: new→accepted" in accepted[0].detail
    assert accepted[0].actor == "系统" or "演示" in accepted[0].actor
    assert any(r.action == "新增 appointment" for r in changes)
    (seen,) = entries(bot, AuditEntry)
    assert seen.action == "查看举报人" and seen.subject == number
    with bot.session() as s:
        assert audit.verify(s) == (len(changes) + 1, None)


@pytest.mark.parametrize("model", [AuditEntry, ChangeEntry])
def test_the_application_cannot_edit_or_delete_an_entry(bot, model):
    number, _code = file_report(bot)
    bot.send("demo-office", f"举报人 {number}")
    with bot.session() as s, s.begin():
        entry = s.scalars(select(model).limit(1)).one()
        entry.detail = "改过"
        with pytest.raises(AuditRewriteError):
            s.flush()
    with bot.session() as s, s.begin():
        s.delete(s.scalars(select(model).limit(1)).one())
        with pytest.raises(AuditRewriteError):
            s.flush()


@pytest.mark.parametrize("table", JOURNALS)
@pytest.mark.parametrize("statement", ["UPDATE {t} SET detail = 'x'", "DELETE FROM {t}"])
def test_the_database_refuses_updates_and_deletes(bot, table, statement):
    with bot.session() as s, s.begin():
        audit.record(s, bot.clock(), "办公室", "测试", "甲")  # one row in each journal
    with pytest.raises(DBAPIError, match="append-only"), bot.services.engine.begin() as conn:
        conn.execute(text(statement.format(t=table)))


def test_verify_names_the_first_entry_edited_behind_the_applications_back(bot, env, tmp_path):
    file_report(bot)
    rows = entries(bot)
    victim = rows[len(rows) // 2]
    behind_the_back(
        bot, "change_entry", f"UPDATE change_entry SET actor = '别人' WHERE id = {victim.id}"
    )
    with bot.session() as s:
        _checked, broken = audit.verify(s)
    assert broken is not None and broken.entry_id == victim.id
    assert broken.journal == "数据变更记录"

    result = liaison(["audit", "verify"], env, tmp_path)
    assert result.returncode == 1, result.stderr
    assert f"数据变更记录第 {victim.id} 条" in result.stderr and "被篡改" in result.stderr


def test_verify_notices_a_deleted_entry(bot):
    number, _code = file_report(bot)
    bot.send("demo-office", f"举报人 {number}")
    bot.send("demo-office", f"举报人 {number}")
    first, second = entries(bot, AuditEntry)
    behind_the_back(bot, "audit_entry", f"DELETE FROM audit_entry WHERE id = {first.id}")
    with bot.session() as s:
        _checked, broken = audit.verify(s)
    assert broken is not None and (broken.journal, broken.entry_id) == ("审计日志", second.id)


def test_verify_passes_on_an_intact_log(bot, env, tmp_path):
    file_report(bot)
    result = liaison(["audit", "verify"], env, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "审计日志完整" in result.stdout
