"""roles and meetings: 外出 and B角, 变更联络员 requests, guests invited to a meeting

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

import storage.db

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("appointment", schema=None) as batch_op:
        batch_op.add_column(sa.Column("away_from", storage.db.UTCDateTime(timezone=True)))
        batch_op.add_column(sa.Column("away_until", storage.db.UTCDateTime(timezone=True)))
        batch_op.add_column(
            sa.Column("away", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.create_table(
        "liaison_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("mobile", sa.String(length=20), nullable=False),
        sa.Column("account", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("requested_by", sa.Integer(), nullable=False),
        sa.Column("requested_at", storage.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("decided_at", storage.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit.id"], name=op.f("fk_liaison_change_unit_id_unit")
        ),
        sa.ForeignKeyConstraint(
            ["requested_by"], ["person.id"], name=op.f("fk_liaison_change_requested_by_person")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by"], ["person.id"], name=op.f("fk_liaison_change_decided_by_person")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_liaison_change_person_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_liaison_change")),
    )
    op.create_index(op.f("ix_liaison_change_unit_id"), "liaison_change", ["unit_id"])
    op.create_table(
        "meeting_guest",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("account", sa.String(length=64), nullable=False),
        sa.Column("invited_by", sa.Integer(), nullable=True),
        sa.Column("invited_at", storage.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meeting.id"], name=op.f("fk_meeting_guest_meeting_id_meeting")
        ),
        sa.ForeignKeyConstraint(
            ["invited_by"], ["person.id"], name=op.f("fk_meeting_guest_invited_by_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_guest")),
        sa.UniqueConstraint("meeting_id", "name", name=op.f("uq_meeting_guest_meeting_id_name")),
    )
    op.create_index(op.f("ix_meeting_guest_meeting_id"), "meeting_guest", ["meeting_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_meeting_guest_meeting_id"), table_name="meeting_guest")
    op.drop_table("meeting_guest")
    op.drop_index(op.f("ix_liaison_change_unit_id"), table_name="liaison_change")
    op.drop_table("liaison_change")
    with op.batch_alter_table("appointment", schema=None) as batch_op:
        batch_op.drop_column("away")
        batch_op.drop_column("away_until")
        batch_op.drop_column("away_from")
