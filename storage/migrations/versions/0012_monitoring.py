"""monitoring: health-check results, early warning, 舆情 rounds, yearly assessment

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

import storage.db

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "health_import",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("first_period", sa.String(length=7), nullable=False),
        sa.Column("last_period", sa.String(length=7), nullable=False),
        sa.Column("imported_at", storage.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("imported_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["imported_by"], ["person.id"], name=op.f("fk_health_import_imported_by_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_health_import")),
        sa.UniqueConstraint("content_hash", name=op.f("uq_health_import_content_hash")),
    )
    op.create_table(
        "opinion_round",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=False),
        sa.Column("industry", sa.String(length=100), nullable=False),
        sa.Column("event", sa.Text(), nullable=False),
        sa.Column("due", sa.Date(), nullable=False),
        sa.Column("created_at", storage.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by"], ["person.id"], name=op.f("fk_opinion_round_created_by_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_opinion_round")),
        sa.UniqueConstraint("seq", name=op.f("uq_opinion_round_seq")),
    )
    op.create_table(
        "warning_signal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("rule", sa.String(length=20), nullable=False),
        sa.Column("match_key", sa.String(length=250), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("created_at", storage.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("closed_at", storage.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("closed_by", sa.Integer(), nullable=True),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["closed_by"], ["person.id"], name=op.f("fk_warning_signal_closed_by_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_warning_signal")),
        sa.UniqueConstraint(
            "rule", "match_key", "period", name=op.f("uq_warning_signal_rule_match_key_period")
        ),
        sa.UniqueConstraint("seq", name=op.f("uq_warning_signal_seq")),
    )
    op.create_index(op.f("ix_warning_signal_status"), "warning_signal", ["status"], unique=False)
    op.create_table(
        "health_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("institution", sa.String(length=200), nullable=False),
        sa.Column("employer", sa.String(length=200), nullable=False),
        sa.Column("employer_key", sa.String(length=200), nullable=False),
        sa.Column("street", sa.String(length=50), nullable=False),
        sa.Column("industry", sa.String(length=100), nullable=False),
        sa.Column("hazard", sa.String(length=50), nullable=False),
        sa.Column("examined", sa.Integer(), nullable=False),
        sa.Column("abnormal", sa.Integer(), nullable=False),
        sa.Column("suspected", sa.Integer(), nullable=False),
        sa.Column("contraindicated", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("exam_date", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["import_id"],
            ["health_import.id"],
            name=op.f("fk_health_record_import_id_health_import"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_health_record")),
    )
    op.create_index(
        op.f("ix_health_record_employer_key"), "health_record", ["employer_key"], unique=False
    )
    op.create_index(
        op.f("ix_health_record_import_id"), "health_record", ["import_id"], unique=False
    )
    op.create_index(op.f("ix_health_record_period"), "health_record", ["period"], unique=False)
    op.create_index(op.f("ix_health_record_street"), "health_record", ["street"], unique=False)
    op.create_table(
        "opinion_reply",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("answered_at", storage.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("answered_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["answered_by"], ["person.id"], name=op.f("fk_opinion_reply_answered_by_person")
        ),
        sa.ForeignKeyConstraint(
            ["round_id"], ["opinion_round.id"], name=op.f("fk_opinion_reply_round_id_opinion_round")
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit.id"], name=op.f("fk_opinion_reply_unit_id_unit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_opinion_reply")),
        sa.UniqueConstraint("round_id", "unit_id", name=op.f("uq_opinion_reply_round_id_unit_id")),
    )
    op.create_index(op.f("ix_opinion_reply_round_id"), "opinion_reply", ["round_id"], unique=False)
    op.create_index(op.f("ix_opinion_reply_unit_id"), "opinion_reply", ["unit_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_opinion_reply_unit_id"), table_name="opinion_reply")
    op.drop_index(op.f("ix_opinion_reply_round_id"), table_name="opinion_reply")
    op.drop_table("opinion_reply")
    op.drop_index(op.f("ix_health_record_street"), table_name="health_record")
    op.drop_index(op.f("ix_health_record_period"), table_name="health_record")
    op.drop_index(op.f("ix_health_record_import_id"), table_name="health_record")
    op.drop_index(op.f("ix_health_record_employer_key"), table_name="health_record")
    op.drop_table("health_record")
    op.drop_index(op.f("ix_warning_signal_status"), table_name="warning_signal")
    op.drop_table("warning_signal")
    op.drop_table("opinion_round")
    op.drop_table("health_import")
