"""The schema: migrations match the models, and the database keeps UTC instants exactly."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select

from estate.core.db import make_engine, make_sessionmaker
from estate.core.migrate import upgrade
from estate.schema import Base
from estate.staff.models import AuditLog
from estate.tickets.search import is_search_index
from tests.conftest import SHANGHAI


async def test_migrations_create_exactly_the_models(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path}/m.sqlite3"
    await asyncio.to_thread(upgrade, url)
    engine = make_engine(url)
    async with engine.connect() as conn:
        diff = await conn.run_sync(
            lambda sync: compare_metadata(
                MigrationContext.configure(sync, opts={"include_name": is_search_index}), Base.metadata
            )
        )
    await engine.dispose()
    assert diff == [], f"models and migrations differ: {diff}"


async def test_upgrade_twice_is_harmless(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path}/m.sqlite3"
    await asyncio.to_thread(upgrade, url)
    await asyncio.to_thread(upgrade, url)
    engine = make_engine(url)
    async with engine.connect() as conn:
        rows = await conn.exec_driver_sql("SELECT version_num FROM alembic_version")
        assert len(rows.all()) == 1
    await engine.dispose()


async def test_times_round_trip_as_utc(engine):
    sessions = make_sessionmaker(engine)
    at = datetime(2026, 11, 22, 23, 30, tzinfo=SHANGHAI)
    async with sessions() as s, s.begin():
        s.add(AuditLog(at=at, action="test"))
    async with sessions() as s:
        row = (await s.execute(select(AuditLog))).scalar_one()
    assert row.at == at
    assert row.at.tzinfo == UTC
    assert row.at.hour == 15
