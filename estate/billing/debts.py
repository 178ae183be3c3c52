"""What units owe: debts by month with their age, arrears (欠费) across an estate, low prepaid balances."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from estate.billing.models import Bill
from estate.residents.models import Building, Resident, Unit


@dataclass
class Debt:
    period: str
    bill_id: int
    outstanding_cents: int
    due_date: date
    age_days: int


def debt_of(bill: Bill, as_of: date) -> Debt:
    """What is left to pay on a bill, and how many days past its due date it is on `as_of`."""
    age = max(0, (as_of - bill.due_date).days)
    return Debt(bill.period, bill.id, bill.amount_cents - bill.paid_cents, bill.due_date, age)


@dataclass
class ArrearsRow:
    unit_id: int
    unit_code: str
    names: list[str]
    debts: list[Debt] = field(default_factory=list)
    building: str = ""  # the building's name, for grouping the arrears list

    @property
    def total_cents(self) -> int:
        return sum(d.outstanding_cents for d in self.debts)

    @property
    def oldest_age_days(self) -> int:
        return max((d.age_days for d in self.debts), default=0)


async def arrears(
    session: AsyncSession, *, estate_id: int, as_of: date, building_id: int | None = None
) -> list[ArrearsRow]:
    """Units owing money on bills past their due date, the largest debts first (of one building if given)."""
    stmt = (
        select(Bill, Unit.code, Building.name)
        .join(Unit, Unit.id == Bill.unit_id)
        .join(Building, Building.id == Unit.building_id)
        .where(Bill.estate_id == estate_id, Bill.paid_cents < Bill.amount_cents, Bill.due_date < as_of)
        .order_by(Unit.code, Bill.period)
    )
    if building_id is not None:
        stmt = stmt.where(Unit.building_id == building_id)
    rows: dict[int, ArrearsRow] = {}
    for bill, code, building in (await session.execute(stmt)).all():
        row = rows.setdefault(
            bill.unit_id, ArrearsRow(unit_id=bill.unit_id, unit_code=code, names=[], building=building)
        )
        row.debts.append(debt_of(bill, as_of))
    if rows:
        names = await session.execute(
            select(Resident.unit_id, Resident.name)
            .where(Resident.unit_id.in_(list(rows)), Resident.active.is_(True))
            .order_by(Resident.id)
        )
        for unit_id, name in names:
            rows[unit_id].names.append(name)
    return sorted(rows.values(), key=lambda r: (-r.total_cents, r.unit_code))


@dataclass
class UnitDebt:
    unit: Unit
    bills: list[Bill]

    @property
    def oldest(self) -> Bill:
        return min(self.bills, key=lambda b: b.due_date)


async def units_with_open_bills(session: AsyncSession, *, estate_id: int) -> list[UnitDebt]:
    """Every unit with a bill not paid in full, due or not yet, with those bills."""
    rows = await session.execute(
        select(Bill, Unit)
        .join(Unit, Unit.id == Bill.unit_id)
        .where(Bill.estate_id == estate_id, Bill.paid_cents < Bill.amount_cents)
        .order_by(Unit.code, Bill.period)
    )
    debts: dict[int, UnitDebt] = {}
    for bill, unit in rows.all():
        debts.setdefault(unit.id, UnitDebt(unit=unit, bills=[])).bills.append(bill)
    return list(debts.values())


async def low_balance_units(session: AsyncSession, *, estate_id: int, threshold_cents: int) -> list[Unit]:
    """Units with a prepaid balance that has run low (above zero, below the threshold)."""
    stmt = select(Unit).where(
        Unit.estate_id == estate_id, Unit.prepaid_cents > 0, Unit.prepaid_cents < threshold_cents
    )
    return list((await session.execute(stmt.order_by(Unit.code))).scalars())
