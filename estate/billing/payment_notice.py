"""A unit's payment notice (缴费通知单): what it owes, bill by bill and line by line, to print and hand over or
put in the letterbox."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from estate.billing.models import Bill, BillLine
from estate.core.errors import NotFound
from estate.residents.models import Estate, Resident, Unit


@dataclass
class OwedBill:
    bill: Bill
    lines: list[BillLine]

    @property
    def outstanding_cents(self) -> int:
        return self.bill.amount_cents - self.bill.paid_cents


@dataclass
class PaymentNotice:
    estate: Estate
    unit: Unit
    residents: list[str]
    as_of: date
    bills: list[OwedBill] = field(default_factory=list)

    @property
    def total_cents(self) -> int:
        return sum(b.outstanding_cents for b in self.bills)


async def payment_notice(session: AsyncSession, *, unit_code: str, as_of: date) -> PaymentNotice:
    """Every bill of the unit not paid in full (oldest month first) with its lines, and whom it is addressed to."""
    unit = (
        await session.execute(select(Unit).where(Unit.code == unit_code.strip().upper()))
    ).scalar_one_or_none()
    if unit is None:
        raise NotFound("unit_not_found", unit=unit_code)
    estate = await session.get(Estate, unit.estate_id)
    assert estate is not None
    names = await session.execute(
        select(Resident.name)
        .where(Resident.unit_id == unit.id, Resident.active.is_(True))
        .order_by(Resident.role, Resident.id)
    )
    notice = PaymentNotice(estate=estate, unit=unit, residents=list(names.scalars()), as_of=as_of)
    bills = await session.execute(
        select(Bill).where(Bill.unit_id == unit.id, Bill.paid_cents < Bill.amount_cents).order_by(Bill.period)
    )
    for bill in bills.scalars():
        lines = await session.execute(
            select(BillLine).where(BillLine.bill_id == bill.id).order_by(BillLine.id)
        )
        notice.bills.append(OwedBill(bill=bill, lines=list(lines.scalars())))
    return notice
