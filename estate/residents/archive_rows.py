"""Reading one row of the archive spreadsheets: a unit's or a resident's fields, checked, or the reason not."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from estate.core.tables import canonical_value
from estate.residents.models import Unit
from estate.residents.service import normalise_phone


class BadRow(Exception):
    """A row that cannot be imported: the reason (a code the report names) and the value at fault."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(code, detail)
        self.code, self.detail = code, detail


@dataclass(frozen=True)
class UnitRow:
    code: str
    building: str
    floor: int
    area: Decimal
    occupancy: str
    owner: str | None


@dataclass(frozen=True)
class ResidentRow:
    unit: Unit
    name: str
    phone: str | None
    role: str
    locale: str | None


def _building_code(unit_code: str, given: str) -> str:
    if given:
        return given.strip().upper()
    return unit_code.split("-", 1)[0] if "-" in unit_code else ""


def _floor_from_code(code: str) -> int:
    room = code.rsplit("-", 1)[-1]
    return int(room[:-2]) if room.isdigit() and len(room) > 2 else 1


def _area(raw: str) -> Decimal:
    try:
        area = Decimal(raw.replace(",", ""))
        if Decimal(5) <= area <= Decimal(2000):
            return area
    except InvalidOperation:
        pass
    raise BadRow("bad_area", raw)


def read_unit_row(row: dict[str, str], *, seen: set[str]) -> UnitRow:
    """The unit in a row with unit, building, floor, area, occupancy, owner; `seen` are the codes read before."""
    code = (row.get("unit") or "").strip().upper()
    if not code:
        raise BadRow("missing_unit")
    if code in seen:
        raise BadRow("duplicate_unit", code)
    building = _building_code(code, row.get("building", ""))
    if not building:
        raise BadRow("missing_building", code)
    area = _area(row.get("area") or "")
    occupancy = canonical_value("occupancy", row["occupancy"]) if row.get("occupancy") else "occupied"
    if occupancy is None:
        raise BadRow("bad_occupancy", row.get("occupancy", ""))
    floor_raw = (row.get("floor") or "").strip()
    if floor_raw and not floor_raw.lstrip("-").isdigit():
        raise BadRow("bad_floor", floor_raw)
    floor = int(floor_raw) if floor_raw else _floor_from_code(code)
    return UnitRow(code, building, floor, area, occupancy, row.get("owner") or None)


def read_resident_row(row: dict[str, str], *, units: dict[str, Unit]) -> ResidentRow:
    """The resident in a row with unit, name, phone, role (owner/tenant), locale; `units` by code."""
    code = (row.get("unit") or "").strip().upper()
    unit = units.get(code)
    if unit is None:
        raise BadRow("unknown_unit", code)
    name = (row.get("name") or "").strip()
    if not name:
        raise BadRow("missing_name", code)
    phone = None
    if row.get("phone"):
        phone = normalise_phone(row["phone"])
        if phone is None:
            raise BadRow("bad_phone", row["phone"])
    role = canonical_value("role", row["role"]) if row.get("role") else "owner"
    if role is None:
        raise BadRow("bad_role", row.get("role", ""))
    return ResidentRow(unit, name, phone, role, (row.get("locale") or "").strip() or None)
