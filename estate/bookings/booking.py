"""Taking and giving back a place: booking a slot at the confirmed price, and cancelling.

A slot's places are taken with one conditional UPDATE (`booked < capacity`), so concurrent bookings
can never overbook it.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from estate.bookings.messages import service_tz, tell_resident
from estate.bookings.models import Booking, BookingStatus, ServiceItem, ServiceSlot
from estate.core.clock import Clock
from estate.core.errors import Conflict, InvalidTransition, NotFound, ValidationFailed
from estate.core.rules import DEFAULT_RULES
from estate.staff.audit import audit
from estate.tickets.refs import next_ref

B = BookingStatus
ACTIVE = (B.REQUESTED, B.CONFIRMED, B.ASSIGNED)


async def book(
    session: AsyncSession,
    *,
    clock: Clock,
    slot_id: int,
    resident_id: int | None,
    unit_id: int,
    confirmed_price_cents: int,
    notes: str | None = None,
    channel_account_id: int | None = None,
) -> Booking:
    """Book one place in a slot at the price the resident confirmed; Conflict('slot_full') when it has no room."""
    now = clock.now()
    slot = await session.get(ServiceSlot, slot_id)
    if slot is None:
        raise NotFound("slot_not_found")
    item = await session.get(ServiceItem, slot.service_item_id)
    assert item is not None
    if not item.active:
        raise ValidationFailed("service_unavailable")
    if slot.start_at <= now:
        raise ValidationFailed("slot_in_past")
    if confirmed_price_cents != item.price_cents:
        raise ValidationFailed("price_changed", price=item.price_cents)
    taken = await session.execute(
        update(ServiceSlot)
        .where(ServiceSlot.id == slot_id, ServiceSlot.booked < ServiceSlot.capacity)
        .values(booked=ServiceSlot.booked + 1)
        .execution_options(synchronize_session=False)
    )
    if taken.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict("slot_full")
    booking = Booking(
        ref=await next_ref(session, kind="booking", at=now, tz=await service_tz(session, item)),
        service_item_id=item.id,
        slot_id=slot_id,
        resident_id=resident_id,
        unit_id=unit_id,
        channel_account_id=channel_account_id,
        price_cents=item.price_cents,
        status=B.REQUESTED,
        notes=(notes or "").strip() or None,
        created_at=now,
    )
    session.add(booking)
    await session.flush()
    await tell_resident(session, clock=clock, booking=booking, what=B.REQUESTED)
    return booking


async def locked_booking(session: AsyncSession, booking_id: int) -> Booking:
    """The booking, freshly read and locked for update on PostgreSQL; NotFound when there is none."""
    stmt = select(Booking).where(Booking.id == booking_id).execution_options(populate_existing=True)
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    booking = (await session.execute(stmt)).scalar_one_or_none()
    if booking is None:
        raise NotFound("booking_not_found")
    return booking


async def audit_booking(
    session: AsyncSession, *, clock: Clock, staff_id: int, booking: Booking, action: str, **detail: object
) -> None:
    """Write `booking.<action>` by that staff member on the booking to the audit log."""
    await audit(
        session,
        clock=clock,
        staff_id=staff_id,
        action=f"booking.{action}",
        target_type="booking",
        target_id=booking.ref,
        detail=detail or None,
    )


async def cancel_booking(
    session: AsyncSession,
    *,
    clock: Clock,
    booking_id: int,
    reason: str,
    by_resident: bool,
    cutoff: timedelta = DEFAULT_RULES.booking_cancel_cutoff,
    staff_id: int | None = None,
) -> Booking:
    """Cancel and free the place; a resident cannot cancel within `cutoff` of the start, staff can."""
    booking = await locked_booking(session, booking_id)
    if booking.status not in ACTIVE:
        raise InvalidTransition("bad_status", status=booking.status)
    now = clock.now()
    slot = await session.get(ServiceSlot, booking.slot_id)
    assert slot is not None
    if by_resident and slot.start_at - now < cutoff:
        raise ValidationFailed("too_late_to_cancel", hours=int(cutoff.total_seconds() // 3600))
    reason = (reason or "").strip()
    if not by_resident and not reason:
        raise ValidationFailed("reason_required")
    booking.status = B.CANCELLED
    booking.cancelled_at = now
    booking.cancel_reason = reason or None
    await session.execute(
        update(ServiceSlot)
        .where(ServiceSlot.id == slot.id, ServiceSlot.booked > 0)
        .values(booked=ServiceSlot.booked - 1)
    )
    if staff_id is not None:
        await audit_booking(
            session, clock=clock, staff_id=staff_id, booking=booking, action="cancel", reason=reason
        )
    if not by_resident:
        await tell_resident(session, clock=clock, booking=booking, what=B.CANCELLED, reason=reason)
    await session.flush()
    return booking
