"""The reports kept so far (collection and arrears): the latest ones, and one by its id."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from estate.reporting.models import Report


async def latest_reports(session: AsyncSession, *, limit: int = 60) -> list[Report]:
    """The most recently made reports, newest first."""
    stmt = select(Report).order_by(Report.id.desc()).limit(limit)
    return list((await session.execute(stmt)).scalars())


async def find_report(session: AsyncSession, report_id: int) -> Report | None:
    """One kept report, or None."""
    return await session.get(Report, report_id)
