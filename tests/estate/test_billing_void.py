"""Issue #14, fees: the preview of a month's bills, voiding a bill with a reason, arrears by building,
Excel date cells as billing months, and imports audited with the staff member who ran them."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from estate.billing.bills import generate_monthly_bills
from estate.billing.debts import arrears, units_with_open_bills
from estate.billing.imports import import_bills, import_payments
from estate.billing.models import Bill, BillLine, FeeItem
from estate.billing.payments import record_payment
from estate.billing.periods import period_from_cell
from estate.billing.preview import preview_monthly_bills
from estate.billing.reminders import remind_by_hand
from estate.billing.statements import unit_statement
from estate.billing.void import void_bill, voided_bills
from estate.core.errors import ValidationFailed
from estate.residents.models import Building, Unit
from estate.staff.models import AuditLog
from tests.support.factories import make_world


async def _world_with_fees(s, at):
    """The factory world (building 1, unit 1-101 of 88.5 m²) plus building 2 with a vacant unit 2-201 of 60 m²,
    a management fee per m² and a fixed shared-utilities fee that vacant units do not pay."""
    world = await make_world(s, at=at)
    b2 = Building(estate_id=world.estate.id, code="2", name="Building 2")
    s.add(b2)
    await s.flush()
    s.add(
        Unit(
            estate_id=world.estate.id,
            building_id=b2.id,
            code="2-201",
            floor=2,
            area_m2=Decimal("60.00"),
            occupancy="vacant",
        )
    )
    s.add(
        FeeItem(estate_id=world.estate.id, code="m", name="物业管理费", kind="per_area", unit_price_cents=200)
    )
    s.add(
        FeeItem(
            estate_id=world.estate.id,
            code="s",
            name="公摊水电",
            kind="fixed",
            unit_price_cents=1000,
            applies_to_vacant=False,
        )
    )
    await s.flush()
    return world


async def _count(s, model, *where) -> int:
    return (await s.execute(select(func.count()).select_from(model).where(*where))).scalar_one()


async def test_the_preview_says_what_would_be_issued_and_creates_nothing(sessions, clock):
    async with sessions() as s, s.begin():
        world = await _world_with_fees(s, clock.now())
        preview = await preview_monthly_bills(s, estate_id=world.estate.id, period="2026-12")
        assert await _count(s, Bill) == 0
    assert preview.period == "2026-12"
    assert preview.units == 2 and preview.already_billed == 0
    # 1-101: 88.5 m² x 2.00 = 177.00 + 10.00; 2-201 (vacant): 60 m² x 2.00 = 120.00
    assert preview.total_cents == 17700 + 1000 + 12000
    assert [(i.name, i.units, i.total_cents) for i in preview.items] == [
        ("物业管理费", 2, 29700),
        ("公摊水电", 1, 1000),
    ]
    async with sessions() as s, s.begin():
        created = await generate_monthly_bills(s, clock=clock, estate_id=world.estate.id, period="2026-12")
        again = await preview_monthly_bills(s, estate_id=world.estate.id, period="2026-12")
    assert created == 2
    assert again.units == 0 and again.already_billed == 2 and again.total_cents == 0


async def test_a_bill_is_voided_with_a_reason_audited_and_no_longer_owed(sessions, clock):
    async with sessions() as s, s.begin():
        world = await _world_with_fees(s, clock.now())
        await generate_monthly_bills(s, clock=clock, estate_id=world.estate.id, period="2026-10")
        bill = (await s.execute(select(Bill).where(Bill.unit_id == world.unit.id))).scalar_one()
        today = date(2026, 11, 22)
        assert [r.unit_code for r in await arrears(s, estate_id=world.estate.id, as_of=today)] == [
            "1-101",
            "2-201",
        ]
        with pytest.raises(ValidationFailed) as blank:
            await void_bill(s, clock=clock, bill_id=bill.id, staff_id=world.staff["cashier"].id, reason="  ")
        assert blank.value.code == "void_needs_reason"
        await void_bill(
            s, clock=clock, bill_id=bill.id, staff_id=world.staff["cashier"].id, reason="面积录错，重开"
        )
    async with sessions() as s:
        assert await _count(s, Bill, Bill.unit_id == world.unit.id) == 0
        assert await _count(s, BillLine, BillLine.bill_id == bill.id) == 0
        owing = await arrears(s, estate_id=world.estate.id, as_of=date(2026, 11, 22))
        statement = await unit_statement(s, unit_id=world.unit.id, as_of=date(2026, 11, 22))
        entry = (await s.execute(select(AuditLog).where(AuditLog.action == "bill.void"))).scalar_one()
        shown = await voided_bills(s, unit_code="1-101")
    assert [r.unit_code for r in owing] == ["2-201"]
    assert statement.current is None and statement.debts == []
    assert entry.staff_id == world.staff["cashier"].id and entry.target_id == "1-101"
    assert entry.detail["reason"] == "面积录错，重开"
    assert entry.detail["period"] == "2026-10" and entry.detail["amount_cents"] == 18700
    assert [(v.period, v.amount_cents, v.reason, v.staff_name) for v in shown] == [
        ("2026-10", 18700, "面积录错，重开", "Cashier")
    ]


async def test_a_voided_bill_is_not_reminded(sessions, clock):
    tz = ZoneInfo("Asia/Shanghai")
    async with sessions() as s, s.begin():
        world = await _world_with_fees(s, clock.now())
        await generate_monthly_bills(s, clock=clock, estate_id=world.estate.id, period="2026-10")
        bill = (await s.execute(select(Bill).where(Bill.unit_id == world.unit.id))).scalar_one()
        before = [d.unit.code for d in await units_with_open_bills(s, estate_id=world.estate.id)]
        await void_bill(
            s, clock=clock, bill_id=bill.id, staff_id=world.staff["cashier"].id, reason="重复账单"
        )
        after = [d.unit.code for d in await units_with_open_bills(s, estate_id=world.estate.id)]
        queued = await remind_by_hand(
            s, clock=clock, estate_id=world.estate.id, tz=tz, quiet=(tz, 22, 8), unit_code="1-101"
        )
    assert before == ["1-101", "2-201"] and after == ["2-201"]
    assert queued == 0


async def test_a_paid_or_part_paid_bill_cannot_be_voided(sessions, clock):
    async with sessions() as s, s.begin():
        world = await _world_with_fees(s, clock.now())
        await generate_monthly_bills(s, clock=clock, estate_id=world.estate.id, period="2026-10")
        bill = (await s.execute(select(Bill).where(Bill.unit_id == world.unit.id))).scalar_one()
        await record_payment(s, clock=clock, unit_id=world.unit.id, amount_cents=5000)
        with pytest.raises(ValidationFailed) as refused:
            await void_bill(s, clock=clock, bill_id=bill.id, staff_id=world.staff["cashier"].id, reason="错")
    assert refused.value.code == "bill_has_payments" and refused.value.params["paid_cents"] == 5000
    async with sessions() as s:
        assert await _count(s, Bill, Bill.unit_id == world.unit.id) == 1
        assert await _count(s, AuditLog, AuditLog.action == "bill.void") == 0


async def test_arrears_carry_their_building_and_filter_by_it(sessions, clock):
    async with sessions() as s, s.begin():
        world = await _world_with_fees(s, clock.now())
        await generate_monthly_bills(s, clock=clock, estate_id=world.estate.id, period="2026-10")
        today = date(2026, 11, 22)
        everyone = await arrears(s, estate_id=world.estate.id, as_of=today)
        b2 = (await s.execute(select(Building).where(Building.code == "2"))).scalar_one()
        only_two = await arrears(s, estate_id=world.estate.id, as_of=today, building_id=b2.id)
    assert {(r.unit_code, r.building) for r in everyone} == {("1-101", "Building 1"), ("2-201", "Building 2")}
    assert [r.unit_code for r in only_two] == ["2-201"]


@pytest.mark.parametrize(
    ("cell", "period"),
    [
        ("2026-11", "2026-11"),
        ("2026-11-01 00:00:00", "2026-11"),  # an Excel date cell as read from XLSX
        ("2026-11-01", "2026-11"),
        ("2026/11", "2026-11"),
        ("2026年11月", "2026-11"),
        ("2026-13", None),
        ("十一月", None),
        ("", None),
    ],
)
def test_a_period_cell_is_read_as_its_month(cell, period):
    assert period_from_cell(cell) == period


async def test_imported_payments_are_recorded_by_the_staff_member_who_ran_the_import(sessions, clock):
    async with sessions() as s, s.begin():
        world = await _world_with_fees(s, clock.now())
        cashier = world.staff["cashier"].id
        bills = await import_bills(
            s,
            clock=clock,
            estate_id=world.estate.id,
            rows=[
                {"unit": "1-101", "period": str(datetime(2026, 9, 1)), "item": "物业管理费", "amount": "177"},
                {"unit": "9-999", "period": "2026-09", "item": "物业管理费", "amount": "1"},
            ],
        )
        payments = await import_payments(
            s,
            clock=clock,
            estate_id=world.estate.id,
            staff_id=cashier,
            rows=[{"unit": "1-101", "amount": "177", "paid_at": "2026-11-01", "reference": "R-1"}],
        )
    assert bills.created == 1 and [e.code for e in bills.errors] == ["unknown_unit"]
    assert payments.created == 1
    async with sessions() as s:
        entries = (await s.execute(select(AuditLog).order_by(AuditLog.id))).scalars().all()
        bill = (await s.execute(select(Bill).where(Bill.unit_id == world.unit.id))).scalar_one()
    assert bill.period == "2026-09" and bill.paid_cents == 17700
    assert [(e.action, e.staff_id) for e in entries] == [("payment.record", cashier)]  # not "the system"
