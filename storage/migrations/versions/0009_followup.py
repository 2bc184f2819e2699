"""follow-up work: decided items, comment rounds, joint inspections

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

import storage.db

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "comment_round",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=True),
        sa.Column("due", sa.Date(), nullable=False),
        sa.Column("created_at", storage.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("closed_at", storage.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by"], ["person.id"], name=op.f("fk_comment_round_created_by_person")
        ),
        sa.ForeignKeyConstraint(
            ["document_id"], ["document.id"], name=op.f("fk_comment_round_document_id_document")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comment_round")),
        sa.UniqueConstraint("seq", name=op.f("uq_comment_round_seq")),
    )
    op.create_table(
        "inspection",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("unit_ids", sa.JSON(), nullable=False),
        sa.Column("streets", sa.JSON(), nullable=False),
        sa.Column("employers", sa.JSON(), nullable=False),
        sa.Column("created_at", storage.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by"], ["person.id"], name=op.f("fk_inspection_created_by_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspection")),
        sa.UniqueConstraint("seq", name=op.f("uq_inspection_seq")),
    )
    op.create_table(
        "comment_reply",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("opinion", sa.Text(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=True),
        sa.Column("form", sa.JSON(), nullable=False),
        sa.Column("answered_by", sa.Integer(), nullable=True),
        sa.Column("answered_at", storage.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["answered_by"], ["person.id"], name=op.f("fk_comment_reply_answered_by_person")
        ),
        sa.ForeignKeyConstraint(
            ["document_id"], ["document.id"], name=op.f("fk_comment_reply_document_id_document")
        ),
        sa.ForeignKeyConstraint(
            ["round_id"], ["comment_round.id"], name=op.f("fk_comment_reply_round_id_comment_round")
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit.id"], name=op.f("fk_comment_reply_unit_id_unit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comment_reply")),
        sa.UniqueConstraint("round_id", "unit_id", name=op.f("uq_comment_reply_round_id_unit_id")),
    )
    op.create_index(op.f("ix_comment_reply_round_id"), "comment_reply", ["round_id"], unique=False)
    op.create_index(op.f("ix_comment_reply_unit_id"), "comment_reply", ["unit_id"], unique=False)
    op.create_table(
        "followup_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("prefix", sa.String(length=4), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=50), nullable=False),
        sa.Column("lead_unit_id", sa.Integer(), nullable=False),
        sa.Column("co_unit_ids", sa.JSON(), nullable=False),
        sa.Column("due", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("inspection_id", sa.Integer(), nullable=True),
        sa.Column("employer", sa.String(length=200), nullable=False),
        sa.Column("created_at", storage.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("closed_at", storage.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by"], ["person.id"], name=op.f("fk_followup_item_created_by_person")
        ),
        sa.ForeignKeyConstraint(
            ["inspection_id"],
            ["inspection.id"],
            name=op.f("fk_followup_item_inspection_id_inspection"),
        ),
        sa.ForeignKeyConstraint(
            ["lead_unit_id"], ["unit.id"], name=op.f("fk_followup_item_lead_unit_id_unit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_followup_item")),
        sa.UniqueConstraint("prefix", "seq", name=op.f("uq_followup_item_prefix_seq")),
    )
    op.create_index(
        op.f("ix_followup_item_inspection_id"), "followup_item", ["inspection_id"], unique=False
    )
    op.create_index(
        op.f("ix_followup_item_lead_unit_id"), "followup_item", ["lead_unit_id"], unique=False
    )
    op.create_index(op.f("ix_followup_item_status"), "followup_item", ["status"], unique=False)
    op.create_table(
        "followup_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("at", storage.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("actor_person_id", sa.Integer(), nullable=True),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=True),
        sa.Column("key", sa.String(length=120), nullable=True),
        sa.ForeignKeyConstraint(
            ["document_id"], ["document.id"], name=op.f("fk_followup_event_document_id_document")
        ),
        sa.ForeignKeyConstraint(
            ["item_id"], ["followup_item.id"], name=op.f("fk_followup_event_item_id_followup_item")
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit.id"], name=op.f("fk_followup_event_unit_id_unit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_followup_event")),
        sa.UniqueConstraint("key", name=op.f("uq_followup_event_key")),
    )
    op.create_index(op.f("ix_followup_event_item_id"), "followup_event", ["item_id"], unique=False)
    op.create_table(
        "inspection_finding",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("inspection_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("employer", sa.String(length=200), nullable=False),
        sa.Column("problems", sa.Text(), nullable=False),
        sa.Column("legal_basis", sa.Text(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", storage.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["inspection_id"],
            ["inspection.id"],
            name=op.f("fk_inspection_finding_inspection_id_inspection"),
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["followup_item.id"],
            name=op.f("fk_inspection_finding_item_id_followup_item"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"], ["person.id"], name=op.f("fk_inspection_finding_recorded_by_person")
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit.id"], name=op.f("fk_inspection_finding_unit_id_unit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspection_finding")),
    )
    op.create_index(
        op.f("ix_inspection_finding_inspection_id"),
        "inspection_finding",
        ["inspection_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_inspection_finding_inspection_id"), table_name="inspection_finding")
    op.drop_table("inspection_finding")
    op.drop_index(op.f("ix_followup_event_item_id"), table_name="followup_event")
    op.drop_table("followup_event")
    op.drop_index(op.f("ix_followup_item_status"), table_name="followup_item")
    op.drop_index(op.f("ix_followup_item_lead_unit_id"), table_name="followup_item")
    op.drop_index(op.f("ix_followup_item_inspection_id"), table_name="followup_item")
    op.drop_table("followup_item")
    op.drop_index(op.f("ix_comment_reply_unit_id"), table_name="comment_reply")
    op.drop_index(op.f("ix_comment_reply_round_id"), table_name="comment_reply")
    op.drop_table("comment_reply")
    op.drop_table("inspection")
    op.drop_table("comment_round")
