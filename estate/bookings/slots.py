"""Time slots of a paid service, each with a capacity and the number of places booked."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from estate.bookings.models import ServiceItem, ServiceSlot
from estate.core.errors import NotFound, ValidationFailed


async def ensure_slots(
    session: AsyncSession,
    *,
    service_item_id: int,
    day: date,
    times: Sequence[time],
    capacity: int,
    tz: ZoneInfo,
) -> int:
    """Create the slots of a day that do not exist yet (idempotent); returns how many were created."""
    item = await session.get(ServiceItem, service_item_id)
    if item is None:
        raise NotFound("service_not_found")
    if capacity < 1:
        raise ValidationFailed("bad_capacity")
    existing = set(
        (
            await session.execute(
                select(ServiceSlot.start_at).where(ServiceSlot.service_item_id == service_item_id)
            )
        ).scalars()
    )
    created = 0
    for t in times:
        start = datetime.combine(day, t, tzinfo=tz)
        if start in existing:
            continue
        session.add(
            ServiceSlot(
                service_item_id=service_item_id,
                start_at=start,
                end_at=start + timedelta(minutes=item.duration_minutes),
                capacity=capacity,
                booked=0,
            )
        )
        created += 1
    await session.flush()
    return created


async def available_slots(
    session: AsyncSession, *, service_item_id: int, day: date, now: datetime, tz: ZoneInfo
) -> list[ServiceSlot]:
    """Future slots of that local day that still have room."""
    start = datetime.combine(day, time(0), tzinfo=tz)
    stmt = (
        select(ServiceSlot)
        .where(
            ServiceSlot.service_item_id == service_item_id,
            ServiceSlot.start_at >= max(start, now),
            ServiceSlot.start_at < start + timedelta(days=1),
            ServiceSlot.booked < ServiceSlot.capacity,
        )
        .order_by(ServiceSlot.start_at)
    )
    return list((await session.execute(stmt)).scalars())
