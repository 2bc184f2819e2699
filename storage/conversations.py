"""Multi-turn dialogue state, one row per user: kept in the database so that any web worker, and
a restarted one, can carry on the conversation.

The state is sealed (Fernet, the deployment's key) because a 举报 in progress holds the employer,
the facts and the reporter's contact; the row's key is a keyed hash of the account, not the
account. What a database's old row versions (PostgreSQL dead tuples, WAL) keep of it is
ciphertext. The row is deleted when the dialogue ends.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import datetime
from typing import Any

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.db import Base, UTCDateTime
from storage.sealing import seal, unseal


class ConversationState(Base):
    __tablename__ = "conversation_state"
    user_key: Mapped[str] = mapped_column(String(128), primary_key=True)  # state_key()
    flow: Mapped[str] = mapped_column(String(50))
    step: Mapped[str] = mapped_column(String(50))
    sealed: Mapped[str] = mapped_column(Text, default="")  # the dialogue's data, sealed JSON
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


def state_key(key: bytes, channel: str, user_id: str) -> str:
    """The row's key: one per person, which cannot be turned back into the account."""
    message = f"dialogue\x00{channel}\x00{user_id}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def seal_state(key: bytes, data: dict[str, Any]) -> str:
    return seal(key, json.dumps(data, ensure_ascii=False, separators=(",", ":")))


def open_state(key: bytes, token: str) -> dict[str, Any]:
    """The dialogue's data; SealError if this key cannot open it."""
    return json.loads(unseal(key, token)) if token else {}
