"""meetings domain tables

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

import storage.db

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _dt(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, storage.db.UTCDateTime(timezone=True), nullable=nullable)


def _fks(table: str, *columns: tuple[str, str, bool]) -> list[sa.Column]:
    out = []
    for name, target, nullable in columns:
        fk = sa.ForeignKey(f"{target}.id", name=op.f(f"fk_{table}_{name}_{target}"))
        out.append(sa.Column(name, sa.Integer(), fk, nullable=nullable))
    return out


def upgrade() -> None:
    op.create_table(
        "meeting",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("topics", sa.Text(), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=False),
        _dt("starts_at"),
        sa.Column("version", sa.Integer(), nullable=False),
        _dt("notified_at"),
        *_fks("meeting", ("created_by", "person", True)),
        _dt("created_at"),
        _dt("cancelled_at", True),
        sa.Column("cancel_reason", sa.Text(), nullable=False),
        _dt("released_at", True),
        *_fks("meeting", ("released_by", "person", True)),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting")),
    )
    op.create_index(op.f("ix_meeting_starts_at"), "meeting", ["starts_at"], unique=False)
    op.create_table(
        "meeting_invite",
        sa.Column("id", sa.Integer(), nullable=False),
        *_fks("meeting_invite", ("meeting_id", "meeting", False), ("unit_id", "unit", False)),
        sa.Column("answer", sa.String(length=10), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("delegate_name", sa.String(length=50), nullable=False),
        sa.Column("delegate_title", sa.String(length=100), nullable=False),
        *_fks("meeting_invite", ("answered_by", "person", True)),
        _dt("answered_at", True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_invite")),
        sa.UniqueConstraint(
            "meeting_id", "unit_id", name=op.f("uq_meeting_invite_meeting_id_unit_id")
        ),
    )
    op.create_index(
        op.f("ix_meeting_invite_meeting_id"), "meeting_invite", ["meeting_id"], unique=False
    )
    op.create_index(op.f("ix_meeting_invite_unit_id"), "meeting_invite", ["unit_id"], unique=False)
    op.create_table(
        "meeting_minutes",
        *_fks("meeting_minutes", ("meeting_id", "meeting", False)),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        *_fks(
            "meeting_minutes",
            ("source_document_id", "document", True),
            ("submitted_by", "person", True),
        ),
        _dt("submitted_at"),
        _dt("signed_off_at", True),
        *_fks("meeting_minutes", ("signed_off_by", "person", True)),
        sa.Column("signoff_note", sa.Text(), nullable=False),
        *_fks("meeting_minutes", ("document_id", "document", True)),
        _dt("reported_at", True),
        sa.PrimaryKeyConstraint("meeting_id", name=op.f("pk_meeting_minutes")),
    )
    op.create_table(
        "minutes_signature",
        sa.Column("id", sa.Integer(), nullable=False),
        *_fks("minutes_signature", ("meeting_id", "meeting", False), ("unit_id", "unit", False)),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("opinion", sa.Text(), nullable=False),
        *_fks("minutes_signature", ("signed_by", "person", True)),
        _dt("signed_at", True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_minutes_signature")),
        sa.UniqueConstraint(
            "meeting_id", "unit_id", name=op.f("uq_minutes_signature_meeting_id_unit_id")
        ),
    )
    op.create_index(
        op.f("ix_minutes_signature_meeting_id"), "minutes_signature", ["meeting_id"], unique=False
    )


def downgrade() -> None:
    op.drop_table("minutes_signature")
    op.drop_table("meeting_minutes")
    op.drop_index(op.f("ix_meeting_invite_unit_id"), table_name="meeting_invite")
    op.drop_index(op.f("ix_meeting_invite_meeting_id"), table_name="meeting_invite")
    op.drop_table("meeting_invite")
    op.drop_index(op.f("ix_meeting_starts_at"), table_name="meeting")
    op.drop_table("meeting")
