"""Collection (收缴): the rate collected on a month's bills against its target, and money received."""

from __future__ import annotations

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
