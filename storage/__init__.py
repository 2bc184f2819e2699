"""Persistence: SQLAlchemy models (one module per area), sessions and Alembic migrations.

Importing this package registers every model on `Base.metadata`, which Alembic and tests rely on.
"""

from storage import (  # noqa: F401  (imported for their models)
    audit,
    calendar,
    channels,
    conversations,
    desk,
    documents,
    followup,
    guards,
    inbound,
    meetings,
    monitoring,
    outbox,
    referrals,
    reports,
    roster,
    sealing,
    tokens,
)
from storage.db import Base, UTCDateTime, make_engine, make_session_factory

__all__ = ["Base", "UTCDateTime", "make_engine", "make_session_factory"]
