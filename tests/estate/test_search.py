"""Searching tickets (issue #14): by reference, unit, resident name or phone, and words of the description or
messages, Chinese without spaces included; the index follows new tickets and messages; SLA-first order."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from estate.core.rules import DEFAULT_RULES
from estate.residents.models import Resident, Unit
from estate.tickets.create import create_ticket
from estate.tickets.messages import add_resident_message, add_staff_reply
from estate.tickets.models import Ticket
from estate.tickets.queue import QueueFilters, search_tickets
from estate.tickets.search import search_condition
from tests.support.factories import make_ticket, make_world


async def found(ctx, query: str) -> set[str]:
    async with ctx.sessions() as s:
        condition = search_condition(query, s.get_bind().dialect.name).condition
        return set((await s.execute(select(Ticket.description).where(condition))).scalars())


async def test_search_finds_by_every_thing_staff_remember(ctx):
    async with ctx.sessions() as s, s.begin():
        world = await make_world(s, at=ctx.clock.now())
        other_unit = Unit(
            estate_id=world.estate.id,
            building_id=world.building.id,
            code="3-1-502",
            floor=5,
            area_m2=Decimal("90.00"),
        )
        s.add(other_unit)
        await s.flush()
        s.add(
            Resident(
                unit_id=other_unit.id,
                name="李四",
                phone="13912345678",
                role="owner",
                created_at=ctx.clock.now(),
            )
        )
    leak = await make_ticket(ctx, world, "卫生间天花板漏水严重")
    await make_ticket(ctx, world, "Noise from the gym at night", kind="complaint", category_code="noise")
    async with ctx.sessions() as s, s.begin():
        li = (await s.execute(select(Resident).where(Resident.name == "李四"))).scalar_one()
        door = await create_ticket(
            s,
            clock=ctx.clock,
            estate_id=world.estate.id,
            kind="repair",
            category_code="door_window",
            description="防盗门锁坏了",
            resident_id=li.id,
        )

    assert await found(ctx, "漏水") == {"卫生间天花板漏水严重"}  # two characters: the LIKE fallback
    assert await found(ctx, "天花板漏水") == {"卫生间天花板漏水严重"}  # the trigram index
    assert await found(ctx, "GYM at") == {"Noise from the gym at night"}  # any case
    assert await found(ctx, leak.ref.lower()) == {"卫生间天花板漏水严重"}
    assert await found(ctx, "3-1-502") == {"防盗门锁坏了"}
    assert await found(ctx, "李四") == {"防盗门锁坏了"}
    assert await found(ctx, "139 1234 5678") == {"防盗门锁坏了"}
    assert await found(ctx, "5678") == {"防盗门锁坏了"}
    assert await found(ctx, "Zhang San") == {"卫生间天花板漏水严重", "Noise from the gym at night"}
    assert await found(ctx, "水管爆了") == set()
    assert await found(ctx, "100%") == set()  # LIKE's wildcards are plain characters here
    async with ctx.sessions() as s, s.begin():
        await add_resident_message(
            s, clock=ctx.clock, ticket_id=door.id, resident_id=li.id, text="锁芯是德国品牌的"
        )
        await add_staff_reply(
            s, clock=ctx.clock, ticket_id=leak.id, staff_id=world.staff["agent"].id, text="师傅下午两点上门"
        )
    assert await found(ctx, "德国品牌") == {"防盗门锁坏了"}  # words of a message, as soon as it is written
    assert await found(ctx, "两点上门") == {"卫生间天花板漏水严重"}


async def test_the_queue_puts_emergencies_and_overdue_work_first(ctx):
    async with ctx.sessions() as s, s.begin():
        world = await make_world(s, at=ctx.clock.now())
    start = ctx.clock.now()
    ctx.clock.set(start - timedelta(hours=3))
    late = await make_ticket(ctx, world, "Door lock broken", category_code="door_window")  # due 2 h ago
    ctx.clock.set(start - timedelta(minutes=5))
    inquiries = [
        await make_ticket(ctx, world, f"Question {i}", kind="inquiry", category_code="general")
        for i in range(3)
    ]
    fresh = await make_ticket(ctx, world, "Tap drips")  # due in 55 minutes
    ctx.clock.set(start)
    leak = await make_ticket(ctx, world, "Water everywhere", category_code="water_leak", urgency="urgent")
    async with ctx.sessions() as s:
        rows, more = await search_tickets(
            s,
            viewer=world.staff["agent"],
            filters=QueueFilters(),
            now=start,
            rules=DEFAULT_RULES,
            page_size=3,
        )
        second, _ = await search_tickets(
            s,
            viewer=world.staff["agent"],
            filters=QueueFilters(page=2),
            now=start,
            rules=DEFAULT_RULES,
            page_size=3,
        )
    assert [r.ticket.id for r in rows] == [
        leak.id,
        late.id,
        fresh.id,
    ] and more  # the emergency, then by deadline
    assert rows[1].badge == "breached"
    assert [r.ticket.id for r in second] == [t.id for t in inquiries]  # due in 24 hours, oldest first
