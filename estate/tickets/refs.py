"""Human reference numbers: BX-20261122-0042 for the 42nd repair of 22 Nov 2026 (local date)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from estate.core.base import Counter
from estate.core.db import insert_for

PREFIXES = {"repair": "BX", "complaint": "TS", "inquiry": "ZX", "suggestion": "JY", "booking": "FW"}


async def next_value(session: AsyncSession, name: str) -> int:
    """Advance the named counter atomically (an upsert-increment, safe under concurrency) and return it."""
    stmt = insert_for(session)(Counter).values(name=name, value=1)
    stmt = stmt.on_conflict_do_update(index_elements=["name"], set_={"value": Counter.value + 1})
    result = await session.execute(stmt.returning(Counter.value))
    value = result.scalar_one_or_none()
    if value is None:  # very old SQLite without RETURNING on upsert
        value = (await session.execute(select(Counter.value).where(Counter.name == name))).scalar_one()
    return int(value)


async def next_ref(session: AsyncSession, *, kind: str, at: datetime, tz: ZoneInfo) -> str:
    """The next reference number of that kind for the local day of `at`."""
    prefix = PREFIXES[kind]
    day = at.astimezone(tz).strftime("%Y%m%d")
    n = await next_value(session, f"ref:{prefix}:{day}")
    return f"{prefix}-{day}-{n:04d}"
