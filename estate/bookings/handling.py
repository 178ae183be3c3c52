"""Staff handling a booking: confirm it, give it to a technician, mark it done (which bills the unit once)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from estate.billing.bills import bill_of_month
from estate.billing.models import BillLine
from estate.billing.periods import local_date, period_of
from estate.bookings.booking import audit_booking, locked_booking
from estate.bookings.messages import tell_resident
from estate.bookings.models import Booking, BookingStatus, ServiceItem
from estate.core.clock import Clock
from estate.core.errors import InvalidTransition, ValidationFailed
from estate.residents.models import Estate, Unit
from estate.staff.models import Role, Staff

B = BookingStatus


async def confirm_booking(session: AsyncSession, *, clock: Clock, booking_id: int, staff_id: int) -> Booking:
    """Staff confirm a requested booking."""
    booking = await locked_booking(session, booking_id)
    if booking.status != B.REQUESTED:
        raise InvalidTransition("bad_status", status=booking.status)
    booking.status = B.CONFIRMED
    booking.confirmed_at = clock.now()
    await audit_booking(session, clock=clock, staff_id=staff_id, booking=booking, action="confirm")
    await tell_resident(session, clock=clock, booking=booking, what=B.CONFIRMED)
    return booking


async def assign_booking(
    session: AsyncSession, *, clock: Clock, booking_id: int, staff_id: int, technician_id: int
) -> Booking:
    """Give a booking to a technician (confirming it if needed)."""
    booking = await locked_booking(session, booking_id)
    if booking.status not in (B.REQUESTED, B.CONFIRMED, B.ASSIGNED):
        raise InvalidTransition("bad_status", status=booking.status)
    tech = await session.get(Staff, technician_id)
    if tech is None or tech.role != Role.TECHNICIAN:
        raise ValidationFailed("bad_technician")
    booking.confirmed_at = booking.confirmed_at or clock.now()
    booking.technician_id = technician_id
    booking.status = B.ASSIGNED
    await audit_booking(
        session, clock=clock, staff_id=staff_id, booking=booking, action="assign", technician_id=technician_id
    )
    await tell_resident(session, clock=clock, booking=booking, what=B.ASSIGNED)
    return booking


async def complete_booking(session: AsyncSession, *, clock: Clock, booking_id: int, staff_id: int) -> Booking:
    """Mark the service done and add its price to the unit's bill of the current month, once."""
    booking = await locked_booking(session, booking_id)
    if booking.status not in (B.CONFIRMED, B.ASSIGNED):
        raise InvalidTransition("bad_status", status=booking.status)
    now = clock.now()
    item = await session.get(ServiceItem, booking.service_item_id)
    unit = await session.get(Unit, booking.unit_id)
    assert item is not None and unit is not None
    estate = await session.get(Estate, unit.estate_id)
    assert estate is not None
    period = period_of(local_date(now, ZoneInfo(estate.timezone)))
    bill = await bill_of_month(session, unit=unit, estate=estate, period=period, now=now)
    session.add(
        BillLine(
            bill_id=bill.id,
            booking_id=booking.id,
            description=f"{item.name} {booking.ref}",
            amount_cents=booking.price_cents,
        )
    )
    bill.amount_cents += booking.price_cents
    bill.settled_at = None if bill.paid_cents < bill.amount_cents else bill.settled_at
    booking.status = B.DONE
    booking.done_at = now
    await session.flush()
    await audit_booking(session, clock=clock, staff_id=staff_id, booking=booking, action="done")
    await tell_resident(session, clock=clock, booking=booking, what=B.DONE)
    return booking
