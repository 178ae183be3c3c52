"""Which estates a staff member hears of: their own estate, or every estate for staff of the whole company."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from estate.residents.models import Estate
from estate.staff.models import Staff


async def estate_ids_for(session: AsyncSession, staff: Staff) -> list[int]:
    """The staff member's estate, or all estates when they belong to none (head office, administrators)."""
    if staff.estate_id is not None:
        return [staff.estate_id]
    rows = await session.execute(select(Estate.id).order_by(Estate.id))
    return list(rows.scalars())
