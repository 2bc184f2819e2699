"""referrals and meetings: what a new user needed

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

import storage.db  # noqa: F401

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # a report may name several hazard types: «粉尘、噪声、化学毒物»
    with op.batch_alter_table("referral_case", schema=None) as batch_op:
        batch_op.alter_column(
            "hazard", existing_type=sa.String(length=10), type_=sa.String(length=40)
        )


def downgrade() -> None:
    with op.batch_alter_table("referral_case", schema=None) as batch_op:
        batch_op.alter_column(
            "hazard", existing_type=sa.String(length=40), type_=sa.String(length=10)
        )
