"""The residents archive (业主档案): importing units and residents from spreadsheets.

Imports are idempotent: units are keyed by their code, residents as `_match` says (unit and phone, else unit
and name), so importing the same file twice updates instead of duplicating, and an owner whose phone changed
is updated rather than added a second time.
Every bad row is named in the report with its reason; the good rows are kept. Reading and checking
one row is in `estate.residents.archive_rows`.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from estate.core.clock import Clock
from estate.core.tables import ImportReport, Progress, numbered
from estate.residents.archive_rows import BadRow, UnitRow, read_resident_row, read_unit_row
from estate.residents.models import Building, Resident, Unit


async def _units(session: AsyncSession, estate_id: int) -> dict[str, Unit]:
    return {
        u.code: u for u in (await session.execute(select(Unit).where(Unit.estate_id == estate_id))).scalars()
    }


async def _building(
    session: AsyncSession, buildings: dict[str, Building], *, estate_id: int, code: str
) -> Building:
    """The estate's building with that code, added on first mention."""
    building = buildings.get(code)
    if building is None:
        building = Building(estate_id=estate_id, code=code, name=code)
        session.add(building)
        await session.flush()
        buildings[code] = building
    return building


def _store_unit(
    session: AsyncSession, unit: Unit | None, read: UnitRow, *, estate_id: int, building: Building
) -> bool:
    """Add the unit, or update the existing one; True when it was added."""
    if unit is not None:
        unit.building_id, unit.floor, unit.area_m2, unit.occupancy = (
            building.id,
            read.floor,
            read.area,
            read.occupancy,
        )
        unit.owner_name = read.owner or unit.owner_name
        return False
    session.add(
        Unit(
            estate_id=estate_id,
            building_id=building.id,
            code=read.code,
            floor=read.floor,
            area_m2=read.area,
            occupancy=read.occupancy,
            owner_name=read.owner,
        )
    )
    return True


async def import_units(
    session: AsyncSession,
    *,
    clock: Clock,
    estate_id: int,
    rows: Sequence[dict[str, str]],
    progress: Progress | None = None,
) -> ImportReport:
    """Create or update units (and their buildings) from rows with unit, building, floor, area, occupancy, owner."""
    report = ImportReport()
    rows_buildings = await session.execute(select(Building).where(Building.estate_id == estate_id))
    buildings = {b.code: b for b in rows_buildings.scalars()}
    existing = await _units(session, estate_id)
    seen: set[str] = set()
    for i, row in numbered(rows, progress):
        try:
            read = read_unit_row(row, seen=seen)
        except BadRow as bad:
            report.error(i, bad.code, bad.detail)
            continue
        seen.add(read.code)
        building = await _building(session, buildings, estate_id=estate_id, code=read.building)
        if _store_unit(session, existing.get(read.code), read, estate_id=estate_id, building=building):
            report.created += 1
        else:
            report.updated += 1
    await session.flush()
    return report


class _Known:
    """The estate's residents by (unit, phone) and (unit, name), and those a row of this file matched already."""

    def __init__(self, residents: list[Resident]) -> None:
        self.by_phone = {(r.unit_id, r.phone): r for r in residents if r.phone}
        self.by_name = {(r.unit_id, r.name): r for r in residents}
        self.matched: set[int] = set()

    def match(self, unit_id: int, name: str, phone: str | None) -> Resident | None:
        """The resident a row names. First the one of that unit with that phone (a phone is unique within a
        unit). Else the one of that unit with that name, the same person with a new number, unless an earlier
        row of this file already matched them: then two people of one name share the unit (a father and son),
        and the row is a new resident."""
        if phone and (found := self.by_phone.get((unit_id, phone))) is not None:
            return found
        found = self.by_name.get((unit_id, name))
        if found is None or (phone and id(found) in self.matched):
            return None
        return found

    def remember(self, resident: Resident) -> None:
        if resident.phone:
            self.by_phone[(resident.unit_id, resident.phone)] = resident
        self.by_name.setdefault((resident.unit_id, resident.name), resident)
        self.matched.add(id(resident))


async def import_residents(
    session: AsyncSession,
    *,
    clock: Clock,
    estate_id: int,
    rows: Sequence[dict[str, str]],
    progress: Progress | None = None,
) -> ImportReport:
    """Create or update residents from rows with unit, name, phone, role (owner/tenant), locale."""
    report = ImportReport()
    units = await _units(session, estate_id)
    residents = list(
        (await session.execute(select(Resident).join(Unit).where(Unit.estate_id == estate_id))).scalars()
    )
    known = _Known(residents)
    now = clock.now()
    for i, row in numbered(rows, progress):
        try:
            read = read_resident_row(row, units=units)
        except BadRow as bad:
            report.error(i, bad.code, bad.detail)
            continue
        unit_id, name, phone, role = read.unit.id, read.name, read.phone, read.role
        resident = known.match(unit_id, name, phone)
        if resident is None:
            resident = Resident(
                unit_id=unit_id,
                name=name,
                phone=phone,
                role=role,
                locale=read.locale,
                created_at=now,
                active=True,
            )
            session.add(resident)
            report.created += 1
        else:
            resident.name, resident.role, resident.active = name, role, True
            resident.phone = phone or resident.phone  # a new number replaces the old one
            resident.locale = read.locale or resident.locale
            report.updated += 1
        known.remember(resident)
    await session.flush()
    return report
