"""Platform access tokens shared by every process, so workers do not refetch and invalidate each
other's token (wechatpy keeps its expiry in process memory only)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.db import Base, UTCDateTime


class CachedToken(Base):
    __tablename__ = "cached_token"
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
