"""Shared fixtures: a fresh database per test on SQLite, and on PostgreSQL when it is reachable.

`DESK_TEST_DATABASE_URL` names the PostgreSQL database; `DESK_REQUIRE_POSTGRES=1` (set by `.ci/run`)
turns a missing server into a failure instead of a skip.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import AsyncIterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import exc as sa_exc
from sqlalchemy import text

from estate.core.clock import FixedClock
from estate.core.context import Context
from estate.core.db import make_engine, make_sessionmaker
from estate.core.settings import Settings
from estate.schema import Base

warnings.filterwarnings("ignore", category=sa_exc.SAWarning, message=".*Decimal objects natively.*")

SHANGHAI = ZoneInfo("Asia/Shanghai")
PG_URL = os.environ.get("DESK_TEST_DATABASE_URL", "")
REQUIRE_PG = os.environ.get("DESK_REQUIRE_POSTGRES") == "1"
_pg_schema_ready = False


def pg_url() -> str:
    """The PostgreSQL URL for tests, or skip (fail under CI) when there is none."""
    if not PG_URL:
        if REQUIRE_PG:
            pytest.fail("DESK_REQUIRE_POSTGRES=1 but DESK_TEST_DATABASE_URL is not set")
        pytest.skip("PostgreSQL tests skipped: set DESK_TEST_DATABASE_URL to run them")
    url = PG_URL
    if url.startswith("postgresql://"):
        url = "postgresql+asyncpg://" + url.split("://", 1)[1]
    return url


async def _fresh_postgres(url: str):
    global _pg_schema_ready
    engine = make_engine(url, pool_size=25, max_overflow=10)
    try:
        async with engine.begin() as conn:
            if not _pg_schema_ready:
                await conn.run_sync(Base.metadata.drop_all)
                await conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
                await conn.run_sync(Base.metadata.create_all)
                _pg_schema_ready = True
            else:
                names = ", ".join(t.name for t in Base.metadata.sorted_tables)
                await conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    except OSError as exc:
        await engine.dispose()
        if REQUIRE_PG:
            pytest.fail(f"PostgreSQL at {url} is not reachable: {exc}")
        pytest.skip(f"PostgreSQL not reachable: {exc}")
    return engine


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def engine(request, tmp_path) -> AsyncIterator:
    """A migrated, empty database: SQLite always, PostgreSQL when configured."""
    if request.param == "sqlite":
        eng = make_engine(f"sqlite+aiosqlite:///{tmp_path}/test.sqlite3")
        async with eng.begin() as conn:
            await conn.run_sync(Base.metadata.create_all)
    else:
        eng = await _fresh_postgres(pg_url())
    yield eng
    await eng.dispose()


@pytest.fixture
async def sqlite_engine(tmp_path) -> AsyncIterator:
    """SQLite only, for tests that are about something other than the engine."""
    eng = make_engine(f"sqlite+aiosqlite:///{tmp_path}/test.sqlite3")
    async with eng.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    yield eng
    await eng.dispose()


@pytest.fixture
async def pg_engine() -> AsyncIterator:
    """PostgreSQL only (skipped on a laptop without it, required under CI)."""
    eng = await _fresh_postgres(pg_url())
    yield eng
    await eng.dispose()


@pytest.fixture
def sessions(engine):
    return make_sessionmaker(engine)


@pytest.fixture
def clock() -> FixedClock:
    """Sunday 22 November 2026, 10:00 in Beijing."""
    return FixedClock(datetime(2026, 11, 22, 10, 0, tzinfo=SHANGHAI))


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path}/unused.sqlite3",
        data_dir=tmp_path / "data",
        secret_key="test-secret-0123456789abcdef0123456789",
        demo_password="demo-pass-1",
    )


@pytest.fixture
def ctx(settings, engine, clock) -> Context:
    return Context(settings=settings, engine=engine, sessions=make_sessionmaker(engine), clock=clock)


from tests.support.browser import browser  # noqa: E402,F401  (fixture)


@pytest.fixture(scope="session", autouse=True)
def understanding_model():
    """Train (or read from the user's cache) the understanding model once per test run, not in a test."""
    from understanding import load_model

    return load_model()
