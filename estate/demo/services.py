"""The demo's paid services: the catalogue, and bookable slots topped up for the next two weeks."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from estate.billing.money import yuan_to_cents
from estate.billing.periods import local_date
from estate.bookings.models import ServiceItem
from estate.bookings.slots import ensure_slots

DAYS_AHEAD = 15  # today and the next 14 days


async def seed_services(s: AsyncSession, data: dict, *, estate_id: int) -> None:
    """The paid-service catalogue."""
    for sv in data["services"]:
        s.add(
            ServiceItem(
                estate_id=estate_id,
                code=sv["code"],
                name=sv["name"],
                name_en=sv["name_en"],
                price_cents=yuan_to_cents(sv["price"]),
                price_unit=sv["price_unit"],
                duration_minutes=sv["duration"],
                department=sv["department"],
            )
        )
    await s.flush()


async def top_up_slots(s: AsyncSession, data: dict, *, estate_id: int, now: datetime, tz: ZoneInfo) -> None:
    """Slots at the demo's times for every service, from today for `DAYS_AHEAD` days (existing ones kept)."""
    today = local_date(now, tz)
    times = [time.fromisoformat(t) for t in data["estate"]["slot_times"]]
    capacities = {sv["code"]: sv["capacity"] for sv in data["services"]}
    for item in (await s.execute(select(ServiceItem).where(ServiceItem.estate_id == estate_id))).scalars():
        for d in range(DAYS_AHEAD):
            await ensure_slots(
                s,
                service_item_id=item.id,
                day=today + timedelta(days=d),
                times=times,
                capacity=capacities.get(item.code, 2),
                tz=tz,
            )
