"""channels: DingTalk chat sessions and send log, Official Account followers and kept news

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

import storage.db

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "chat_session",
        sa.Column("sender_hash", sa.String(64), nullable=False),
        sa.Column("sealed_webhook", sa.Text(), nullable=False),
        sa.Column("expires_at", storage.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("sender_hash", name=op.f("pk_chat_session")),
    )
    op.create_table(
        "send_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("sender_hash", sa.String(64), nullable=False),
        sa.Column("day", sa.String(10), nullable=False),
        sa.Column("route", sa.String(12), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("outbox_id", sa.Integer(), nullable=True),
        sa.Column("sent_at", storage.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_send_log")),
    )
    op.create_index("ix_send_log_recipient_day", "send_log", ["channel", "sender_hash", "day"])
    op.create_index(op.f("ix_send_log_sent_at"), "send_log", ["sent_at"])
    op.create_table(
        "mp_follower",
        sa.Column("sender_hash", sa.String(64), nullable=False),
        sa.Column("last_message_at", storage.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("sent_since", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("sender_hash", name=op.f("pk_mp_follower")),
    )
    op.create_table(
        "mp_kept_news",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sender_hash", sa.String(64), nullable=False),
        sa.Column("sealed_text", sa.Text(), nullable=False),
        sa.Column("kept_at", storage.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mp_kept_news")),
    )
    op.create_index(op.f("ix_mp_kept_news_sender_hash"), "mp_kept_news", ["sender_hash"])


def downgrade() -> None:
    op.drop_index(op.f("ix_mp_kept_news_sender_hash"), table_name="mp_kept_news")
    op.drop_table("mp_kept_news")
    op.drop_table("mp_follower")
    op.drop_index(op.f("ix_send_log_sent_at"), table_name="send_log")
    op.drop_index("ix_send_log_recipient_day", table_name="send_log")
    op.drop_table("send_log")
    op.drop_table("chat_session")
