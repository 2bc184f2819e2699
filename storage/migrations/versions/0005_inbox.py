"""inbox: durable received messages, processed in order per sender

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

import storage.db

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("inbound_message", schema=None) as batch:
        batch.add_column(sa.Column("sender_hash", sa.String(64), nullable=False, server_default=""))
        batch.add_column(
            sa.Column("platform_time", storage.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch.add_column(
            sa.Column("platform_seq", sa.BigInteger(), nullable=False, server_default="0")
        )
        batch.add_column(sa.Column("status", sa.String(10), nullable=False, server_default="done"))
        batch.add_column(sa.Column("sealed", sa.Text(), nullable=True))
        batch.add_column(sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(
            sa.Column("processed_at", storage.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch.add_column(sa.Column("answered", sa.String(10), nullable=True))
        batch.create_index(
            "ix_inbound_message_queue", ["status", "sender_hash", "platform_time", "platform_seq"]
        )


def downgrade() -> None:
    with op.batch_alter_table("inbound_message", schema=None) as batch:
        batch.drop_index("ix_inbound_message_queue")
        for name in (
            "answered",
            "processed_at",
            "attempts",
            "sealed",
            "status",
            "platform_seq",
            "platform_time",
            "sender_hash",
        ):
            batch.drop_column(name)
