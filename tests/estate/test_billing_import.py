"""Importing bills and payments: bad rows named, good rows kept, re-imports harmless."""

from __future__ import annotations

from sqlalchemy import func, select

from estate.billing.imports import import_bills, import_payments
from estate.billing.models import Bill, Payment
from tests.support.factories import make_world

BILLS = [
    {"unit": "1-101", "period": "2026-09", "item": "Management fee", "amount": "163.73"},
    {"unit": "1-101", "period": "2026-09", "item": "Parking", "amount": "300"},
    {"unit": "1-101", "period": "2026-13", "item": "x", "amount": "1"},
    {"unit": "9-999", "period": "2026-09", "item": "x", "amount": "1"},
    {"unit": "1-101", "period": "2026-10", "item": "Management fee", "amount": "-5"},
]
PAYMENTS = [
    {"unit": "1-101", "amount": "400", "paid_at": "2026-09-20", "method": "微信", "reference": "R-1"},
    {"unit": "1-101", "amount": "10", "paid_at": "2099-01-01", "method": "cash", "reference": "R-2"},
    {"unit": "1-101", "amount": "10", "paid_at": "2026-09-21", "method": "cash", "reference": ""},
]


async def test_bills_then_payments(sessions, clock):
    async with sessions() as s, s.begin():
        world = await make_world(s, at=clock.now())
        report = await import_bills(s, clock=clock, estate_id=world.estate.id, rows=BILLS)
        again = await import_bills(s, clock=clock, estate_id=world.estate.id, rows=BILLS)
        pay = await import_payments(s, clock=clock, estate_id=world.estate.id, rows=PAYMENTS)
        pay_again = await import_payments(s, clock=clock, estate_id=world.estate.id, rows=PAYMENTS)
        bill = (await s.execute(select(Bill))).scalar_one()
        payments = (await s.execute(select(func.count()).select_from(Payment))).scalar_one()
        method = (await s.execute(select(Payment.method))).scalar_one()
    assert (report.created, again.created, again.skipped) == (1, 0, 1)
    assert [(e.row_number, e.code) for e in report.errors] == [
        (4, "bad_period"),
        (5, "unknown_unit"),
        (6, "bad_amount"),
    ]
    assert bill.amount_cents == 46373 and bill.paid_cents == 40000
    assert (pay.created, pay_again.created, pay_again.skipped, payments, method) == (1, 0, 1, 1, "wechat")
    assert [(e.row_number, e.code) for e in pay.errors] == [(3, "bad_date"), (4, "missing_reference")]
