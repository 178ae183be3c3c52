"""Escalation along agent -> supervisor -> deputy GM, each applied once."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from sqlalchemy import func, select

from estate.tickets.assignment import dispatch_ticket
from estate.tickets.create import create_ticket
from estate.tickets.escalation import apply_escalations, due_escalations
from estate.tickets.models import Escalation, TicketEvent
from tests.conftest import SHANGHAI
from tests.support.factories import make_world


async def test_breaches_escalate_once_each_level(sessions, clock):
    async with sessions() as s, s.begin():
        world = await make_world(s, at=clock.now())
        repair = await create_ticket(
            s,
            clock=clock,
            estate_id=world.estate.id,
            kind="repair",
            category_code="plumbing",
            description="Drain blocked",
            resident_id=world.resident.id,
        )
        clock.set(datetime(2026, 11, 22, 21, 0, tzinfo=SHANGHAI))
        complaint = await create_ticket(
            s,
            clock=clock,
            estate_id=world.estate.id,
            kind="complaint",
            category_code="noise",
            description="Noise",
            resident_id=world.resident.id,
        )
    clock.set(datetime(2026, 11, 22, 10, 59, tzinfo=SHANGHAI))
    async with sessions() as s, s.begin():
        assert await due_escalations(s, now=clock.now()) == []
    clock.set(datetime(2026, 11, 22, 11, 1, tzinfo=SHANGHAI))  # repair's hour is over
    async with sessions() as s, s.begin():
        first = await apply_escalations(s, clock=clock)
    assert [(e.ticket_id, e.level, e.to_role) for e in first] == [(repair.id, 1, "supervisor")]
    async with sessions() as s, s.begin():
        assert await apply_escalations(s, clock=clock) == []  # running again applies nothing
    clock.set(datetime(2026, 11, 23, 0, 1, tzinfo=SHANGHAI))  # the complaint's day is over
    async with sessions() as s, s.begin():
        second = await apply_escalations(s, clock=clock)
    assert {(e.ticket_id, e.level, e.reason) for e in second} == {
        (complaint.id, 1, "dispatch_breach"),
        (complaint.id, 2, "resolve_breach"),
    }
    clock.set(datetime(2026, 11, 23, 11, 30, tzinfo=SHANGHAI))  # the repair is still open a day later
    async with sessions() as s, s.begin():
        third = await apply_escalations(s, clock=clock)
        events = (
            await s.execute(
                select(func.count()).select_from(TicketEvent).where(TicketEvent.kind == "escalated")
            )
        ).scalar_one()
    assert [(e.ticket_id, e.level, e.to_role) for e in third] == [(repair.id, 2, "deputy")]
    assert events == 4


async def test_dispatched_in_time_is_not_escalated(sessions, clock):
    async with sessions() as s, s.begin():
        world = await make_world(s, at=clock.now())
        t = await create_ticket(
            s,
            clock=clock,
            estate_id=world.estate.id,
            kind="repair",
            category_code="water_leak",
            description="Leak",
            resident_id=world.resident.id,
        )
        clock.advance(minutes=10)
        await dispatch_ticket(
            s, clock=clock, ticket_id=t.id, staff_id=world.staff["agent"].id, department="engineering"
        )
    clock.advance(minutes=30)
    async with sessions() as s, s.begin():
        assert await apply_escalations(s, clock=clock) == []


async def test_concurrent_scans_record_each_escalation_once(sessions, clock):
    async with sessions() as s, s.begin():
        world = await make_world(s, at=clock.now())
        for _ in range(5):
            await create_ticket(
                s,
                clock=clock,
                estate_id=world.estate.id,
                kind="repair",
                category_code="plumbing",
                description="x",
                resident_id=world.resident.id,
            )
    clock.advance(timedelta(hours=2))

    async def scan():
        async with sessions() as s, s.begin():
            return len(await apply_escalations(s, clock=clock))

    counts = await asyncio.gather(scan(), scan(), scan())
    async with sessions() as s:
        stored = (await s.execute(select(func.count()).select_from(Escalation))).scalar_one()
    assert stored == 5
    assert sum(counts) == 5
