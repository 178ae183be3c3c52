"""The demo's fees: the fee items, and three months of bills with realistic arrears — the month before last
almost all paid, last month mostly, this month half."""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from estate.billing.bills import generate_monthly_bills
from estate.billing.models import Bill, FeeItem
from estate.billing.money import yuan_to_cents
from estate.billing.payments import record_payment
from estate.billing.periods import local_date, period_of, shift
from estate.core.clock import FixedClock
from estate.core.context import Context
from estate.core.db import unit_of_work
from estate.demo.data import SEED
from estate.residents.models import Estate

PAID_SHARES = ((2, 0.95), (1, 0.85), (0, 0.5))  # (months ago, share of bills paid in full)
METHODS = ["wechat", "wechat", "alipay", "cash", "bank"]


async def seed_fee_items(s: AsyncSession, data: dict, *, estate_id: int) -> dict[str, FeeItem]:
    """The estate's fee items, by code."""
    fees = {
        f["code"]: FeeItem(
            estate_id=estate_id,
            code=f["code"],
            name=f["name"],
            kind=f["kind"],
            unit_price_cents=yuan_to_cents(f["unit_price"]),
            applies_to_vacant=f["applies_to_vacant"],
        )
        for f in data["fees"]
    }
    s.add_all(fees.values())
    await s.flush()
    return fees


async def seed_bills(ctx: Context, estate: Estate) -> None:
    """Three months of bills, each issued on its 1st, and the payments made on them since."""
    rng = random.Random(SEED + 1)
    tz = ctx.tz_for(estate)
    now = ctx.clock.now()
    current = period_of(local_date(now, tz))
    for age, paid_share in PAID_SHARES:
        period = shift(current, -age)
        issued = FixedClock(datetime.combine(_first_day(period), time(0, 30), tzinfo=tz))
        async with unit_of_work(ctx.sessions) as s:
            await generate_monthly_bills(s, clock=issued, estate_id=estate.id, period=period)
            pay_day = FixedClock(min(now, issued.now() + timedelta(days=rng.randrange(3, 14))))
            await _pay_some(s, rng, estate_id=estate.id, period=period, paid_share=paid_share, clock=pay_day)


def _first_day(period: str):
    return datetime.strptime(period + "-01", "%Y-%m-%d").date()


async def _pay_some(
    s: AsyncSession, rng: random.Random, *, estate_id: int, period: str, paid_share: float, clock: FixedClock
) -> None:
    """Pay `paid_share` of the period's bills in full and a few by half; the rest stay owed."""
    bills = await s.execute(
        select(Bill).where(Bill.estate_id == estate_id, Bill.period == period).order_by(Bill.id)
    )
    for bill in bills.scalars().all():
        roll = rng.random()
        if roll < paid_share:
            amount = bill.amount_cents - bill.paid_cents
        elif roll < paid_share + 0.04:
            amount = (bill.amount_cents - bill.paid_cents) // 2
        else:
            continue
        if amount > 0:
            await record_payment(
                s, clock=clock, unit_id=bill.unit_id, amount_cents=amount, method=rng.choice(METHODS)
            )
