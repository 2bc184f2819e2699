"""referrals domain tables: cases, sealed reporters, append-only history, cluster warnings

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

import storage.db

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _dt(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, storage.db.UTCDateTime(timezone=True), nullable=nullable)


def _case_columns() -> list[sa.Column]:
    return [
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("query_hash", sa.String(length=64), nullable=False),
        _dt("created_at"),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("employer", sa.String(length=200), nullable=False),
        sa.Column("employer_key", sa.String(length=200), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=False),
        sa.Column("street", sa.String(length=50), nullable=False),
        sa.Column("hazard", sa.String(length=10), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("has_contact", sa.Boolean(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        _dt("referred_at", True),
        sa.Column("sign_due", sa.Date(), nullable=True),
        sa.Column("answer_due", sa.Date(), nullable=True),
        _dt("signed_at", True),
        _dt("answered_at", True),
        _dt("closed_at", True),
        sa.Column("result", sa.Text(), nullable=False),
        sa.Column("conclusion", sa.Text(), nullable=False),
        sa.Column("extension_days", sa.Integer(), nullable=True),
        sa.Column("extension_reason", sa.Text(), nullable=False),
    ]


def _create_case() -> None:
    op.create_table(
        "referral_case",
        *_case_columns(),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit.id"], name=op.f("fk_referral_case_unit_id_unit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referral_case")),
        sa.UniqueConstraint("number", name=op.f("uq_referral_case_number")),
    )
    with op.batch_alter_table("referral_case", schema=None) as batch_op:
        for column in ("created_at", "status", "employer_key", "street", "unit_id"):
            batch_op.create_index(batch_op.f(f"ix_referral_case_{column}"), [column], unique=False)


def _create_reporter_and_events() -> None:
    op.create_table(
        "referral_reporter",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("sealed_account", sa.Text(), nullable=False),
        sa.Column("sealed_contact", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["referral_case.id"],
            name=op.f("fk_referral_reporter_case_id_referral_case"),
        ),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_referral_reporter")),
    )
    op.create_table(
        "referral_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        _dt("at"),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("actor_person_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("key", sa.String(length=120), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["referral_case.id"],
            name=op.f("fk_referral_event_case_id_referral_case"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referral_event")),
        sa.UniqueConstraint("key", name=op.f("uq_referral_event_key")),
    )
    with op.batch_alter_table("referral_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_referral_event_case_id"), ["case_id"], unique=False)


def _create_warning() -> None:
    op.create_table(
        "referral_warning",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("match_key", sa.String(length=200), nullable=False),
        _dt("created_at"),
        sa.Column("case_numbers", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referral_warning")),
    )
    with op.batch_alter_table("referral_warning", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_referral_warning_match_key"), ["match_key"], unique=False
        )


def upgrade() -> None:
    _create_case()
    _create_reporter_and_events()
    _create_warning()


def downgrade() -> None:
    op.drop_table("referral_warning")
    op.drop_table("referral_event")
    op.drop_table("referral_reporter")
    op.drop_table("referral_case")
