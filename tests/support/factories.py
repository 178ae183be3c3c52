"""Small builders for test data: an estate with a unit, residents, staff of each role, and tickets."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from estate.core.context import Context
from estate.messaging.models import ChannelAccount
from estate.residents.models import Building, Estate, Resident, Unit
from estate.staff.models import Staff
from estate.tickets.create import create_ticket
from estate.tickets.models import Ticket


@dataclass
class World:
    estate: Estate
    building: Building
    unit: Unit
    resident: Resident
    account: ChannelAccount
    staff: dict[str, Staff] = field(default_factory=dict)


async def make_staff(
    session: AsyncSession,
    username: str,
    role: str,
    *,
    department: str | None = None,
    estate_id: int | None = None,
) -> Staff:
    staff = Staff(
        username=username,
        display_name=username.title(),
        role=role,
        department=department,
        estate_id=estate_id,
        password_hash="x",
        active=True,
    )
    session.add(staff)
    await session.flush()
    return staff


async def make_world(session: AsyncSession, *, at: datetime, channel: str = "webchat") -> World:
    """One estate, building 1, unit 1-101 (88.5 m²), an owner bound to one chat account, and staff of every role."""
    estate = Estate(code="XC", name="Star City", timezone="Asia/Shanghai", bill_due_day=15)
    session.add(estate)
    await session.flush()
    building = Building(estate_id=estate.id, code="1", name="Building 1")
    session.add(building)
    await session.flush()
    unit = Unit(
        estate_id=estate.id,
        building_id=building.id,
        code="1-101",
        floor=1,
        area_m2=Decimal("88.50"),
        occupancy="occupied",
    )
    session.add(unit)
    await session.flush()
    resident = Resident(unit_id=unit.id, name="Zhang San", phone="13800138000", role="owner", created_at=at)
    session.add(resident)
    await session.flush()
    account = ChannelAccount(
        channel=channel,
        external_id="ext-1",
        chat_id="ext-1",
        resident_id=resident.id,
        created_at=at,
        bound_at=at,
    )
    session.add(account)
    await session.flush()
    world = World(estate=estate, building=building, unit=unit, resident=resident, account=account)
    for role in ("agent", "supervisor", "manager", "deputy", "cashier", "admin"):
        world.staff[role] = await make_staff(session, role, role, estate_id=estate.id)
    world.staff["technician"] = await make_staff(
        session, "technician", "technician", department="engineering", estate_id=estate.id
    )
    world.staff["agent2"] = await make_staff(session, "agent2", "agent", estate_id=estate.id)
    return world


async def make_ticket(
    ctx: Context,
    world: World,
    description: str = "Tap drips",
    *,
    kind: str = "repair",
    category_code: str = "plumbing",
    **extra: Any,
) -> Ticket:
    """A new ticket from the world's resident, through the real service, in a unit of work of its own
    (a plumbing repair unless told otherwise; `extra` goes to `create_ticket`)."""
    async with ctx.sessions() as s, s.begin():
        return await create_ticket(
            s,
            clock=ctx.clock,
            estate_id=world.estate.id,
            kind=kind,
            category_code=category_code,
            description=description,
            resident_id=world.resident.id,
            channel_account_id=world.account.id,
            **extra,
        )
