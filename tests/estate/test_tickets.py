"""Tickets: references, deadlines, the status flow, the timeline and what the resident is told."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from estate.core.db import make_sessionmaker
from estate.core.errors import InvalidTransition, RateLimited, ValidationFailed
from estate.messaging.models import OutboundMessage
from estate.tickets.assignment import ClaimConflict, claim_ticket, dispatch_ticket
from estate.tickets.create import create_ticket
from estate.tickets.messages import ForbiddenPhraseError, add_note, add_resident_message, add_staff_reply
from estate.tickets.models import CallbackTask, Escalation, Ticket, TicketEvent
from estate.tickets.progress import close_ticket, reopen_ticket, resolve_ticket, start_work
from estate.tickets.queries import get_ticket, timeline
from estate.tickets.urging import urge_ticket
from tests.support.factories import make_world


async def _repair(s, clock, world, **kw):
    return await create_ticket(
        s,
        clock=clock,
        estate_id=world.estate.id,
        kind="repair",
        category_code=kw.pop("category_code", "plumbing"),
        description=kw.pop("description", "Kitchen tap drips"),
        resident_id=world.resident.id,
        channel_account_id=world.account.id,
        **kw,
    )


async def test_reference_numbers_count_per_kind_and_local_day(sessions, clock):
    async with sessions() as s, s.begin():
        world = await make_world(s, at=clock.now())
        a = await _repair(s, clock, world)
        b = await _repair(s, clock, world)
        c = await create_ticket(
            s,
            clock=clock,
            estate_id=world.estate.id,
            kind="complaint",
            category_code="noise",
            description="Loud music at night",
            resident_id=world.resident.id,
        )
    assert (a.ref, b.ref, c.ref) == ("BX-20261122-0001", "BX-20261122-0002", "TS-20261122-0001")
    assert a.unit_id == world.unit.id and a.building_id == world.building.id
    assert a.dispatch_due == clock.now() + timedelta(minutes=60)


async def test_references_stay_unique_when_created_concurrently(sessions, clock):
    async with sessions() as s, s.begin():
        world = await make_world(s, at=clock.now())

    async def one():
        async with sessions() as s, s.begin():
            return (await _repair(s, clock, world)).ref

    refs = await asyncio.gather(*(one() for _ in range(8)))
    assert len(set(refs)) == 8


async def test_gas_smell_is_urgent_with_a_15_minute_deadline(sessions, clock):
    async with sessions() as s, s.begin():
        world = await make_world(s, at=clock.now())
        t = await _repair(
            s, clock, world, category_code="gas_smell", description="Smell of gas on the stairs"
        )
    assert t.urgency == "urgent"
    assert t.dispatch_due - t.created_at == timedelta(minutes=15)


async def test_bad_input_is_refused(sessions, clock):
    async with sessions() as s, s.begin():
        world = await make_world(s, at=clock.now())
        with pytest.raises(ValidationFailed) as e:
            await _repair(s, clock, world, category_code="noise")
        assert e.value.code == "bad_category"
        with pytest.raises(ValidationFailed):
            await _repair(s, clock, world, description="   ")


async def test_full_flow_writes_the_timeline_and_tells_the_resident(sessions, clock):
    async with sessions() as s, s.begin():
        world = await make_world(s, at=clock.now())
        agent, tech = world.staff["agent"], world.staff["technician"]
        t = await _repair(s, clock, world)
        await claim_ticket(s, clock=clock, ticket_id=t.id, staff_id=agent.id)
        clock.advance(minutes=10)
        await dispatch_ticket(
            s, clock=clock, ticket_id=t.id, staff_id=agent.id, department="engineering", technician_id=tech.id
        )
        await start_work(s, clock=clock, ticket_id=t.id, staff_id=tech.id)
        await add_resident_message(
            s, clock=clock, ticket_id=t.id, resident_id=world.resident.id, text="I am home after 6pm"
        )
        await add_staff_reply(s, clock=clock, ticket_id=t.id, staff_id=agent.id, text="Noted, thank you.")
        await add_note(s, clock=clock, ticket_id=t.id, staff_id=agent.id, text="Bring a spare valve")
        await resolve_ticket(s, clock=clock, ticket_id=t.id, staff_id=tech.id, result="Replaced the valve.")
        events = [e.kind for e in await timeline(s, t.id)]
        callback = (await s.execute(select(CallbackTask).where(CallbackTask.ticket_id == t.id))).scalar_one()
        out = (await s.execute(select(OutboundMessage).order_by(OutboundMessage.id))).scalars().all()
    assert events == [
        "created",
        "claimed",
        "dispatched",
        "started",
        "message_in",
        "message_out",
        "note",
        "resolved",
    ]
    assert callback.due_at == clock.now() + timedelta(hours=24)
    texts = [m.text for m in out]
    assert len(out) == 5  # claimed, dispatched, in progress, the reply, resolved — never the internal note
    assert all(m.channel == "webchat" and m.channel_account_id == world.account.id for m in out)
    assert any("Bring a spare valve" in x for x in texts) is False
    assert "BX-20261122-0001" in texts[0] and "受理" in texts[0]  # zh_CN by default
    assert "工程部" in texts[1] or "工程" in texts[1]


async def test_status_messages_follow_the_residents_language(sessions, clock):
    async with sessions() as s, s.begin():
        world = await make_world(s, at=clock.now())
        world.account.locale = "en"
        t = await _repair(s, clock, world)
        await claim_ticket(s, clock=clock, ticket_id=t.id, staff_id=world.staff["agent"].id)
        msg = (await s.execute(select(OutboundMessage))).scalar_one()
    assert msg.text.startswith("Hello, your request BX-")


async def test_forbidden_phrase_in_a_reply_is_refused_and_nothing_is_sent(sessions, clock):
    async with sessions() as s, s.begin():
        world = await make_world(s, at=clock.now())
        t = await _repair(s, clock, world)
        with pytest.raises(ForbiddenPhraseError) as e:
            await add_staff_reply(
                s, clock=clock, ticket_id=t.id, staff_id=world.staff["agent"].id, text="急什么，等着吧"
            )
        assert e.value.matches[0].phrase == "急什么"
        assert (await s.execute(select(func.count()).select_from(OutboundMessage))).scalar_one() == 0


async def test_wrong_transitions_are_refused(sessions, clock):
    async with sessions() as s, s.begin():
        world = await make_world(s, at=clock.now())
        t = await _repair(s, clock, world)
        with pytest.raises(InvalidTransition):
            await close_ticket(s, clock=clock, ticket_id=t.id, staff_id=world.staff["agent"].id)
        with pytest.raises(InvalidTransition):
            await reopen_ticket(s, clock=clock, ticket_id=t.id, reason="x")
        with pytest.raises(InvalidTransition):
            await start_work(s, clock=clock, ticket_id=t.id, staff_id=world.staff["agent"].id)


async def test_reopen_and_close(sessions, clock):
    async with sessions() as s, s.begin():
        world = await make_world(s, at=clock.now())
        agent = world.staff["agent"]
        t = await _repair(s, clock, world)
        await resolve_ticket(s, clock=clock, ticket_id=t.id, staff_id=agent.id, result="Fixed")
        await reopen_ticket(
            s, clock=clock, ticket_id=t.id, reason="Still dripping", resident_id=world.resident.id
        )
        assert t.status in ("new", "claimed") and t.reopen_count == 1
        await resolve_ticket(s, clock=clock, ticket_id=t.id, staff_id=agent.id, result="Fixed properly")
        await close_ticket(s, clock=clock, ticket_id=t.id, staff_id=agent.id)
        rounds = (
            await s.execute(select(CallbackTask.round, CallbackTask.status).order_by(CallbackTask.round))
        ).all()
    assert t.status == "closed"
    assert rounds == [(1, "done"), (2, "pending")]


async def test_urging_is_rate_limited(sessions, clock):
    async with sessions() as s, s.begin():
        world = await make_world(s, at=clock.now())
        t = await _repair(s, clock, world)
        await urge_ticket(s, clock=clock, ticket_id=t.id, resident_id=world.resident.id)
        clock.advance(minutes=5)
        with pytest.raises(RateLimited):
            await urge_ticket(s, clock=clock, ticket_id=t.id, resident_id=world.resident.id)
        clock.advance(minutes=30)
        await urge_ticket(s, clock=clock, ticket_id=t.id, resident_id=world.resident.id)
        n = (
            await s.execute(select(func.count()).select_from(TicketEvent).where(TicketEvent.kind == "urged"))
        ).scalar_one()
    assert n == 2


async def test_major_complaint_goes_to_the_supervisor_at_once(sessions, clock):
    async with sessions() as s, s.begin():
        world = await make_world(s, at=clock.now())
        t = await create_ticket(
            s,
            clock=clock,
            estate_id=world.estate.id,
            kind="complaint",
            category_code="security",
            description="Break-in in the garage",
            resident_id=world.resident.id,
            major=True,
        )
        esc = (await s.execute(select(Escalation))).scalar_one()
    assert (esc.ticket_id, esc.level, esc.to_role, esc.reason) == (t.id, 1, "supervisor", "major")
    assert t.escalation_level == 1


async def _claim_race(engine, clock):
    sessions = make_sessionmaker(engine)
    async with sessions() as s, s.begin():
        world = await make_world(s, at=clock.now())
        ticket = await _repair(s, clock, world)
    staff = [world.staff["agent"], world.staff["agent2"], world.staff["supervisor"]]

    async def claim(member):
        async with sessions() as s, s.begin():
            try:
                await claim_ticket(s, clock=clock, ticket_id=ticket.id, staff_id=member.id)
                return ("won", member.id)
            except ClaimConflict as exc:
                return ("lost", exc.winner.id if exc.winner else None)

    outcomes = await asyncio.gather(*(claim(m) for m in staff))
    async with sessions() as s:
        stored = await get_ticket(s, ticket.id)
        claims = (
            await s.execute(
                select(func.count()).select_from(TicketEvent).where(TicketEvent.kind == "claimed")
            )
        ).scalar_one()
    return outcomes, stored, claims


async def test_two_claims_race_and_exactly_one_wins(engine, clock):
    """Runs on SQLite and on PostgreSQL (the `engine` fixture has both)."""
    outcomes, stored, claims = await _claim_race(engine, clock)
    winners = [who for result, who in outcomes if result == "won"]
    assert len(winners) == 1
    assert all(
        who == winners[0] for result, who in outcomes if result == "lost"
    )  # the losers are told who won
    assert stored.assignee_id == winners[0] and stored.status == "claimed"
    assert claims == 1


async def test_claim_race_on_postgresql(pg_engine, clock):
    outcomes, stored, _ = await _claim_race(pg_engine, clock)
    assert [r for r, _ in outcomes].count("won") == 1
    assert isinstance(stored, Ticket)
