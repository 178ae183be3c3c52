"""Reading the rows of a bill or payment spreadsheet: the estate's units, the unit a row names, amounts, times."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from estate.billing.money import yuan_to_cents
from estate.core.errors import ValidationFailed
from estate.core.tables import ImportReport
from estate.residents.models import Estate, Unit


async def estate_units(session: AsyncSession, estate_id: int) -> tuple[Estate, dict[str, Unit]]:
    """The estate imported into and its units by code."""
    estate = await session.get(Estate, estate_id)
    if estate is None:
        raise ValidationFailed("unknown_estate")
    units = {
        u.code: u for u in (await session.execute(select(Unit).where(Unit.estate_id == estate_id))).scalars()
    }
    return estate, units


def positive_cents(raw: str) -> int | None:
    """An amount in yuan as fen, or None unless it is a number above zero."""
    try:
        cents = yuan_to_cents(raw)
    except ValidationFailed:
        return None
    return cents if cents > 0 else None


def unit_of_row(
    row: dict[str, str], units: dict[str, Unit], report: ImportReport, row_number: int
) -> Unit | None:
    """The row's unit, or None with the row named in the report."""
    unit = units.get((row.get("unit") or "").strip().upper())
    if unit is None:
        report.error(row_number, "unknown_unit", row.get("unit", ""))
    return unit


def paid_at_of(raw: str, tz: ZoneInfo) -> datetime | None:
    """A payment time written as a date (taken as noon) or a date and time in the estate's zone; else None."""
    raw = (raw or "").strip().replace("/", "-")
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d"):
        try:
            parsed = datetime.strptime(raw[:19], fmt)
        except ValueError:
            continue
        return (
            parsed.replace(tzinfo=tz)
            if fmt != "%Y-%m-%d"
            else datetime.combine(parsed.date(), time(12), tzinfo=tz)
        )
    return None
