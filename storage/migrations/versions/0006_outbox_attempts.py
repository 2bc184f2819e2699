"""outbox: send attempts and failure visibility

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

import storage.db

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outbox_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("outbox_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("started_at", storage.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", storage.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("result", sa.String(length=12), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["outbox_id"],
            ["outbox_message.id"],
            name=op.f("fk_outbox_attempt_outbox_id_outbox_message"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_attempt")),
    )
    with op.batch_alter_table("outbox_attempt", schema=None) as batch:
        batch.create_index(batch.f("ix_outbox_attempt_outbox_id"), ["outbox_id"], unique=False)
    # wechatpy's token key held the first 10 characters of the app secret; the new key names the
    # app only. The table is a cache: emptying it costs one gettoken and leaves no secret behind.
    op.execute("DELETE FROM cached_token")


def downgrade() -> None:
    with op.batch_alter_table("outbox_attempt", schema=None) as batch:
        batch.drop_index(batch.f("ix_outbox_attempt_outbox_id"))
    op.drop_table("outbox_attempt")
