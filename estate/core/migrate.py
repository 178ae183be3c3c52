"""Alembic migrations, run from code: `desk init` and the test fixtures upgrade to head."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

MIGRATIONS = Path(__file__).parents[1] / "migrations"


def alembic_config(database_url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return cfg


def upgrade(database_url: str, revision: str = "head") -> None:
    """Create or upgrade the database schema (synchronous; call from a thread inside an event loop)."""
    command.upgrade(alembic_config(database_url), revision)
