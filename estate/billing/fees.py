"""Fee items (收费项目) and the quantities a unit is charged for: what one unit's monthly bill is made of."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from estate.billing.models import FeeItem, FeeKind, UnitFee
from estate.billing.money import round_cents
from estate.residents.models import Occupancy, Unit


async def fee_items(session: AsyncSession, *, estate_id: int) -> list[FeeItem]:
    """The estate's fee items, active or not, in the order they were created."""
    stmt = select(FeeItem).where(FeeItem.estate_id == estate_id).order_by(FeeItem.id)
    return list((await session.execute(stmt)).scalars())


async def unit_quantities(session: AsyncSession) -> dict[int, dict[int, int]]:
    """Per unit, the quantity of each per-quantity fee item it is charged for (parking spaces, ...)."""
    rows = await session.execute(select(UnitFee.unit_id, UnitFee.fee_item_id, UnitFee.quantity))
    quantities: dict[int, dict[int, int]] = {}
    for unit_id, item_id, qty in rows:
        quantities.setdefault(unit_id, {})[item_id] = qty
    return quantities


def bill_lines_for(
    unit: Unit, items: list[FeeItem], quantities: dict[int, int]
) -> list[tuple[FeeItem, Decimal, int]]:
    """(fee item, quantity, amount in fen) for one unit and month."""
    lines = []
    for item in items:
        if not item.active:
            continue
        if unit.occupancy == Occupancy.VACANT and not item.applies_to_vacant:
            continue
        if item.kind == FeeKind.PER_AREA:
            qty = Decimal(unit.area_m2)
        elif item.kind == FeeKind.PER_QUANTITY:
            if item.id not in quantities:
                continue
            qty = Decimal(quantities[item.id])
        else:
            qty = Decimal(1)
        amount = round_cents(qty * item.unit_price_cents)
        if amount > 0:
            lines.append((item, qty, amount))
    return lines
