"""What a resident may see of their own request (estate.tickets.resident_view), straight from the database."""

from __future__ import annotations

from datetime import timedelta

from estate.tickets.assignment import claim_ticket
from estate.tickets.escalation import escalate
from estate.tickets.messages import add_note, add_resident_message
from estate.tickets.models import Attachment, Ticket
from estate.tickets.resident_view import STAGES, resident_tickets, resident_view
from estate.tickets.timeline import record_event
from estate.tickets.urging import urge_ticket
from tests.support.factories import make_ticket, make_world


async def view_of(ctx, ticket_id: int):
    async with ctx.sessions() as s:
        ticket = await s.get(Ticket, ticket_id)
        return await resident_view(s, ticket=ticket, now=ctx.clock.now(), rules=ctx.rules)


async def test_internal_lines_are_left_out_and_repeats_collapse(ctx):
    async with ctx.sessions() as s, s.begin():
        world = await make_world(s, at=ctx.clock.now())
    ticket = await make_ticket(ctx, world)
    async with ctx.sessions() as s, s.begin():
        await claim_ticket(s, clock=ctx.clock, ticket_id=ticket.id, staff_id=world.staff["agent"].id)
        await add_note(
            s, clock=ctx.clock, ticket_id=ticket.id, staff_id=world.staff["agent"].id, text="internal"
        )
        row = await s.get(Ticket, ticket.id)
        for level in (1, 2):
            await escalate(s, row, at=ctx.clock.now(), level=level, reason="dispatch_breach")
        await record_event(s, row, at=ctx.clock.now(), kind="reclassified", text="plumbing -> electrical")
        for _ in range(3):
            await add_resident_message(
                s, clock=ctx.clock, ticket_id=ticket.id, resident_id=world.resident.id, text="Please hurry"
            )
    view = await view_of(ctx, ticket.id)
    assert [(line.label, line.text, line.count) for line in view.lines] == [
        ("Received", None, 1),
        ("Your message", "Please hurry", 3),
    ]
    assert view.stage == "handling" and STAGES[view.stage] == "Being handled"
    assert view.next_step == "dispatch" and view.due == ticket.dispatch_due


async def test_urge_allowed_once_per_interval_and_photos_listed(ctx):
    async with ctx.sessions() as s, s.begin():
        world = await make_world(s, at=ctx.clock.now())
        photo = Attachment(path="a.jpg", content_type="image/jpeg", size=3, created_at=ctx.clock.now())
        s.add(photo)
    ticket = await make_ticket(ctx, world, attachment_ids=[photo.id])
    assert (await view_of(ctx, ticket.id)).actions == ["message", "urge"]
    async with ctx.sessions() as s, s.begin():
        await urge_ticket(s, clock=ctx.clock, ticket_id=ticket.id, resident_id=world.resident.id)
    view = await view_of(ctx, ticket.id)
    assert view.actions == ["message"]
    assert view.urge_again_at == ctx.clock.now() + ctx.rules.urge_interval
    assert view.photos == [photo.id]
    ctx.clock.advance(ctx.rules.urge_interval + timedelta(seconds=1))
    assert (await view_of(ctx, ticket.id)).actions == ["message", "urge"]


async def test_the_list_puts_requests_under_way_first(ctx):
    async with ctx.sessions() as s, s.begin():
        world = await make_world(s, at=ctx.clock.now())
    first = await make_ticket(ctx, world, "Still open")
    ctx.clock.advance(minutes=1)
    done = await make_ticket(ctx, world, "Newer, closed")
    async with ctx.sessions() as s, s.begin():
        (await s.get(Ticket, done.id)).status = "closed"
    async with ctx.sessions() as s:
        rows = await resident_tickets(s, resident_id=world.resident.id)
    assert [r.id for r in rows] == [first.id, done.id]
