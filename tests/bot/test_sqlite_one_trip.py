"""SQLite statements go to aiosqlite's thread in one trip (issue #15): what they return and store is the
same as with SQLAlchemy's own four-trip cursor (rows, inserted ids, counts of changed rows, errors, and
rows streamed by a server-side cursor)."""

from __future__ import annotations

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, insert, select, text, update
from sqlalchemy.exc import IntegrityError

from estate.core.db import _execute_in_one_trip, make_engine, make_sessionmaker, unit_of_work

NOTES = Table(
    "notes",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("body", String, nullable=False, unique=True),
)


@pytest.fixture
async def sessions(tmp_path):
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path}/one_trip.sqlite3")
    async with engine.begin() as conn:
        await conn.run_sync(NOTES.metadata.create_all)
    yield make_sessionmaker(engine)
    await engine.dispose()


def test_the_one_trip_cursor_is_installed():
    from sqlalchemy.dialects.sqlite.aiosqlite import AsyncAdapt_aiosqlite_cursor

    assert AsyncAdapt_aiosqlite_cursor.execute is _execute_in_one_trip


async def test_inserts_updates_and_reads_what_the_database_holds(sessions):
    async with unit_of_work(sessions) as s:
        first = await s.execute(insert(NOTES).values(body="first"))
        second = await s.execute(insert(NOTES).values(body="second"))
        assert first.inserted_primary_key == (1,)
        assert second.inserted_primary_key == (2,)
        changed = await s.execute(update(NOTES).where(NOTES.c.id > 0).values(body=NOTES.c.body + "!"))
        assert changed.rowcount == 2
        returned = await s.execute(
            update(NOTES).where(NOTES.c.id == 2).values(body="two").returning(NOTES.c.id, NOTES.c.body)
        )
        assert returned.all() == [(2, "two")]
    async with sessions() as s:
        rows = (await s.execute(select(NOTES.c.id, NOTES.c.body).order_by(NOTES.c.id))).all()
        assert rows == [(1, "first!"), (2, "two")]
        assert (
            await s.execute(text("SELECT count(*) FROM notes WHERE body = :b"), {"b": "two"})
        ).scalar_one() == 1
        assert (await s.execute(select(NOTES).where(NOTES.c.id == 99))).first() is None


async def test_an_error_is_raised_as_before_and_nothing_is_stored(sessions):
    with pytest.raises(IntegrityError):
        async with unit_of_work(sessions) as s:
            await s.execute(insert(NOTES).values(body="same"))
            await s.execute(insert(NOTES).values(body="same"))
    async with sessions() as s:
        assert (await s.execute(select(NOTES))).all() == []


async def test_a_server_side_cursor_still_streams_its_rows(sessions):
    async with unit_of_work(sessions) as s:
        await s.execute(insert(NOTES), [{"body": f"note {i}"} for i in range(25)])
    async with sessions() as s:
        streamed = await s.stream(select(NOTES.c.body).order_by(NOTES.c.id))
        bodies = [row.body async for row in streamed]
    assert bodies == [f"note {i}" for i in range(25)]
