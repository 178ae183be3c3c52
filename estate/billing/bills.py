"""Issuing bills: every unit's monthly bill from the fee items, and the month's bill that extra charges join."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from estate.billing.allocation import apply_prepaid
from estate.billing.fees import bill_lines_for, fee_items, unit_quantities
from estate.billing.models import Bill, BillLine, FeeItem
from estate.billing.periods import due_date, parse_period
from estate.core.clock import Clock
from estate.core.db import insert_for
from estate.core.errors import NotFound
from estate.residents.models import Estate, Unit


async def _issue(
    session: AsyncSession,
    *,
    unit: Unit,
    estate: Estate,
    period: str,
    lines: list[tuple[FeeItem, Decimal, int]],
    now: datetime,
) -> int | None:
    """Insert the unit's bill of the month with its lines; None when it already has one."""
    stmt = (
        insert_for(session)(Bill)
        .values(
            unit_id=unit.id,
            estate_id=estate.id,
            period=period,
            amount_cents=sum(a for _, _, a in lines),
            paid_cents=0,
            due_date=due_date(period, estate.bill_due_day),
            issued_at=now,
        )
        .on_conflict_do_nothing(index_elements=["unit_id", "period"])
        .returning(Bill.id)
    )
    bill_id = (await session.execute(stmt)).scalar_one_or_none()
    if bill_id is None:
        return None
    for item, qty, amount in lines:
        session.add(
            BillLine(
                bill_id=bill_id, fee_item_id=item.id, description=item.name, quantity=qty, amount_cents=amount
            )
        )
    return bill_id


async def units_to_bill(session: AsyncSession, *, estate_id: int, period: str) -> tuple[list[Unit], int]:
    """The estate's units without a bill for the month yet, and how many already have one."""
    units = list(
        (await session.execute(select(Unit).where(Unit.estate_id == estate_id).order_by(Unit.id))).scalars()
    )
    billed = set(
        (
            await session.execute(
                select(Bill.unit_id).where(Bill.estate_id == estate_id, Bill.period == period)
            )
        ).scalars()
    )
    return [u for u in units if u.id not in billed], len(billed)


async def generate_monthly_bills(session: AsyncSession, *, clock: Clock, estate_id: int, period: str) -> int:
    """Issue the month's bill of every unit that has none yet; returns how many were created.

    Idempotent per unit and month: the insert does nothing where a bill exists, so running it twice,
    or in two processes at once, creates each bill once.
    """
    parse_period(period)
    estate = await session.get(Estate, estate_id)
    if estate is None:
        raise NotFound("estate_not_found")
    now = clock.now()
    items = await fee_items(session, estate_id=estate_id)
    units, _ = await units_to_bill(session, estate_id=estate_id, period=period)
    quantities = await unit_quantities(session)
    created = 0
    for unit in units:
        lines = bill_lines_for(unit, items, quantities.get(unit.id, {}))
        if await _issue(session, unit=unit, estate=estate, period=period, lines=lines, now=now) is None:
            continue
        created += 1
        if unit.prepaid_cents > 0:
            await session.flush()
            await apply_prepaid(session, clock=clock, unit_id=unit.id)
    await session.flush()
    return created


async def bill_of_month(
    session: AsyncSession, *, unit: Unit, estate: Estate, period: str, now: datetime
) -> Bill:
    """The unit's bill of that month, issued empty first if it has none (for charges outside the fee items)."""
    bill = (
        await session.execute(select(Bill).where(Bill.unit_id == unit.id, Bill.period == period))
    ).scalar_one_or_none()
    if bill is None:
        bill = Bill(
            unit_id=unit.id,
            estate_id=unit.estate_id,
            period=period,
            amount_cents=0,
            paid_cents=0,
            due_date=due_date(period, estate.bill_due_day),
            issued_at=now,
        )
        session.add(bill)
        await session.flush()
    return bill
