"""The bookings' scheduled job: reminding residents the evening before of tomorrow's bookings, "tomorrow"
being the estate's (`Estate.timezone`).

Listed with every other area's jobs by `estate.jobs`; the machinery is `estate.core.jobs`.
"""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from estate.billing.periods import local_date
from estate.bookings.models import Booking, BookingStatus, ServiceItem, ServiceSlot
from estate.core.clock import Clock
from estate.core.context import Context
from estate.core.db import unit_of_work
from estate.core.jobs import Job
from estate.messaging import outbox
from estate.residents.models import Estate
from locales import N_, Translator

BOOKING_REMINDER = N_(
    "Reminder: your booking {ref} for {service} is tomorrow at {when}. Reply to this chat if you need to change it."
)
ACTIVE = [BookingStatus.REQUESTED, BookingStatus.CONFIRMED, BookingStatus.ASSIGNED]


def _reminder(booking: Booking, item: ServiceItem, slot: ServiceSlot, tz: ZoneInfo):
    """The reminder's text in a resident's language."""

    def text_for(locale: str | None) -> str:
        t = Translator(locale)
        name = item.name_en if t.locale == "en" and item.name_en else item.name
        return t(
            BOOKING_REMINDER,
            ref=booking.ref,
            service=name,
            when=slot.start_at.astimezone(tz).strftime("%H:%M"),
        )

    return text_for


async def booking_reminders(ctx: Context, clock: Clock) -> str:
    queued = 0
    now = clock.now()
    async with unit_of_work(ctx.sessions) as s:
        rows = await s.execute(
            select(Booking, ServiceItem, ServiceSlot)
            .join(ServiceItem, ServiceItem.id == Booking.service_item_id)
            .join(ServiceSlot, ServiceSlot.id == Booking.slot_id)
            .where(
                Booking.status.in_(ACTIVE),
                ServiceSlot.start_at > now,
                ServiceSlot.start_at <= now + timedelta(hours=36),
                Booking.resident_id.is_not(None),
            )
        )
        estates = {e.id: e for e in (await s.execute(select(Estate))).scalars()}
        for booking, item, slot in rows.all():
            estate = estates.get(item.estate_id)
            tz = ctx.tz_for(estate)
            if slot.start_at.astimezone(tz).date() != local_date(now, tz) + timedelta(days=1):
                continue
            queued += await outbox.enqueue_to_resident(
                s,
                clock=clock,
                resident_id=booking.resident_id,
                key=f"booking:{booking.id}:reminder",
                text_for=_reminder(booking, item, slot, tz),
                kind="reminder",
                quiet=ctx.quiet_for(estate),
                prefer_account_id=booking.channel_account_id,
            )
    return f"{queued} booking reminder(s) queued"


JOBS = (
    Job(
        "booking_reminders",
        "Remind residents of tomorrow's bookings (daily, 18:00)",
        {"trigger": "cron", "hour": 18, "minute": 0},
        booking_reminders,
    ),
)
