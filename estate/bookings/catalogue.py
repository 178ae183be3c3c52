"""The paid-service catalogue (特约服务 / 有偿服务) of an estate: listing it and changing a service."""

from __future__ import annotations

from datetime import date, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from estate.billing.money import yuan_to_cents
from estate.bookings.models import ServiceItem
from estate.bookings.slots import ensure_slots
from estate.core.errors import NotFound


async def list_services(
    session: AsyncSession, *, estate_id: int, active_only: bool = True
) -> list[ServiceItem]:
    """The paid-service catalogue of an estate."""
    stmt = select(ServiceItem).where(ServiceItem.estate_id == estate_id).order_by(ServiceItem.id)
    if active_only:
        stmt = stmt.where(ServiceItem.active.is_(True))
    return list((await session.execute(stmt)).scalars())


OPENING_TIMES = (time(9), time(11), time(14), time(16))
OPENING_DAYS = 14


async def update_service(
    session: AsyncSession,
    *,
    item_id: int,
    price_yuan: str,
    duration_minutes: int,
    active: bool,
    capacity: int,
    today: date,
    tz: ZoneInfo,
) -> ServiceItem:
    """Set a service's price, length (15 minutes at least) and whether it is offered; a `capacity` above
    zero opens the next two weeks' slots at that capacity (slots that exist keep theirs)."""
    item = await session.get(ServiceItem, item_id)
    if item is None:
        raise NotFound("service_not_found")
    item.price_cents = yuan_to_cents(price_yuan)
    item.duration_minutes = max(15, duration_minutes)
    item.active = active
    if capacity > 0:
        for d in range(OPENING_DAYS):
            await ensure_slots(
                session,
                service_item_id=item.id,
                day=today + timedelta(days=d),
                times=OPENING_TIMES,
                capacity=capacity,
                tz=tz,
            )
    return item
