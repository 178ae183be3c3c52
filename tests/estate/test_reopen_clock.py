"""A reopened ticket gets a new SLA clock: it escalates only when the new deadlines pass, once per round."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from estate.tickets.escalation import apply_escalations
from estate.tickets.models import Escalation
from estate.tickets.progress import reopen_ticket, resolve_ticket
from estate.tickets.queries import get_ticket
from tests.support.factories import make_ticket, make_world


async def _escalations(ctx) -> list[tuple[int, str, int]]:
    async with ctx.sessions() as s:
        rows = await s.execute(
            select(Escalation.level, Escalation.reason, Escalation.round).order_by(Escalation.id)
        )
        return [tuple(r) for r in rows.all()]


async def _scan(ctx) -> list[Escalation]:
    async with ctx.sessions() as s, s.begin():
        return await apply_escalations(s, clock=ctx.clock, rules=ctx.rules)


async def test_a_reopen_escalates_only_when_the_new_deadline_passes(ctx):
    async with ctx.sessions() as s, s.begin():
        world = await make_world(s, at=ctx.clock.now())
    ticket = await make_ticket(ctx, world)
    # Nobody dispatched it for two days: the supervisor and then the deputy GM were told (round 0).
    ctx.clock.advance(days=2)
    await _scan(ctx)
    assert await _escalations(ctx) == [(1, "dispatch_breach", 0), (2, "resolve_breach", 0)]
    agent = world.staff["agent"].id
    async with ctx.sessions() as s, s.begin():
        await resolve_ticket(
            s, clock=ctx.clock, ticket_id=ticket.id, staff_id=agent, result="Fixed", rules=ctx.rules
        )
    ctx.clock.advance(hours=3)
    async with ctx.sessions() as s, s.begin():
        await reopen_ticket(s, clock=ctx.clock, ticket_id=ticket.id, reason="Still drips", rules=ctx.rules)
        reopened = await get_ticket(s, ticket.id)
        now = ctx.clock.now()
        assert reopened.dispatch_due == now + ctx.rules.repair_dispatch
        assert reopened.escalation_level == 0
    # The reopen itself escalates nothing: the new deadlines are ahead.
    assert await _scan(ctx) == []
    ctx.clock.advance(ctx.rules.repair_dispatch - timedelta(minutes=1))
    assert await _scan(ctx) == []
    ctx.clock.advance(minutes=2)
    assert [(e.level, e.reason, e.round) for e in await _scan(ctx)] == [(1, "dispatch_breach", 1)]
    assert await _scan(ctx) == []  # once per round
    ctx.clock.advance(ctx.rules.repair_resolve_grace)
    assert [(e.level, e.reason, e.round) for e in await _scan(ctx)] == [(2, "resolve_breach", 1)]
