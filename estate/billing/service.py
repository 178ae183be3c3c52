"""Fees and bills: monthly bills per unit, payments, arrears, prepaid balances and collection rates.

Money is integer fen. A payment is allocated to bills (oldest debt first, or the bill named), and
whatever is left goes to the unit's prepaid balance, which pays later bills as they are issued.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from estate.billing.models import (
    Bill,
    BillLine,
    FeeItem,
    FeeKind,
    Payment,
    PaymentAllocation,
    UnitFee,
)
from estate.billing.money import round_cents
from estate.billing.periods import due_date, local_date, parse_period, period_of, shift
from estate.core.clock import Clock
from estate.core.db import insert_for
from estate.core.errors import NotFound, ValidationFailed
from estate.residents.models import Estate, Occupancy, Resident, Unit
from estate.staff.audit import audit

COLLECTION_TARGETS = (0.80, 0.90, 1.00)  # this month, last month, the month before (DESIGN §3)
METHODS = ("cash", "wechat", "alipay", "bank", "card", "prepaid", "import")


async def _estate(session: AsyncSession, estate_id: int) -> Estate:
    estate = await session.get(Estate, estate_id)
    if estate is None:
        raise NotFound("estate_not_found")
    return estate


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


async def generate_monthly_bills(session: AsyncSession, *, clock: Clock, estate_id: int, period: str) -> int:
    """Issue the month's bill of every unit that has none yet; returns how many were created.

    Idempotent per unit and month: the insert does nothing where a bill exists, so running it twice,
    or in two processes at once, creates each bill once.
    """
    parse_period(period)
    estate = await _estate(session, estate_id)
    now = clock.now()
    items = list(
        (
            await session.execute(select(FeeItem).where(FeeItem.estate_id == estate_id).order_by(FeeItem.id))
        ).scalars()
    )
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
    qty_rows = await session.execute(select(UnitFee.unit_id, UnitFee.fee_item_id, UnitFee.quantity))
    quantities: dict[int, dict[int, int]] = {}
    for unit_id, item_id, qty in qty_rows:
        quantities.setdefault(unit_id, {})[item_id] = qty
    insert = insert_for(session)
    created = 0
    for unit in units:
        if unit.id in billed:
            continue
        lines = bill_lines_for(unit, items, quantities.get(unit.id, {}))
        stmt = (
            insert(Bill)
            .values(
                unit_id=unit.id,
                estate_id=estate_id,
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
            continue
        created += 1
        for item, qty, amount in lines:
            session.add(
                BillLine(
                    bill_id=bill_id,
                    fee_item_id=item.id,
                    description=item.name,
                    quantity=qty,
                    amount_cents=amount,
                )
            )
        if unit.prepaid_cents > 0:
            await session.flush()
            await apply_prepaid(session, clock=clock, unit_id=unit.id)
    await session.flush()
    return created


async def _open_bills(session: AsyncSession, unit_id: int) -> list[Bill]:
    stmt = (
        select(Bill)
        .where(Bill.unit_id == unit_id, Bill.paid_cents < Bill.amount_cents)
        .order_by(Bill.period, Bill.id)
    )
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    return list((await session.execute(stmt.execution_options(populate_existing=True))).scalars())


async def _allocate(session: AsyncSession, *, payment: Payment, bills: list[Bill], amount: int) -> int:
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


async def record_payment(
    session: AsyncSession,
    *,
    clock: Clock,
    unit_id: int,
    amount_cents: int,
    method: str = "cash",
    staff_id: int | None = None,
    bill_id: int | None = None,
    idempotency_key: str | None = None,
    note: str | None = None,
    paid_at: datetime | None = None,
) -> Payment:
    """Record a payment (partial or full); the same idempotency key twice records it once."""
    if amount_cents <= 0:
        raise ValidationFailed("bad_amount", amount=amount_cents)
    if method not in METHODS:
        raise ValidationFailed("bad_method", method=method)
    unit = await session.get(Unit, unit_id)
    if unit is None:
        raise NotFound("unit_not_found")
    now = paid_at or clock.now()
    if idempotency_key:
        stmt = (
            insert_for(session)(Payment)
            .values(
                unit_id=unit_id,
                bill_id=bill_id,
                amount_cents=amount_cents,
                method=method,
                paid_at=now,
                staff_id=staff_id,
                idempotency_key=idempotency_key,
                note=note,
            )
            .on_conflict_do_nothing(index_elements=["idempotency_key"])
            .returning(Payment.id)
        )
        new_id = (await session.execute(stmt)).scalar_one_or_none()
        if new_id is None:  # a double click: the first payment stands
            existing = await session.execute(
                select(Payment).where(Payment.idempotency_key == idempotency_key)
            )
            return existing.scalar_one()
        payment = await session.get(Payment, new_id)
        assert payment is not None
    else:
        payment = Payment(
            unit_id=unit_id,
            bill_id=bill_id,
            amount_cents=amount_cents,
            method=method,
            paid_at=now,
            staff_id=staff_id,
            note=note,
        )
        session.add(payment)
        await session.flush()
    bills = await _open_bills(session, unit_id)
    if bill_id is not None:
        bills.sort(key=lambda b: (b.id != bill_id, b.period))
    left = await _allocate(session, payment=payment, bills=bills, amount=amount_cents)
    if left > 0:
        unit.prepaid_cents += left
    await session.flush()
    await audit(
        session,
        clock=clock,
        staff_id=staff_id,
        action="payment.record",
        target_type="unit",
        target_id=unit.code,
        detail={"amount_cents": amount_cents, "method": method, "payment_id": payment.id},
    )
    return payment


async def apply_prepaid(session: AsyncSession, *, clock: Clock, unit_id: int) -> int:
    """Pay open bills from the unit's prepaid balance; returns the amount used."""
    unit = await session.get(Unit, unit_id)
    if unit is None or unit.prepaid_cents <= 0:
        return 0
    bills = await _open_bills(session, unit_id)
    due = sum(b.amount_cents - b.paid_cents for b in bills)
    use = min(due, unit.prepaid_cents)
    if use <= 0:
        return 0
    payment = Payment(
        unit_id=unit_id, amount_cents=use, method="prepaid", paid_at=clock.now(), note="prepaid"
    )
    session.add(payment)
    await session.flush()
    await _allocate(session, payment=payment, bills=bills, amount=use)
    unit.prepaid_cents -= use
    await session.flush()
    return use


@dataclass
class Debt:
    period: str
    bill_id: int
    outstanding_cents: int
    due_date: date
    age_days: int


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


def _age(bill: Bill, as_of: date) -> int:
    return max(0, (as_of - bill.due_date).days)


async def unit_statement(
    session: AsyncSession, *, unit_id: int, as_of: date, payments_limit: int = 12
) -> Statement:
    """Everything a resident asks about fees: this month's bill, arrears by month, payments, prepaid balance."""
    unit = await session.get(Unit, unit_id)
    if unit is None:
        raise NotFound("unit_not_found")
    bills = list(
        (
            await session.execute(select(Bill).where(Bill.unit_id == unit_id).order_by(Bill.period.desc()))
        ).scalars()
    )
    current = bills[0] if bills else None
    lines = []
    if current is not None:
        lines = list(
            (
                await session.execute(
                    select(BillLine).where(BillLine.bill_id == current.id).order_by(BillLine.id)
                )
            ).scalars()
        )
    debts = [
        Debt(b.period, b.id, b.amount_cents - b.paid_cents, b.due_date, _age(b, as_of))
        for b in sorted(bills, key=lambda b: b.period)
        if b.paid_cents < b.amount_cents
    ]
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
        lines=lines,
        debts=debts,
        payments=payments,
        prepaid_cents=unit.prepaid_cents,
    )


@dataclass
class ArrearsRow:
    unit_id: int
    unit_code: str
    names: list[str]
    debts: list[Debt] = field(default_factory=list)

    @property
    def total_cents(self) -> int:
        return sum(d.outstanding_cents for d in self.debts)

    @property
    def oldest_age_days(self) -> int:
        return max((d.age_days for d in self.debts), default=0)


async def arrears(
    session: AsyncSession, *, estate_id: int, as_of: date, building_id: int | None = None
) -> list[ArrearsRow]:
    """Units owing money on bills past their due date, the largest debts first (欠费)."""
    stmt = (
        select(Bill, Unit.code)
        .join(Unit, Unit.id == Bill.unit_id)
        .where(Bill.estate_id == estate_id, Bill.paid_cents < Bill.amount_cents, Bill.due_date < as_of)
        .order_by(Unit.code, Bill.period)
    )
    if building_id is not None:
        stmt = stmt.where(Unit.building_id == building_id)
    rows: dict[int, ArrearsRow] = {}
    for bill, code in (await session.execute(stmt)).all():
        row = rows.setdefault(bill.unit_id, ArrearsRow(unit_id=bill.unit_id, unit_code=code, names=[]))
        row.debts.append(
            Debt(bill.period, bill.id, bill.amount_cents - bill.paid_cents, bill.due_date, _age(bill, as_of))
        )
    if rows:
        names = await session.execute(
            select(Resident.unit_id, Resident.name)
            .where(Resident.unit_id.in_(list(rows)), Resident.active.is_(True))
            .order_by(Resident.id)
        )
        for unit_id, name in names:
            rows[unit_id].names.append(name)
    return sorted(rows.values(), key=lambda r: (-r.total_cents, r.unit_code))


@dataclass(frozen=True)
class CollectionRate:
    period: str
    due_cents: int
    paid_cents: int
    target: float

    @property
    def rate(self) -> float | None:
        return self.paid_cents / self.due_cents if self.due_cents else None

    @property
    def met(self) -> bool | None:
        return None if self.rate is None else self.rate + 1e-9 >= self.target


async def collection_rate(
    session: AsyncSession, *, estate_id: int, period: str, target: float = 0.0
) -> CollectionRate:
    """当期实收 / 当期应收: what has been paid on the period's bills so far, over what they charge."""
    due, paid = (
        await session.execute(
            select(
                func.coalesce(func.sum(Bill.amount_cents), 0), func.coalesce(func.sum(Bill.paid_cents), 0)
            ).where(Bill.estate_id == estate_id, Bill.period == period)
        )
    ).one()
    return CollectionRate(period=period, due_cents=int(due), paid_cents=int(paid), target=target)


async def collection_rates(session: AsyncSession, *, estate_id: int, as_of: date) -> list[CollectionRate]:
    """This month against 80 %, last month against 90 %, the month before against 100 %."""
    current = period_of(as_of)
    return [
        await collection_rate(session, estate_id=estate_id, period=shift(current, -i), target=target)
        for i, target in enumerate(COLLECTION_TARGETS)
    ]


async def low_balance_units(session: AsyncSession, *, estate_id: int, threshold_cents: int) -> list[Unit]:
    """Units with a prepaid balance that has run low (above zero, below the threshold)."""
    stmt = select(Unit).where(
        Unit.estate_id == estate_id, Unit.prepaid_cents > 0, Unit.prepaid_cents < threshold_cents
    )
    return list((await session.execute(stmt.order_by(Unit.code))).scalars())


async def collected_between(session: AsyncSession, *, estate_id: int, start, end) -> int:
    """Money actually received (not moved from prepaid) between two instants, for reconciliation with finance."""
    total = await session.execute(
        select(func.coalesce(func.sum(Payment.amount_cents), 0))
        .join(Unit, Unit.id == Payment.unit_id)
        .where(
            Unit.estate_id == estate_id,
            Payment.method != "prepaid",
            Payment.paid_at >= start,
            Payment.paid_at < end,
        )
    )
    return int(total.scalar_one())


def today(clock: Clock, tz: ZoneInfo) -> date:
    return local_date(clock.now(), tz)
