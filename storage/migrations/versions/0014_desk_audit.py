"""desk and audit: one-time sign-in links; the audit log chained by hash and append-only

Existing audit entries are chained in id order on upgrade. A trigger refuses UPDATE and DELETE
on audit_entry (PostgreSQL: a plpgsql function; SQLite: RAISE(ABORT)); TRUNCATE, used only by
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
    RAISE EXCEPTION 'audit_entry is append-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql
"""
PG_TRIGGER = """
CREATE TRIGGER audit_entry_append_only BEFORE UPDATE OR DELETE ON audit_entry
FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only()
"""
SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER audit_entry_no_{op_name.lower()} BEFORE {op_name} ON audit_entry
    BEGIN SELECT RAISE(ABORT, 'audit_entry is append-only'); END"""
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
    _chain_existing()
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_FUNCTION)
        op.execute(PG_TRIGGER)
    else:
        for statement in SQLITE_TRIGGERS:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_entry_append_only ON audit_entry")
        op.execute("DROP FUNCTION IF EXISTS audit_entry_append_only()")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_entry_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_entry_no_delete")
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.drop_column("hash")
        batch_op.drop_column("prev_hash")
        batch_op.drop_column("channel")
    op.drop_table("desk_token")
