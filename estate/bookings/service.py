"""Paid services (特约服务 / 有偿服务): the catalogue, time slots with capacity, and bookings.

A slot's places are taken with one conditional UPDATE (`booked < capacity`), so concurrent bookings
can never overbook it. A done booking adds one line to the unit's bill (unique per booking).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from estate.billing.models import Bill, BillLine
from estate.billing.money import fmt_yuan
from estate.billing.periods import due_date, local_date, period_of
from estate.bookings.models import Booking, BookingStatus, ServiceItem, ServiceSlot
from estate.core.clock import Clock
from estate.core.errors import Conflict, InvalidTransition, NotFound, ValidationFailed
from estate.core.rules import DEFAULT_RULES
from estate.messaging.outbox import enqueue_to_resident
from estate.residents.models import Estate, Unit
from estate.staff.audit import audit
from estate.staff.models import Role, Staff
from estate.tickets.refs import next_ref
from locales import N_, Translator

B = BookingStatus
ACTIVE = (B.REQUESTED, B.CONFIRMED, B.ASSIGNED)

MESSAGES: dict[str, str] = {
    B.REQUESTED: N_(
        "Your booking {ref} for {service} on {when} has been received ({price}). We will confirm it shortly."
    ),
    B.CONFIRMED: N_("Your booking {ref} for {service} on {when} is confirmed."),
    B.ASSIGNED: N_("A technician has been assigned to your booking {ref} for {service} on {when}."),
    B.DONE: N_("Your booking {ref} for {service} is done. {price} has been added to your bill. Thank you!"),
    B.CANCELLED: N_("Your booking {ref} for {service} on {when} has been cancelled. Reason: {reason}"),
}


async def list_services(
    session: AsyncSession, *, estate_id: int, active_only: bool = True
) -> list[ServiceItem]:
    """The paid-service catalogue of an estate."""
    stmt = select(ServiceItem).where(ServiceItem.estate_id == estate_id).order_by(ServiceItem.id)
    if active_only:
        stmt = stmt.where(ServiceItem.active.is_(True))
    return list((await session.execute(stmt)).scalars())


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


async def _tz_for(session: AsyncSession, item: ServiceItem) -> ZoneInfo:
    estate = await session.get(Estate, item.estate_id)
    return ZoneInfo(estate.timezone if estate else "Asia/Shanghai")


async def _notify(
    session: AsyncSession, *, clock: Clock, booking: Booking, what: str, reason: str = ""
) -> None:
    if booking.resident_id is None:
        return
    item = await session.get(ServiceItem, booking.service_item_id)
    slot = await session.get(ServiceSlot, booking.slot_id)
    assert item is not None and slot is not None
    tz = await _tz_for(session, item)

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
    tz = await _tz_for(session, item)
    booking = Booking(
        ref=await next_ref(session, kind="booking", at=now, tz=tz),
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
    await _notify(session, clock=clock, booking=booking, what=B.REQUESTED)
    return booking


async def _get(session: AsyncSession, booking_id: int) -> Booking:
    stmt = select(Booking).where(Booking.id == booking_id).execution_options(populate_existing=True)
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    booking = (await session.execute(stmt)).scalar_one_or_none()
    if booking is None:
        raise NotFound("booking_not_found")
    return booking


async def confirm_booking(session: AsyncSession, *, clock: Clock, booking_id: int, staff_id: int) -> Booking:
    """Staff confirm a requested booking."""
    booking = await _get(session, booking_id)
    if booking.status != B.REQUESTED:
        raise InvalidTransition("bad_status", status=booking.status)
    booking.status = B.CONFIRMED
    booking.confirmed_at = clock.now()
    await audit(
        session,
        clock=clock,
        staff_id=staff_id,
        action="booking.confirm",
        target_type="booking",
        target_id=booking.ref,
    )
    await _notify(session, clock=clock, booking=booking, what=B.CONFIRMED)
    return booking


async def assign_booking(
    session: AsyncSession, *, clock: Clock, booking_id: int, staff_id: int, technician_id: int
) -> Booking:
    """Give a booking to a technician (confirming it if needed)."""
    booking = await _get(session, booking_id)
    if booking.status not in (B.REQUESTED, B.CONFIRMED, B.ASSIGNED):
        raise InvalidTransition("bad_status", status=booking.status)
    tech = await session.get(Staff, technician_id)
    if tech is None or tech.role != Role.TECHNICIAN:
        raise ValidationFailed("bad_technician")
    booking.confirmed_at = booking.confirmed_at or clock.now()
    booking.technician_id = technician_id
    booking.status = B.ASSIGNED
    await audit(
        session,
        clock=clock,
        staff_id=staff_id,
        action="booking.assign",
        target_type="booking",
        target_id=booking.ref,
        detail={"technician_id": technician_id},
    )
    await _notify(session, clock=clock, booking=booking, what=B.ASSIGNED)
    return booking


async def complete_booking(session: AsyncSession, *, clock: Clock, booking_id: int, staff_id: int) -> Booking:
    """Mark the service done and add its price to the unit's bill of the current month, once."""
    booking = await _get(session, booking_id)
    if booking.status not in (B.CONFIRMED, B.ASSIGNED):
        raise InvalidTransition("bad_status", status=booking.status)
    now = clock.now()
    item = await session.get(ServiceItem, booking.service_item_id)
    unit = await session.get(Unit, booking.unit_id)
    assert item is not None and unit is not None
    estate = await session.get(Estate, unit.estate_id)
    assert estate is not None
    tz = ZoneInfo(estate.timezone)
    period = period_of(local_date(now, tz))
    bill = (
        await session.execute(select(Bill).where(Bill.unit_id == unit.id, Bill.period == period))
    ).scalar_one_or_none()
    if bill is None:
        bill = Bill(
            unit_id=unit.id,
            estate_id=unit.estate_id,
            period=period,
            amount_cents=0,
            paid_cents=0,
            due_date=due_date(period, estate.bill_due_day),
            issued_at=now,
        )
        session.add(bill)
        await session.flush()
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
    await audit(
        session,
        clock=clock,
        staff_id=staff_id,
        action="booking.done",
        target_type="booking",
        target_id=booking.ref,
    )
    await _notify(session, clock=clock, booking=booking, what=B.DONE)
    return booking


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
    booking = await _get(session, booking_id)
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
        await audit(
            session,
            clock=clock,
            staff_id=staff_id,
            action="booking.cancel",
            target_type="booking",
            target_id=booking.ref,
            detail={"reason": reason},
        )
    if not by_resident:
        await _notify(session, clock=clock, booking=booking, what=B.CANCELLED, reason=reason)
    await session.flush()
    return booking


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
