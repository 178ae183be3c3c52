"""Collection (收缴): the rate collected on a month's bills against its target, and money received."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from estate.billing.models import Bill, Payment
from estate.billing.periods import period_of, shift
from estate.residents.models import Unit

COLLECTION_TARGETS = (0.80, 0.90, 1.00)  # this month, last month, the month before (DESIGN §3)


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
    sums = await period_sums(session, estate_id=estate_id, periods=[period])
    due, paid = sums.get(period, (0, 0))
    return CollectionRate(period=period, due_cents=due, paid_cents=paid, target=target)


async def period_sums(
    session: AsyncSession, *, estate_id: int, periods: Sequence[str]
) -> dict[str, tuple[int, int]]:
    """(charged, paid so far) in cents of the estate's bills for each period that has any, in one query."""
    rows = await session.execute(
        select(Bill.period, func.sum(Bill.amount_cents), func.sum(Bill.paid_cents))
        .where(Bill.estate_id == estate_id, Bill.period.in_(list(periods)))
        .group_by(Bill.period)
    )
    return {period: (int(due or 0), int(paid or 0)) for period, due, paid in rows}


async def collection_by_month(
    session: AsyncSession, *, estate_id: int, as_of: date, months: int, targets: Sequence[float] = ()
) -> list[CollectionRate]:
    """The rates of the `months` periods up to the one holding `as_of`, newest first, in one query.

    `targets[i]` is the target of the period `i` months back (0.0 past the end of `targets`).
    """
    current = period_of(as_of)
    periods = [shift(current, -i) for i in range(months)]
    sums = await period_sums(session, estate_id=estate_id, periods=periods)
    return [
        CollectionRate(
            period=period,
            due_cents=sums.get(period, (0, 0))[0],
            paid_cents=sums.get(period, (0, 0))[1],
            target=targets[i] if i < len(targets) else 0.0,
        )
        for i, period in enumerate(periods)
    ]


async def collection_rates(session: AsyncSession, *, estate_id: int, as_of: date) -> list[CollectionRate]:
    """This month against 80 %, last month against 90 %, the month before against 100 %."""
    return await collection_by_month(
        session, estate_id=estate_id, as_of=as_of, months=len(COLLECTION_TARGETS), targets=COLLECTION_TARGETS
    )


async def collected_between(session: AsyncSession, *, estate_id: int, start: datetime, end: datetime) -> int:
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
