"""A unit's statement (everything a resident asks about fees, in one query per part) and its bills with their lines."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from estate.billing.debts import Debt, debt_of
from estate.billing.models import Bill, BillLine, Payment
from estate.core.errors import NotFound
from estate.residents.models import Unit


@dataclass
class Statement:
    unit: Unit
    current: Bill | None
    lines: list[BillLine]
    debts: list[Debt]
    payments: list[Payment]
    prepaid_cents: int

    @property
    def outstanding_cents(self) -> int:
        return sum(d.outstanding_cents for d in self.debts)


async def bill_lines(session: AsyncSession, bill_id: int) -> list[BillLine]:
    """The lines of one bill, in the order they were added."""
    stmt = select(BillLine).where(BillLine.bill_id == bill_id).order_by(BillLine.id)
    return list((await session.execute(stmt)).scalars())


async def unit_statement(
    session: AsyncSession, *, unit_id: int, as_of: date, payments_limit: int = 12
) -> Statement:
    """This month's bill with its lines, arrears by month, the latest payments and the prepaid balance."""
    unit = await session.get(Unit, unit_id)
    if unit is None:
        raise NotFound("unit_not_found")
    bills = list(
        (
            await session.execute(select(Bill).where(Bill.unit_id == unit_id).order_by(Bill.period.desc()))
        ).scalars()
    )
    current = bills[0] if bills else None
    payments = list(
        (
            await session.execute(
                select(Payment)
                .where(Payment.unit_id == unit_id)
                .order_by(Payment.paid_at.desc(), Payment.id.desc())
                .limit(payments_limit)
            )
        ).scalars()
    )
    return Statement(
        unit=unit,
        current=current,
        lines=await bill_lines(session, current.id) if current is not None else [],
        debts=[
            debt_of(b, as_of) for b in sorted(bills, key=lambda b: b.period) if b.paid_cents < b.amount_cents
        ],
        payments=payments,
        prepaid_cents=unit.prepaid_cents,
    )


async def bills_with_lines(
    session: AsyncSession, *, unit_id: int
) -> tuple[list[Bill], dict[int, list[BillLine]]]:
    """Every bill of a unit, newest period first, and each bill's lines by bill id."""
    stmt = select(Bill).where(Bill.unit_id == unit_id).order_by(Bill.period.desc())
    bills = list((await session.execute(stmt)).scalars())
    return bills, {b.id: await bill_lines(session, b.id) for b in bills}
