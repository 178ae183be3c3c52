"""The demo's tickets, one per entry of demo.toml, each taken through the real services as far as its
`fate` says: new, claimed, dispatched, in_progress, resolved, reopened (a low survey answer) or closed."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from estate.core.clock import FixedClock
from estate.core.context import Context
from estate.core.db import unit_of_work
from estate.core.rules import ServiceRules
from estate.demo.data import SEED
from estate.demo.homes import CHATTING
from estate.messaging.models import ChannelAccount
from estate.residents.models import Estate, Resident
from estate.staff.models import Staff
from estate.tickets import callbacks
from estate.tickets.assignment import claim_ticket, dispatch_ticket
from estate.tickets.create import create_ticket
from estate.tickets.models import Ticket
from estate.tickets.progress import close_ticket, resolve_ticket, start_work


@dataclass
class Desk:
    """Who works the demo's tickets, and under which rules."""

    staff: dict[str, Staff]
    rules: ServiceRules
    rng: random.Random

    def department_of(self, ticket: Ticket, category: str) -> tuple[str, int | None]:
        """The department a ticket goes to, and its technician (None: the department picks)."""
        if ticket.kind == "repair":
            return "engineering", self.staff["technician"].id
        if category == "sanitation":
            return "cleaning", self.staff["cleaner"].id
        return "service", None


async def seed_tickets(ctx: Context, data: dict, estate: Estate) -> None:
    """Every demo ticket, from one of the chatting residents first, then from any owner."""
    rng = random.Random(SEED + 2)
    now = ctx.clock.now()
    async with unit_of_work(ctx.sessions) as s:
        staff = {m.username: m for m in (await s.execute(select(Staff))).scalars()}
        owners = await s.execute(select(Resident).where(Resident.role == "owner").order_by(Resident.id))
        residents = owners.scalars().all()
        accounts = {a.resident_id: a.id for a in (await s.execute(select(ChannelAccount))).scalars()}
    desk = Desk(staff, ctx.rules_for(estate), rng)
    for i, spec in enumerate(data["tickets"]):
        resident = residents[i] if i < CHATTING else rng.choice(residents)
        clock = FixedClock(now - timedelta(hours=spec["hours_ago"]))
        async with unit_of_work(ctx.sessions) as s:
            ticket = await create_ticket(
                s,
                clock=clock,
                estate_id=estate.id,
                kind=spec["kind"],
                category_code=spec["category"],
                description=spec["description"],
                resident_id=resident.id,
                location_text=spec.get("common_area"),
                channel_account_id=accounts.get(resident.id),
                rules=desk.rules,
            )
            if spec.get("common_area"):
                ticket.unit_id = None
            await _take_along(s, desk, clock, ticket, spec)


async def _take_along(s: AsyncSession, desk: Desk, clock: FixedClock, ticket: Ticket, spec: dict) -> None:
    """Claim, dispatch, work on and resolve the ticket, stopping at its fate; then the callback."""
    fate, agent = spec["fate"], desk.staff["agent"]
    if fate == "new":
        return
    clock.advance(minutes=8)
    await claim_ticket(s, clock=clock, ticket_id=ticket.id, staff_id=agent.id)
    if fate == "claimed":
        return
    clock.advance(minutes=10)
    department, tech_id = desk.department_of(ticket, spec["category"])
    await dispatch_ticket(
        s,
        clock=clock,
        ticket_id=ticket.id,
        staff_id=agent.id,
        department=department,
        technician_id=tech_id,
        rules=desk.rules,
    )
    if fate == "dispatched":
        return
    clock.advance(minutes=40)
    await start_work(s, clock=clock, ticket_id=ticket.id, staff_id=tech_id or agent.id)
    if fate == "in_progress":
        return
    clock.advance(hours=2)
    result = spec["description"] + " ✓"
    worker = tech_id or agent.id
    await resolve_ticket(
        s, clock=clock, ticket_id=ticket.id, staff_id=worker, result=result, rules=desk.rules
    )
    if fate != "resolved":
        await _call_back(s, desk, clock, ticket, fate)


async def _call_back(s: AsyncSession, desk: Desk, clock: FixedClock, ticket: Ticket, fate: str) -> None:
    """The resident's callback a day later: a low answer reopens the ticket, a good one lets it close."""
    clock.advance(hours=25)
    pending = [
        c
        for c, t in await callbacks.due_callbacks(s, now=clock.now(), include_future=True)
        if t.id == ticket.id
    ]
    agent, rng = desk.staff["agent"], desk.rng
    overall, speed, attitude = (
        (2, 2, 3) if fate == "reopened" else (rng.choice([4, 5, 5]), rng.choice([4, 5]), 5)
    )
    await callbacks.record_callback(
        s,
        clock=clock,
        callback_id=pending[0].id,
        staff_id=agent.id,
        result_text="-",
        overall=overall,
        speed=speed,
        attitude=attitude,
        rules=desk.rules,
    )
    if fate == "closed":
        clock.advance(hours=1)
        await close_ticket(s, clock=clock, ticket_id=ticket.id, staff_id=desk.staff["supervisor"].id)
