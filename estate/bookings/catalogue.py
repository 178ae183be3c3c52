"""The paid-service catalogue (特约服务 / 有偿服务) of an estate."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from estate.bookings.models import ServiceItem


async def list_services(
    session: AsyncSession, *, estate_id: int, active_only: bool = True
) -> list[ServiceItem]:
    """The paid-service catalogue of an estate."""
    stmt = select(ServiceItem).where(ServiceItem.estate_id == estate_id).order_by(ServiceItem.id)
    if active_only:
        stmt = stmt.where(ServiceItem.active.is_(True))
    return list((await session.execute(stmt)).scalars())
