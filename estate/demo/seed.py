"""Seeding the demo estate: one estate of ~300 units with residents, staff of every role, fees, three
months of bills with realistic arrears, a paid-service catalogue with slots, tickets in every status and
a notice.

Deterministic (a fixed random seed; times relative to now) and idempotent: a second run creates
nothing new, except that staff passwords are set again (so a changed DESK_DEMO_PASSWORD works) and
service slots are topped up for the next 14 days.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from estate.core.clock import Clock
from estate.core.context import Context
from estate.core.db import unit_of_work
from estate.demo.data import demo_data
from estate.demo.fees import seed_bills, seed_fee_items
from estate.demo.homes import new_estate, seed_homes
from estate.demo.services import seed_services, top_up_slots
from estate.demo.staff import seed_staff
from estate.demo.tickets import seed_tickets
from estate.messaging.notices import create_notice, publish_notice
from estate.residents.codes import issue_binding_code
from estate.residents.models import Estate, Unit
from estate.staff.models import Staff

BINDING_UNIT = "1-101"  # the unit whose binding code `desk demo` prints


@dataclass
class DemoInfo:
    estate_name: str
    created: bool
    staff: list[tuple[str, str, str]]  # username, display name, role
    binding_unit: str
    binding_code: str


async def seed_demo(ctx: Context, *, password: str) -> DemoInfo:
    """Seed the demo estate once; on later runs refresh staff passwords and slots. Returns what to print."""
    data = demo_data()
    clock = ctx.clock
    async with unit_of_work(ctx.sessions) as s:
        code = data["estate"]["code"]
        estate = (await s.execute(select(Estate).where(Estate.code == code))).scalar_one_or_none()
        created = estate is None
        if estate is None:
            estate = await _estate(s, data, clock)
        await seed_staff(s, data, clock=clock, estate_id=estate.id, password=password)
    if created:
        await seed_bills(ctx, estate)
        await seed_tickets(ctx, data, estate)
        async with unit_of_work(ctx.sessions) as s:
            notice = await create_notice(
                s,
                clock=clock,
                estate_id=estate.id,
                title=data["notice"]["title"],
                body=data["notice"]["body"],
            )
            await publish_notice(s, clock=clock, notice_id=notice.id)
    async with unit_of_work(ctx.sessions) as s:
        await top_up_slots(s, data, estate_id=estate.id, now=clock.now(), tz=ctx.tz_for(estate))
        unit = (await s.execute(select(Unit).where(Unit.code == BINDING_UNIT))).scalar_one()
        binding = await issue_binding_code(s, clock=clock, unit_id=unit.id, secret=ctx.settings.secret_key)
        staff = [
            (m.username, m.display_name, m.role)
            for m in (await s.execute(select(Staff).order_by(Staff.id))).scalars()
        ]
    return DemoInfo(
        estate_name=estate.name, created=created, staff=staff, binding_unit=unit.code, binding_code=binding
    )


async def _estate(s: AsyncSession, data: dict, clock: Clock) -> Estate:
    """The estate with its fee items, services and homes."""
    estate = new_estate(data)
    s.add(estate)
    await s.flush()
    fees = await seed_fee_items(s, data, estate_id=estate.id)
    await seed_services(s, data, estate_id=estate.id)
    await seed_homes(s, data, estate=estate, parking=fees["parking"], now=clock.now())
    return estate
