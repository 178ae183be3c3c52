"""Allocating money to a unit's open bills, oldest first, and paying new bills from the prepaid balance."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from estate.billing.models import Bill, Payment, PaymentAllocation
from estate.core.clock import Clock
from estate.residents.models import Unit


async def open_bills(session: AsyncSession, unit_id: int) -> list[Bill]:
    """The unit's bills not yet paid in full, oldest first (locked for update on PostgreSQL)."""
    stmt = (
        select(Bill)
        .where(Bill.unit_id == unit_id, Bill.paid_cents < Bill.amount_cents)
        .order_by(Bill.period, Bill.id)
    )
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    return list((await session.execute(stmt.execution_options(populate_existing=True))).scalars())


async def allocate(session: AsyncSession, *, payment: Payment, bills: list[Bill], amount: int) -> int:
    """Pay `amount` into the bills in order; returns what is left over."""
    left = amount
    for bill in bills:
        if left <= 0:
            break
        part = min(left, bill.amount_cents - bill.paid_cents)
        if part <= 0:
            continue
        bill.paid_cents += part
        if bill.paid_cents >= bill.amount_cents:
            bill.settled_at = payment.paid_at
        session.add(PaymentAllocation(payment_id=payment.id, bill_id=bill.id, amount_cents=part))
        left -= part
    return left


async def apply_prepaid(session: AsyncSession, *, clock: Clock, unit_id: int) -> int:
    """Pay open bills from the unit's prepaid balance; returns the amount used."""
    unit = await session.get(Unit, unit_id)
    if unit is None or unit.prepaid_cents <= 0:
        return 0
    bills = await open_bills(session, unit_id)
    due = sum(b.amount_cents - b.paid_cents for b in bills)
    use = min(due, unit.prepaid_cents)
    if use <= 0:
        return 0
    payment = Payment(
        unit_id=unit_id, amount_cents=use, method="prepaid", paid_at=clock.now(), note="prepaid"
    )
    session.add(payment)
    await session.flush()
    await allocate(session, payment=payment, bills=bills, amount=use)
    unit.prepaid_cents -= use
    await session.flush()
    return use
