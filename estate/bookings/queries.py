"""Lists of bookings with their service and slot: a resident's, and an estate's for one day."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from estate.bookings.booking import ACTIVE
from estate.bookings.models import Booking, ServiceItem, ServiceSlot


async def bookings_for_resident(
    session: AsyncSession, *, resident_id: int, now: datetime | None = None, include_past: bool = False
) -> list[tuple[Booking, ServiceItem, ServiceSlot]]:
    """A resident's bookings with their service and slot, soonest first."""
    stmt = (
        select(Booking, ServiceItem, ServiceSlot)
        .join(ServiceItem, ServiceItem.id == Booking.service_item_id)
        .join(ServiceSlot, ServiceSlot.id == Booking.slot_id)
        .where(Booking.resident_id == resident_id)
        .order_by(ServiceSlot.start_at)
    )
    if not include_past:
        stmt = stmt.where(Booking.status.in_(list(ACTIVE)))
        if now is not None:
            stmt = stmt.where(ServiceSlot.start_at > now)
    return [(b, i, s) for b, i, s in (await session.execute(stmt)).all()]


async def bookings_for_day(
    session: AsyncSession, *, estate_id: int, day: date, tz: ZoneInfo
) -> list[tuple[Booking, ServiceItem, ServiceSlot]]:
    """All bookings whose slot starts on that local day (for the console's day view)."""
    start = datetime.combine(day, time(0), tzinfo=tz)
    stmt = (
        select(Booking, ServiceItem, ServiceSlot)
        .join(ServiceItem, ServiceItem.id == Booking.service_item_id)
        .join(ServiceSlot, ServiceSlot.id == Booking.slot_id)
        .where(
            ServiceItem.estate_id == estate_id,
            ServiceSlot.start_at >= start,
            ServiceSlot.start_at < start + timedelta(days=1),
        )
        .order_by(ServiceSlot.start_at, Booking.id)
    )
    return [(b, i, s) for b, i, s in (await session.execute(stmt)).all()]
