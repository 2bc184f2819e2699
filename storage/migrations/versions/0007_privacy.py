"""privacy: query-code attempts, seal-key check, sealed dialogue state

Revision ID: 0007
Revises: 0006

Dialogue rows in progress are deleted: their state was in clear and no key is at hand here to
seal it; a person half-way through a dialogue starts it again.
"""

import sqlalchemy as sa
from alembic import op

import storage.db

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "deployment_setting",
        sa.Column("name", sa.String(50), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_deployment_setting")),
    )
    op.create_table(
        "query_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", storage.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("sender_hash", sa.String(64), nullable=False),
        sa.Column("case_number", sa.String(20), nullable=False),
        sa.Column("blocked", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_query_attempt")),
    )
    op.create_index("ix_query_attempt_sender", "query_attempt", ["sender_hash", "at"])
    op.create_index("ix_query_attempt_number", "query_attempt", ["case_number", "at"])
    op.execute("DELETE FROM conversation_state")
    with op.batch_alter_table("conversation_state", schema=None) as batch:
        batch.drop_column("data")
        batch.add_column(sa.Column("sealed", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    op.execute("DELETE FROM conversation_state")
    with op.batch_alter_table("conversation_state", schema=None) as batch:
        batch.drop_column("sealed")
        batch.add_column(sa.Column("data", sa.JSON(), nullable=False, server_default="{}"))
    op.drop_index("ix_query_attempt_number", table_name="query_attempt")
    op.drop_index("ix_query_attempt_sender", table_name="query_attempt")
    op.drop_table("query_attempt")
    op.drop_table("deployment_setting")
