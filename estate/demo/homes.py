"""The demo's estate and its homes: buildings, ~300 units, owners and some tenants, parking spaces, and a
few residents already chatting with the centre (so notices and reminders have somewhere to go)."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from estate.billing.models import FeeItem, UnitFee
from estate.demo.data import SEED
from estate.messaging.models import ChannelAccount
from estate.residents.models import Building, Estate, Resident, Unit

CHATTING = 12  # residents with a web chat account


def new_estate(data: dict) -> Estate:
    """The demo estate's row (not yet added to a session)."""
    e = data["estate"]
    return Estate(
        code=e["code"],
        name=e["name"],
        phone=e["phone"],
        timezone=e["timezone"],
        bill_due_day=e["bill_due_day"],
    )


class People:
    """Deterministic names and distinct mobile numbers for the demo's residents."""

    def __init__(self, data: dict, rng: random.Random) -> None:
        self.surnames, self.given, self.rng = data["estate"]["surnames"], data["estate"]["given"], rng
        self.used: set[str] = set()

    def name(self) -> str:
        return self.rng.choice(self.surnames) + self.rng.choice(self.given)

    def phone(self) -> str:
        while True:
            number = f"1{self.rng.choice('3456789')}{self.rng.randrange(10**9):09d}"
            if number not in self.used:
                self.used.add(number)
                return number


async def seed_homes(s: AsyncSession, data: dict, *, estate: Estate, parking: FeeItem, now: datetime) -> None:
    """Every building's units with their residents, some with a parking space; then the chat accounts."""
    e = data["estate"]
    rng = random.Random(SEED)
    people = People(data, rng)
    for b in range(1, e["buildings"] + 1):
        building = Building(estate_id=estate.id, code=str(b), name=f"{b}#")
        s.add(building)
        await s.flush()
        for floor in range(1, e["floors"] + 1):
            for room in range(1, e["rooms_per_floor"] + 1):
                unit = _unit(e, rng, building, floor, room, people.name)
                s.add(unit)
                await s.flush()
                _residents(s, rng, unit, people, now)
                if unit.occupancy != "vacant" and rng.random() < 0.3:
                    s.add(UnitFee(unit_id=unit.id, fee_item_id=parking.id, quantity=1))
    await s.flush()
    await _chat_accounts(s, now)


def _unit(
    e: dict, rng: random.Random, building: Building, floor: int, room: int, name: Callable[[], str]
) -> Unit:
    area = Decimal(str(e["areas"][room - 1])) + Decimal(rng.randrange(-150, 150)) / 100
    roll = rng.random()
    return Unit(
        estate_id=building.estate_id,
        building_id=building.id,
        code=f"{building.code}-{floor}{room:02d}",
        floor=floor,
        area_m2=area.quantize(Decimal("0.01")),
        occupancy="vacant" if roll < 0.08 else "decorating" if roll < 0.11 else "occupied",
        owner_name=name(),
    )


def _residents(s: AsyncSession, rng: random.Random, unit: Unit, people: People, now: datetime) -> None:
    """The unit's owner, and in some occupied units a tenant."""
    s.add(Resident(unit_id=unit.id, name=unit.owner_name, phone=people.phone(), role="owner", created_at=now))
    if unit.occupancy == "occupied" and rng.random() < 0.15:
        s.add(
            Resident(unit_id=unit.id, name=people.name(), phone=people.phone(), role="tenant", created_at=now)
        )


async def _chat_accounts(s: AsyncSession, now: datetime) -> None:
    residents = (await s.execute(select(Resident).order_by(Resident.id).limit(CHATTING))).scalars().all()
    for r in residents:
        s.add(
            ChannelAccount(
                channel="webchat",
                external_id=f"demo-{r.id}",
                chat_id=f"demo-{r.id}",
                resident_id=r.id,
                created_at=now,
                bound_at=now,
                display_name=r.name,
            )
        )
    await s.flush()
