"""What a resident is told as their booking moves on: received, confirmed, assigned, done or cancelled."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from estate.billing.money import fmt_yuan
from estate.bookings.models import Booking, BookingStatus, ServiceItem, ServiceSlot
from estate.core.clock import Clock
from estate.messaging.outbox import enqueue_to_resident
from estate.residents.models import Estate
from locales import N_, Translator

B = BookingStatus
MESSAGES: dict[str, str] = {
    B.REQUESTED: N_(
        "Your booking {ref} for {service} on {when} has been received ({price}). We will confirm it shortly."
    ),
    B.CONFIRMED: N_("Your booking {ref} for {service} on {when} is confirmed."),
    B.ASSIGNED: N_("A technician has been assigned to your booking {ref} for {service} on {when}."),
    B.DONE: N_("Your booking {ref} for {service} is done. {price} has been added to your bill. Thank you!"),
    B.CANCELLED: N_("Your booking {ref} for {service} on {when} has been cancelled. Reason: {reason}"),
}


async def service_tz(session: AsyncSession, item: ServiceItem) -> ZoneInfo:
    """The time zone of the estate that offers the service."""
    estate = await session.get(Estate, item.estate_id)
    return ZoneInfo(estate.timezone if estate else "Asia/Shanghai")


async def tell_resident(
    session: AsyncSession, *, clock: Clock, booking: Booking, what: str, reason: str = ""
) -> None:
    """Queue the message for the booking's new status `what` to the resident who booked (if any)."""
    if booking.resident_id is None:
        return
    item = await session.get(ServiceItem, booking.service_item_id)
    slot = await session.get(ServiceSlot, booking.slot_id)
    assert item is not None and slot is not None
    tz = await service_tz(session, item)

    def text_for(locale: str | None) -> str:
        t = Translator(locale)
        name = item.name_en if t.locale == "en" and item.name_en else item.name
        return t(
            MESSAGES[what],
            ref=booking.ref,
            service=name,
            when=slot.start_at.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
            price=fmt_yuan(booking.price_cents),
            reason=reason,
        )

    await enqueue_to_resident(
        session,
        clock=clock,
        resident_id=booking.resident_id,
        key=f"booking:{booking.id}:{what}",
        text_for=text_for,
        kind="booking",
        payload={"booking_ref": booking.ref, "status": what},
        prefer_account_id=booking.channel_account_id,
    )
