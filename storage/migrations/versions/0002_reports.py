"""reports domain tables: monthly reports, their versions, quarterly bulletins

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

import storage.db

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _sections() -> list[sa.Column]:
    return [
        sa.Column("work_dynamics", sa.Text(), nullable=False),
        sa.Column("main_activities", sa.Text(), nullable=False),
        sa.Column("major_progress", sa.Text(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "monthly_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        *_sections(),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("first_filed_at", storage.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("filed_at", storage.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("filed_by", sa.Integer(), nullable=False),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["filed_by"], ["person.id"], name=op.f("fk_monthly_report_filed_by_person")
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit.id"], name=op.f("fk_monthly_report_unit_id_unit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_monthly_report")),
        sa.UniqueConstraint("unit_id", "period", name=op.f("uq_monthly_report_unit_id_period")),
    )
    with op.batch_alter_table("monthly_report", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_monthly_report_period"), ["period"], unique=False)
        batch_op.create_index(batch_op.f("ix_monthly_report_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "report_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        *_sections(),
        sa.Column("filed_at", storage.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("filed_by", sa.Integer(), nullable=False),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["filed_by"], ["person.id"], name=op.f("fk_report_version_filed_by_person")
        ),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["monthly_report.id"],
            name=op.f("fk_report_version_report_id_monthly_report"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_version")),
        sa.UniqueConstraint(
            "report_id", "version", name=op.f("uq_report_version_report_id_version")
        ),
    )
    with op.batch_alter_table("report_version", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_report_version_report_id"), ["report_id"], unique=False
        )

    op.create_table(
        "bulletin",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("quarter", sa.String(length=6), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("created_at", storage.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("published_at", storage.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("published_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by"], ["person.id"], name=op.f("fk_bulletin_created_by_person")
        ),
        sa.ForeignKeyConstraint(
            ["document_id"], ["document.id"], name=op.f("fk_bulletin_document_id_document")
        ),
        sa.ForeignKeyConstraint(
            ["published_by"], ["person.id"], name=op.f("fk_bulletin_published_by_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bulletin")),
        sa.UniqueConstraint("quarter", name=op.f("uq_bulletin_quarter")),
        sa.UniqueConstraint("year", "number", name=op.f("uq_bulletin_year_number")),
    )


def downgrade() -> None:
    op.drop_table("bulletin")
    with op.batch_alter_table("report_version", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_report_version_report_id"))
    op.drop_table("report_version")
    with op.batch_alter_table("monthly_report", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_monthly_report_unit_id"))
        batch_op.drop_index(batch_op.f("ix_monthly_report_period"))
    op.drop_table("monthly_report")
