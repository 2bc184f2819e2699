"""desk and audit: one-time sign-in links; the audit log chained by hash and append-only

audit_entry gains channel, prev_hash and hash; change_entry (every changed row of a business
table) is new. Existing audit entries are chained in id order on upgrade. A trigger refuses
UPDATE and DELETE on both (PostgreSQL: a plpgsql function; SQLite: RAISE(ABORT)); TRUNCATE, used only by
the test suite between tests, is not a row change and stays possible for the owner.

Revision ID: 0014
Revises: 0013
"""

import sqlalchemy as sa
from alembic import op

import storage.db

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION audit_entry_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% is append-only (% refused)', TG_TABLE_NAME, TG_OP;
END;
$$ LANGUAGE plpgsql
"""
JOURNALS = ("audit_entry", "change_entry")
PG_TRIGGERS = [
    f"""CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only()"""
    for table in JOURNALS
]
SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER {table}_no_{op_name.lower()} BEFORE {op_name} ON {table}
    BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"""
    for table in JOURNALS
    for op_name in ("UPDATE", "DELETE")
]


def _chain_existing() -> None:
    from storage.audit import GENESIS, entry_hash

    conn = op.get_bind()
    rows = conn.execute(
        sa.text(
            "SELECT id, at, actor_person_id, actor, action, subject, detail FROM audit_entry ORDER BY id"
        )
    ).mappings()
    prev = GENESIS
    at_type = storage.db.UTCDateTime()
    for row in list(rows):
        fields = dict(row, channel="", at=at_type.process_result_value(row["at"], conn.dialect))
        digest = entry_hash(fields, prev)
        conn.execute(
            sa.text("UPDATE audit_entry SET prev_hash = :p, hash = :h WHERE id = :id"),
            {"p": prev, "h": digest, "id": row["id"]},
        )
        prev = digest


def upgrade() -> None:
    op.create_table(
        "desk_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("created_at", storage.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", storage.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", storage.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_desk_token_person_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_desk_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_desk_token_token_hash")),
    )
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("channel", sa.String(length=20), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("prev_hash", sa.String(length=64), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("hash", sa.String(length=64), nullable=False, server_default="")
        )
    op.create_table(
        "change_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", storage.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor_person_id", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=50), nullable=False),
        sa.Column("subject", sa.String(length=100), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_change_entry")),
    )
    with op.batch_alter_table("change_entry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_change_entry_action"), ["action"], unique=False)
        batch_op.create_index(batch_op.f("ix_change_entry_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_change_entry_subject"), ["subject"], unique=False)
    _chain_existing()
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_FUNCTION)
        for statement in PG_TRIGGERS:
            op.execute(statement)
    else:
        for statement in SQLITE_TRIGGERS:
            op.execute(statement)


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for table in JOURNALS:
        if postgresql:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")
    if postgresql:
        op.execute("DROP FUNCTION IF EXISTS audit_entry_append_only()")
    op.drop_table("change_entry")
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.drop_column("hash")
        batch_op.drop_column("prev_hash")
        batch_op.drop_column("channel")
    op.drop_table("desk_token")
