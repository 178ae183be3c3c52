"""Paid services: slots with capacity, the booking lifecycle and its bill line."""

from __future__ import annotations

import asyncio
from datetime import date, time, timedelta

import pytest
from sqlalchemy import func, select

from estate.billing.models import Bill, BillLine
from estate.bookings.booking import book, cancel_booking
from estate.bookings.catalogue import list_services
from estate.bookings.handling import assign_booking, complete_booking, confirm_booking
from estate.bookings.models import Booking, ServiceItem, ServiceSlot
from estate.bookings.queries import bookings_for_resident
from estate.bookings.slots import available_slots, ensure_slots
from estate.core.db import make_sessionmaker
from estate.core.errors import Conflict, InvalidTransition, ValidationFailed
from estate.messaging.models import OutboundMessage
from tests.conftest import SHANGHAI
from tests.support.factories import make_world


async def _catalogue(s, world, capacity=3):
    item = ServiceItem(
        estate_id=world.estate.id,
        code="cleaning",
        name="Home cleaning",
        name_en="Home cleaning",
        price_cents=12000,
        price_unit="time",
        duration_minutes=120,
    )
    s.add(item)
    await s.flush()
    await ensure_slots(
        s,
        service_item_id=item.id,
        day=date(2026, 11, 23),
        times=[time(9), time(14)],
        capacity=capacity,
        tz=SHANGHAI,
    )
    slot = (await s.execute(select(ServiceSlot).order_by(ServiceSlot.start_at))).scalars().first()
    return item, slot


async def test_slots_are_idempotent_and_listed_with_room(sessions, clock):
    async with sessions() as s, s.begin():
        world = await make_world(s, at=clock.now())
        item, _ = await _catalogue(s, world)
        again = await ensure_slots(
            s,
            service_item_id=item.id,
            day=date(2026, 11, 23),
            times=[time(9), time(14)],
            capacity=3,
            tz=SHANGHAI,
        )
        slots = await available_slots(
            s, service_item_id=item.id, day=date(2026, 11, 23), now=clock.now(), tz=SHANGHAI
        )
        services = await list_services(s, estate_id=world.estate.id)
    assert again == 0 and [sl.start_at.astimezone(SHANGHAI).hour for sl in slots] == [9, 14]
    assert [sv.code for sv in services] == ["cleaning"]


async def _race(engine, clock):
    sessions = make_sessionmaker(engine)
    async with sessions() as s, s.begin():
        world = await make_world(s, at=clock.now())
        item, slot = await _catalogue(s, world, capacity=3)

    async def attempt():
        async with sessions() as s, s.begin():
            try:
                await book(
                    s,
                    clock=clock,
                    slot_id=slot.id,
                    resident_id=world.resident.id,
                    unit_id=world.unit.id,
                    confirmed_price_cents=12000,
                )
                return "ok"
            except Conflict as exc:
                return exc.code

    results = await asyncio.gather(*(attempt() for _ in range(20)))
    async with sessions() as s:
        stored = await s.get(ServiceSlot, slot.id)
        bookings = (await s.execute(select(func.count()).select_from(Booking))).scalar_one()
    return results, stored, bookings


async def test_twenty_concurrent_bookings_for_three_places(engine, clock):
    """On SQLite and on PostgreSQL: exactly 3 succeed, 17 are told the slot is full."""
    results, stored, bookings = await _race(engine, clock)
    assert results.count("ok") == 3
    assert results.count("slot_full") == 17
    assert stored.booked == 3 and bookings == 3


async def test_lifecycle_adds_one_bill_line_and_tells_the_resident(sessions, clock):
    async with sessions() as s, s.begin():
        world = await make_world(s, at=clock.now())
        item, slot = await _catalogue(s, world)
        b = await book(
            s,
            clock=clock,
            slot_id=slot.id,
            resident_id=world.resident.id,
            unit_id=world.unit.id,
            confirmed_price_cents=12000,
            notes="Please bring a ladder",
        )
        assert b.ref.startswith("FW-20261122-")
        await confirm_booking(s, clock=clock, booking_id=b.id, staff_id=world.staff["agent"].id)
        await assign_booking(
            s,
            clock=clock,
            booking_id=b.id,
            staff_id=world.staff["agent"].id,
            technician_id=world.staff["technician"].id,
        )
        await complete_booking(s, clock=clock, booking_id=b.id, staff_id=world.staff["agent"].id)
        with pytest.raises(InvalidTransition):
            await complete_booking(s, clock=clock, booking_id=b.id, staff_id=world.staff["agent"].id)
        bill = (await s.execute(select(Bill))).scalar_one()
        lines = (await s.execute(select(BillLine))).scalars().all()
        sent = (await s.execute(select(OutboundMessage.text).order_by(OutboundMessage.id))).scalars().all()
    assert bill.period == "2026-11" and bill.amount_cents == 12000
    assert [(ln.booking_id, ln.amount_cents) for ln in lines] == [(b.id, 12000)]
    assert len(sent) == 4 and b.ref in sent[0] and "¥120.00" in sent[-1]


async def test_price_must_match_and_past_slots_are_refused(sessions, clock):
    async with sessions() as s, s.begin():
        world = await make_world(s, at=clock.now())
        item, slot = await _catalogue(s, world)
        with pytest.raises(ValidationFailed) as e:
            await book(
                s,
                clock=clock,
                slot_id=slot.id,
                resident_id=world.resident.id,
                unit_id=world.unit.id,
                confirmed_price_cents=10000,
            )
        assert e.value.code == "price_changed"
        clock.advance(days=2)
        with pytest.raises(ValidationFailed) as e:
            await book(
                s,
                clock=clock,
                slot_id=slot.id,
                resident_id=world.resident.id,
                unit_id=world.unit.id,
                confirmed_price_cents=12000,
            )
        assert e.value.code == "slot_in_past"


async def test_cancellation_cut_off_for_residents_and_reason_for_staff(sessions, clock):
    async with sessions() as s, s.begin():
        world = await make_world(s, at=clock.now())
        item, slot = await _catalogue(s, world, capacity=1)
        b = await book(
            s,
            clock=clock,
            slot_id=slot.id,
            resident_id=world.resident.id,
            unit_id=world.unit.id,
            confirmed_price_cents=12000,
        )
        clock.set(slot.start_at - timedelta(hours=1))
        with pytest.raises(ValidationFailed) as e:
            await cancel_booking(
                s, clock=clock, booking_id=b.id, reason="", by_resident=True, cutoff=timedelta(hours=2)
            )
        assert e.value.code == "too_late_to_cancel"
        await cancel_booking(
            s,
            clock=clock,
            booking_id=b.id,
            reason="Technician ill",
            by_resident=False,
            staff_id=world.staff["agent"].id,
        )
        stored = await s.get(ServiceSlot, slot.id)
        msg = (await s.execute(select(OutboundMessage).order_by(OutboundMessage.id.desc()))).scalars().first()
        mine = await bookings_for_resident(s, resident_id=world.resident.id)
    assert stored.booked == 0
    assert "Technician ill" in msg.text
    assert mine == []
