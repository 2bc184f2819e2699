"""reports and roster: what a new user needed

A bulletin draft holds no issue number (it is given at 简报 发布, in publishing order) and a draft
can be voided.

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

import storage.db

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("bulletin", schema=None) as batch_op:
        batch_op.alter_column("number", existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(
            sa.Column("voided_at", storage.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("voided_by", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_bulletin_voided_by_person"), "person", ["voided_by"], ["id"]
        )


def downgrade() -> None:
    op.execute("DELETE FROM bulletin WHERE number IS NULL")
    with op.batch_alter_table("bulletin", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_bulletin_voided_by_person"), type_="foreignkey")
        batch_op.drop_column("voided_by")
        batch_op.drop_column("voided_at")
        batch_op.alter_column("number", existing_type=sa.Integer(), nullable=False)
