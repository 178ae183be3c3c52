"""Monthly bills, payments, prepaid balances, arrears and collection rates."""

from __future__ import annotations

import asyncio
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from estate.billing.allocation import apply_prepaid
from estate.billing.bills import generate_monthly_bills
from estate.billing.collection import collection_rates
from estate.billing.debts import arrears, low_balance_units
from estate.billing.models import Bill, BillLine, FeeItem, Payment, UnitFee
from estate.billing.money import yuan_to_cents
from estate.billing.payments import record_payment
from estate.billing.statements import unit_statement
from estate.core.errors import ValidationFailed
from estate.residents.models import Unit
from tests.support.factories import make_world


async def _fees(s, world, *, vacant_unit=True):
    mgmt = FeeItem(
        estate_id=world.estate.id,
        code="management",
        name="Management fee",
        kind="per_area",
        unit_price_cents=185,
    )
    parking = FeeItem(
        estate_id=world.estate.id,
        code="parking",
        name="Parking",
        kind="per_quantity",
        unit_price_cents=30000,
        applies_to_vacant=False,
    )
    shared = FeeItem(
        estate_id=world.estate.id,
        code="shared",
        name="Shared utilities",
        kind="fixed",
        unit_price_cents=1250,
        applies_to_vacant=False,
    )
    s.add_all([mgmt, parking, shared])
    await s.flush()
    s.add(UnitFee(unit_id=world.unit.id, fee_item_id=parking.id, quantity=1))
    if vacant_unit:
        s.add(
            Unit(
                estate_id=world.estate.id,
                building_id=world.building.id,
                code="1-102",
                floor=1,
                area_m2=Decimal("100.00"),
                occupancy="vacant",
            )
        )
    await s.flush()


async def test_bills_are_area_times_price_plus_parking_and_shared(sessions, clock):
    async with sessions() as s, s.begin():
        world = await make_world(s, at=clock.now())
        await _fees(s, world)
        assert await generate_monthly_bills(s, clock=clock, estate_id=world.estate.id, period="2026-11") == 2
        bills = {b.unit_id: b for b in (await s.execute(select(Bill))).scalars()}
        lines = (
            await s.execute(
                select(BillLine.description, BillLine.amount_cents).where(
                    BillLine.bill_id == bills[world.unit.id].id
                )
            )
        ).all()
    # 88.50 m² × ¥1.85 = ¥163.725 -> ¥163.73 (half up); parking ¥300; shared ¥12.50
    assert sorted(lines) == [("Management fee", 16373), ("Parking", 30000), ("Shared utilities", 1250)]
    assert bills[world.unit.id].amount_cents == 16373 + 30000 + 1250
    assert bills[world.unit.id].due_date == date(2026, 11, 15)
    vacant = next(b for uid, b in bills.items() if uid != world.unit.id)
    assert vacant.amount_cents == 18500  # vacant: management fee only


async def test_generating_twice_or_concurrently_creates_nothing_new(sessions, clock):
    async with sessions() as s, s.begin():
        world = await make_world(s, at=clock.now())
        await _fees(s, world)

    async def run():
        async with sessions() as s, s.begin():
            return await generate_monthly_bills(s, clock=clock, estate_id=world.estate.id, period="2026-12")

    counts = await asyncio.gather(run(), run())
    counts2 = await run()
    async with sessions() as s:
        n = (await s.execute(select(func.count()).select_from(Bill))).scalar_one()
        nlines = (await s.execute(select(func.count()).select_from(BillLine))).scalar_one()
    assert n == 2 and sum(counts) == 2 and counts2 == 0
    assert nlines == 4


async def test_partial_then_full_payment_oldest_first_and_surplus_to_prepaid(sessions, clock):
    async with sessions() as s, s.begin():
        world = await make_world(s, at=clock.now())
        await _fees(s, world, vacant_unit=False)
        for p in ("2026-09", "2026-10"):
            await generate_monthly_bills(s, clock=clock, estate_id=world.estate.id, period=p)
        total = 2 * 47623
        await record_payment(s, clock=clock, unit_id=world.unit.id, amount_cents=20000, method="wechat")
        sep, oct_ = (await s.execute(select(Bill).order_by(Bill.period))).scalars().all()
        assert (sep.paid_cents, oct_.paid_cents) == (20000, 0)
        await record_payment(
            s, clock=clock, unit_id=world.unit.id, amount_cents=total - 20000 + 5000, method="cash"
        )
        assert sep.paid_cents == sep.amount_cents and oct_.paid_cents == oct_.amount_cents
        assert sep.settled_at is not None
        unit = await s.get(Unit, world.unit.id)
        assert unit.prepaid_cents == 5000
        statement = await unit_statement(s, unit_id=world.unit.id, as_of=date(2026, 11, 22))
    assert statement.debts == [] and statement.prepaid_cents == 5000 and len(statement.payments) == 2


async def test_prepaid_balance_pays_the_next_bill(sessions, clock):
    async with sessions() as s, s.begin():
        world = await make_world(s, at=clock.now())
        await _fees(s, world, vacant_unit=False)
        await record_payment(s, clock=clock, unit_id=world.unit.id, amount_cents=60000, method="bank")
        assert (await s.get(Unit, world.unit.id)).prepaid_cents == 60000
        await generate_monthly_bills(s, clock=clock, estate_id=world.estate.id, period="2026-11")
        bill = (await s.execute(select(Bill))).scalar_one()
        assert bill.paid_cents == bill.amount_cents == 47623
        assert (await s.get(Unit, world.unit.id)).prepaid_cents == 60000 - 47623
        assert await apply_prepaid(s, clock=clock, unit_id=world.unit.id) == 0
        low = await low_balance_units(s, estate_id=world.estate.id, threshold_cents=20000)
    assert [u.code for u in low] == ["1-101"]


async def test_a_double_clicked_payment_counts_once(sessions, clock):
    async with sessions() as s, s.begin():
        world = await make_world(s, at=clock.now())
        await _fees(s, world, vacant_unit=False)
        await generate_monthly_bills(s, clock=clock, estate_id=world.estate.id, period="2026-11")

    async def pay():
        async with sessions() as s, s.begin():
            p = await record_payment(
                s, clock=clock, unit_id=world.unit.id, amount_cents=10000, idempotency_key="form-abc"
            )
            return p.id

    ids = await asyncio.gather(pay(), pay())
    ids.append(await pay())
    async with sessions() as s:
        payments = (await s.execute(select(func.count()).select_from(Payment))).scalar_one()
        bill = (await s.execute(select(Bill))).scalar_one()
    assert payments == 1 and len(set(ids)) == 1
    assert bill.paid_cents == 10000


async def test_bad_amounts_are_refused(sessions, clock):
    async with sessions() as s, s.begin():
        world = await make_world(s, at=clock.now())
        with pytest.raises(ValidationFailed):
            await record_payment(s, clock=clock, unit_id=world.unit.id, amount_cents=0)
        with pytest.raises(ValidationFailed):
            await record_payment(s, clock=clock, unit_id=world.unit.id, amount_cents=100, method="gold")


async def test_arrears_and_collection_rates_on_a_hand_computed_example(sessions, clock):
    async with sessions() as s, s.begin():
        world = await make_world(s, at=clock.now())
        s.add(
            FeeItem(
                estate_id=world.estate.id, code="flat", name="Flat fee", kind="fixed", unit_price_cents=10000
            )
        )
        other = Unit(
            estate_id=world.estate.id,
            building_id=world.building.id,
            code="1-102",
            floor=1,
            area_m2=Decimal(90),
        )
        s.add(other)
        await s.flush()
        for p in ("2026-09", "2026-10", "2026-11"):
            await generate_monthly_bills(s, clock=clock, estate_id=world.estate.id, period=p)
        bills = {(b.unit_id, b.period): b for b in (await s.execute(select(Bill))).scalars()}
        # 1-101 pays Sep, Oct and Nov in full; 1-102 pays Sep in full and half of Oct.
        for p in ("2026-09", "2026-10", "2026-11"):
            await record_payment(
                s,
                clock=clock,
                unit_id=world.unit.id,
                amount_cents=10000,
                bill_id=bills[(world.unit.id, p)].id,
            )
        await record_payment(s, clock=clock, unit_id=other.id, amount_cents=15000)
        rates = await collection_rates(s, estate_id=world.estate.id, as_of=date(2026, 11, 22))
        owing = await arrears(s, estate_id=world.estate.id, as_of=date(2026, 11, 22))
    assert [(r.period, r.due_cents, r.paid_cents, r.target) for r in rates] == [
        ("2026-11", 20000, 10000, 0.8),
        ("2026-10", 20000, 15000, 0.9),
        ("2026-09", 20000, 20000, 1.0),
    ]
    assert [r.rate for r in rates] == [0.5, 0.75, 1.0]
    assert [r.met for r in rates] == [False, False, True]
    # Nov is due on the 15th, so on the 22nd both Oct (half) and Nov are overdue for 1-102.
    assert len(owing) == 1 and owing[0].unit_code == "1-102"
    assert [(d.period, d.outstanding_cents, d.age_days) for d in owing[0].debts] == [
        ("2026-10", 5000, 38),
        ("2026-11", 10000, 7),
    ]
    assert owing[0].total_cents == 15000 and owing[0].oldest_age_days == 38


@pytest.mark.parametrize("text", ["12.345", "¥0.001", "1,234.505"])
def test_an_amount_finer_than_a_fen_is_refused_not_rounded(text):
    with pytest.raises(ValidationFailed) as refused:
        yuan_to_cents(text)
    assert refused.value.code == "bad_amount"


@pytest.mark.parametrize(
    ("text", "cents"), [("12.34", 1234), ("¥1,234.5", 123450), ("12.340", 1234), ("7", 700)]
)
def test_amounts_in_yuan_and_fen_are_read_exactly(text, cents):
    assert yuan_to_cents(text) == cents
