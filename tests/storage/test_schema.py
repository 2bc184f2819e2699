"""The migrations build exactly the models, on each backend."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

import storage
from storage.db import make_engine
from storage.migrate import is_current


def test_migrations_match_the_models(database_url):
    engine = make_engine(database_url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), storage.Base.metadata)
    engine.dispose()
    assert diff == [], f"models and migrations differ: {diff}"


def test_database_is_at_head(database_url):
    engine = make_engine(database_url)
    assert is_current(engine)
    engine.dispose()
