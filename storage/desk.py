"""One-time sign-in links for the office's desk (办公室后台).

`后台` in chat issues a random token; only its SHA-256 is stored, with the person, the channel the
request came from and an expiry. Redeeming it is one conditional UPDATE (unused and unexpired), so
a link works once even when two requests race for it.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import ForeignKey, Integer, String, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from storage.db import Base, UTCDateTime

LINK_TTL = timedelta(minutes=10)


class DeskToken(Base):
    __tablename__ = "desk_token"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    channel: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue(session: Session, person_id: int, channel: str, now: datetime) -> str:
    """A new sign-in token for `person_id`; the raw token goes into the link only."""
    token = secrets.token_urlsafe(32)
    session.add(
        DeskToken(
            token_hash=_digest(token),
            person_id=person_id,
            channel=channel,
            created_at=now,
            expires_at=now + LINK_TTL,
        )
    )
    session.flush()
    return token


def redeem(session: Session, token: str, now: datetime) -> DeskToken | None:
    """Mark the token used and return it, or None if unknown, used or expired."""
    digest = _digest(token)
    done = session.execute(
        update(DeskToken)
        .where(
            DeskToken.token_hash == digest,
            DeskToken.used_at.is_(None),
            DeskToken.expires_at > now,
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:
        return None
    return session.scalars(select(DeskToken).where(DeskToken.token_hash == digest)).one()
