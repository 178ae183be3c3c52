"""Residents and units: look-ups used by chat binding, the console and imports."""

from __future__ import annotations

import re

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from estate.residents.models import Building, Estate, Occupancy, Resident, Unit

MOBILE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE = re.compile(r"^0\d{2,3}\d{7,8}$")


def normalise_phone(raw: str | None) -> str | None:
    """'+86 138-0013-8000' -> '13800138000'; None when it is not a mainland mobile or landline number."""
    if not raw:
        return None
    digits = re.sub(r"[\s\-()（）]", "", str(raw))
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    if MOBILE.match(digits) or LANDLINE.match(digits):
        return digits
    return None


async def find_unit(session: AsyncSession, code: str) -> Unit | None:
    """A unit by its code ('3-1502'), case and spaces ignored."""
    return (await session.execute(select(Unit).where(Unit.code == code.strip().upper()))).scalar_one_or_none()


async def residents_of_unit(session: AsyncSession, unit_id: int) -> list[Resident]:
    rows = await session.execute(
        select(Resident)
        .where(Resident.unit_id == unit_id, Resident.active.is_(True))
        .order_by(Resident.role, Resident.id)
    )
    return list(rows.scalars())


async def residents_by_phone(session: AsyncSession, phone: str) -> list[Resident]:
    """Active residents with that phone number (normalised first)."""
    number = normalise_phone(phone)
    if number is None:
        return []
    rows = await session.execute(
        select(Resident).where(Resident.phone == number, Resident.active.is_(True)).order_by(Resident.id)
    )
    return list(rows.scalars())


async def search_residents(
    session: AsyncSession, *, estate_id: int, query: str, limit: int = 50
) -> list[tuple[Resident, Unit]]:
    """Residents whose name, phone or unit code contains the query."""
    q = f"%{query.strip()}%"
    stmt = (
        select(Resident, Unit)
        .join(Unit, Unit.id == Resident.unit_id)
        .where(
            Unit.estate_id == estate_id,
            or_(Resident.name.like(q), Resident.phone.like(q), Unit.code.like(q.upper())),
        )
        .order_by(Unit.code, Resident.id)
        .limit(limit)
    )
    return [(r, u) for r, u in (await session.execute(stmt)).all()]


async def vacant_units(session: AsyncSession, *, estate_id: int) -> list[Unit]:
    """空置房: units marked vacant."""
    rows = await session.execute(
        select(Unit)
        .where(Unit.estate_id == estate_id, Unit.occupancy == Occupancy.VACANT)
        .order_by(Unit.code)
    )
    return list(rows.scalars())


async def set_resident_locale(session: AsyncSession, *, resident_id: int, locale: str) -> None:
    resident = await session.get(Resident, resident_id)
    if resident is not None:
        resident.locale = locale


async def units_with_buildings(
    session: AsyncSession, *, estate_id: int | None = None
) -> list[tuple[Unit, Building]]:
    stmt = select(Unit, Building).join(Building, Building.id == Unit.building_id).order_by(Unit.code)
    if estate_id is not None:
        stmt = stmt.where(Unit.estate_id == estate_id)
    return [(u, b) for u, b in (await session.execute(stmt)).all()]


async def all_estates(session: AsyncSession) -> list[Estate]:
    """Every estate of the installation, oldest first."""
    return list((await session.execute(select(Estate).order_by(Estate.id))).scalars())


async def first_estate(session: AsyncSession) -> Estate | None:
    """The installation's first estate: what a page or chat serves while it knows of no other."""
    return (await session.execute(select(Estate).order_by(Estate.id).limit(1))).scalar_one_or_none()


async def estate_of_resident(session: AsyncSession, *, resident_id: int | None) -> Estate | None:
    """The estate of the resident's home, else the installation's first (an unbound chat's header)."""
    if resident_id is not None:
        found = await session.execute(
            select(Estate)
            .join(Unit, Unit.estate_id == Estate.id)
            .join(Resident, Resident.unit_id == Unit.id)
            .where(Resident.id == resident_id)
        )
        estate = found.scalar_one_or_none()
        if estate is not None:
            return estate
    return await first_estate(session)


async def buildings_of(session: AsyncSession, *, estate_id: int) -> list[Building]:
    """The estate's buildings in the order they were made."""
    rows = await session.execute(
        select(Building).where(Building.estate_id == estate_id).order_by(Building.id)
    )
    return list(rows.scalars())


async def estates_named(session: AsyncSession, code: str | None = None) -> list[Estate]:
    """The estate with that code, or every estate when no code is given."""
    stmt = select(Estate).order_by(Estate.id)
    if code:
        stmt = stmt.where(Estate.code == code)
    return list((await session.execute(stmt)).scalars())


async def unit_directory(session: AsyncSession) -> list[tuple[Unit, Building, list[str]]]:
    """Every unit with its building and the names of its active residents, building by building, floor by floor."""
    units = (
        await session.execute(
            select(Unit, Building).join(Building).order_by(Building.id, Unit.floor, Unit.code)
        )
    ).all()
    people: dict[int, list[str]] = {}
    active = await session.execute(select(Resident).where(Resident.active.is_(True)).order_by(Resident.id))
    for resident in active.scalars():
        people.setdefault(resident.unit_id, []).append(resident.name)
    return [(u, b, people.get(u.id, [])) for u, b in units]
