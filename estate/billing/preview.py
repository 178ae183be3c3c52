"""What issuing a month's bills would do, worked out before anything is created: how many units, the total,
and each fee item's share. Staff see this and confirm before the bills are issued."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from estate.billing.bills import units_to_bill
from estate.billing.fees import bill_lines_for, fee_items, unit_quantities
from estate.billing.periods import parse_period


@dataclass
class ItemTotal:
    """One fee item across the month's new bills: how many units pay it and how much in all."""

    name: str
    units: int = 0
    total_cents: int = 0


@dataclass
class BillPreview:
    period: str
    units: int = 0  # units that would get a bill
    already_billed: int = 0  # units that have one for the month already (left alone)
    total_cents: int = 0
    items: list[ItemTotal] = field(default_factory=list)


async def preview_monthly_bills(session: AsyncSession, *, estate_id: int, period: str) -> BillPreview:
    """The bills `generate_monthly_bills` would issue for the month, computed the same way; writes nothing."""
    parse_period(period)
    units, billed = await units_to_bill(session, estate_id=estate_id, period=period)
    items = await fee_items(session, estate_id=estate_id)
    quantities = await unit_quantities(session)
    preview = BillPreview(period=period, already_billed=billed)
    totals: dict[int, ItemTotal] = {}
    for unit in units:
        lines = bill_lines_for(unit, items, quantities.get(unit.id, {}))
        preview.units += 1
        for item, _, amount in lines:
            total = totals.setdefault(item.id, ItemTotal(name=item.name))
            total.units += 1
            total.total_cents += amount
            preview.total_cents += amount
    preview.items = [totals[item.id] for item in items if item.id in totals]
    return preview
