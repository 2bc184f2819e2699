"""Multi-turn dialogue state, one row per user: kept in the database so that any web worker, and
a restarted one, can carry on the conversation."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.db import Base, UTCDateTime


class ConversationState(Base):
    __tablename__ = "conversation_state"
    user_key: Mapped[str] = mapped_column(String(128), primary_key=True)  # channel:user id
    flow: Mapped[str] = mapped_column(String(50))
    step: Mapped[str] = mapped_column(String(50))
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
