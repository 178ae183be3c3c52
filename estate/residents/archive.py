"""The residents archive (业主档案): importing units and residents from spreadsheets.

Imports are idempotent: units are keyed by their code, residents by unit and phone (or unit and
name when there is no phone), so importing the same file twice updates instead of duplicating.
Every bad row is named in the report with its reason; the good rows are kept.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from estate.core.clock import Clock
from estate.core.tables import ImportReport, Progress, canonical_value
from estate.residents.models import Building, Resident, Unit
from estate.residents.service import normalise_phone


async def _buildings(session: AsyncSession, estate_id: int) -> dict[str, Building]:
    rows = await session.execute(select(Building).where(Building.estate_id == estate_id))
    return {b.code: b for b in rows.scalars()}


def _building_code(unit_code: str, given: str) -> str:
    if given:
        return given.strip().upper()
    return unit_code.split("-", 1)[0] if "-" in unit_code else ""


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
    buildings = await _buildings(session, estate_id)
    existing = {
        u.code: u for u in (await session.execute(select(Unit).where(Unit.estate_id == estate_id))).scalars()
    }
    seen: set[str] = set()
    for i, row in enumerate(rows, start=2):
        if progress:
            progress(i - 1, len(rows))
        code = (row.get("unit") or "").strip().upper()
        if not code:
            report.error(i, "missing_unit")
            continue
        if code in seen:
            report.error(i, "duplicate_unit", code)
            continue
        b_code = _building_code(code, row.get("building", ""))
        if not b_code:
            report.error(i, "missing_building", code)
            continue
        try:
            area = Decimal((row.get("area") or "").replace(",", ""))
            if not (Decimal(5) <= area <= Decimal(2000)):
                raise InvalidOperation
        except InvalidOperation:
            report.error(i, "bad_area", row.get("area", ""))
            continue
        occupancy = canonical_value("occupancy", row["occupancy"]) if row.get("occupancy") else "occupied"
        if occupancy is None:
            report.error(i, "bad_occupancy", row.get("occupancy", ""))
            continue
        floor_raw = (row.get("floor") or "").strip()
        if floor_raw and not floor_raw.lstrip("-").isdigit():
            report.error(i, "bad_floor", floor_raw)
            continue
        floor = int(floor_raw) if floor_raw else _floor_from_code(code)
        seen.add(code)
        building = buildings.get(b_code)
        if building is None:
            building = Building(estate_id=estate_id, code=b_code, name=b_code)
            session.add(building)
            await session.flush()
            buildings[b_code] = building
        unit = existing.get(code)
        if unit is None:
            session.add(
                Unit(
                    estate_id=estate_id,
                    building_id=building.id,
                    code=code,
                    floor=floor,
                    area_m2=area,
                    occupancy=occupancy,
                    owner_name=row.get("owner") or None,
                )
            )
            report.created += 1
        else:
            unit.building_id, unit.floor, unit.area_m2, unit.occupancy = building.id, floor, area, occupancy
            unit.owner_name = row.get("owner") or unit.owner_name
            report.updated += 1
    await session.flush()
    return report


def _floor_from_code(code: str) -> int:
    room = code.rsplit("-", 1)[-1]
    return int(room[:-2]) if room.isdigit() and len(room) > 2 else 1


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
    units = {
        u.code: u for u in (await session.execute(select(Unit).where(Unit.estate_id == estate_id))).scalars()
    }
    residents = list(
        (await session.execute(select(Resident).join(Unit).where(Unit.estate_id == estate_id))).scalars()
    )
    by_phone = {(r.unit_id, r.phone): r for r in residents if r.phone}
    by_name = {(r.unit_id, r.name): r for r in residents}
    now = clock.now()
    for i, row in enumerate(rows, start=2):
        if progress:
            progress(i - 1, len(rows))
        code = (row.get("unit") or "").strip().upper()
        unit = units.get(code)
        if unit is None:
            report.error(i, "unknown_unit", code)
            continue
        name = (row.get("name") or "").strip()
        if not name:
            report.error(i, "missing_name", code)
            continue
        phone = None
        if row.get("phone"):
            phone = normalise_phone(row["phone"])
            if phone is None:
                report.error(i, "bad_phone", row["phone"])
                continue
        role = canonical_value("role", row["role"]) if row.get("role") else "owner"
        if role is None:
            report.error(i, "bad_role", row.get("role", ""))
            continue
        locale = (row.get("locale") or "").strip() or None
        resident = by_phone.get((unit.id, phone)) if phone else by_name.get((unit.id, name))
        if resident is None:
            resident = Resident(
                unit_id=unit.id, name=name, phone=phone, role=role, locale=locale, created_at=now, active=True
            )
            session.add(resident)
            report.created += 1
        else:
            resident.name, resident.role, resident.active = name, role, True
            resident.locale = locale or resident.locale
            report.updated += 1
        if phone:
            by_phone[(unit.id, phone)] = resident
        by_name[(unit.id, name)] = resident
    await session.flush()
    return report
