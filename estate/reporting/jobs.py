"""Reporting's scheduled jobs: the reconciliation with finance of the 5th and the arrears report of the
28th, one stored `Report` per estate and period, each over the estate's own calendar (`Estate.timezone`).

Listed with every other area's jobs by `estate.jobs`; the machinery is `estate.core.jobs`.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from estate.billing.collection import collected_between, collection_rates
from estate.billing.debts import arrears
from estate.billing.money import fmt_yuan
from estate.billing.periods import local_date, period_of, shift
from estate.core.clock import Clock
from estate.core.context import Context
from estate.core.db import insert_for, unit_of_work
from estate.core.jobs import Job
from estate.reporting.models import Report
from estate.residents.models import Estate


async def _store_report(
    s: AsyncSession, *, estate_id: int, kind: str, period: str, now: datetime, data: dict[str, Any]
) -> bool:
    """Keep the report unless one of its kind and period exists already; True when stored."""
    result = await s.execute(
        insert_for(s)(Report)
        .values(estate_id=estate_id, kind=kind, period=period, created_at=now, data=data)
        .on_conflict_do_nothing(index_elements=["estate_id", "kind", "period"])
        .returning(Report.id)
    )
    return result.scalar_one_or_none() is not None


async def _collection_data(s: AsyncSession, *, estate_id: int, today: date, tz: ZoneInfo) -> dict[str, Any]:
    """Last month's money in, and the collection rate of every period as at the end of last month."""
    period = shift(period_of(today), -1)
    first = datetime.strptime(period + "-01", "%Y-%m-%d").date()
    start = datetime.combine(first, datetime.min.time(), tzinfo=tz)
    end = datetime.combine(today.replace(day=1), datetime.min.time(), tzinfo=tz)
    received = await collected_between(s, estate_id=estate_id, start=start, end=end)
    rates = await collection_rates(s, estate_id=estate_id, as_of=end.date() - timedelta(days=1))
    return {
        "period": period,
        "received_cents": received,
        "received": fmt_yuan(received),
        "rates": [
            {
                "period": r.period,
                "due_cents": r.due_cents,
                "paid_cents": r.paid_cents,
                "rate": r.rate,
                "target": r.target,
                "met": r.met,
            }
            for r in rates
        ],
    }


async def collection_report(ctx: Context, clock: Clock) -> str:
    """The reconciliation with finance of the 5th (每月5日与财务部核算回收款金额): last month's money in."""
    made = 0
    async with unit_of_work(ctx.sessions) as s:
        for estate in (await s.execute(select(Estate).order_by(Estate.id))).scalars().all():
            tz = ctx.tz_for(estate)
            data = await _collection_data(s, estate_id=estate.id, today=local_date(clock.now(), tz), tz=tz)
            made += await _store_report(
                s, estate_id=estate.id, kind="collection", period=data["period"], now=clock.now(), data=data
            )
    return f"{made} collection report(s) made"


async def _arrears_data(s: AsyncSession, *, estate_id: int, today: date) -> dict[str, Any]:
    """Every unit in arrears as at today: what it owes and since when."""
    rows = await arrears(s, estate_id=estate_id, as_of=today)
    return {
        "as_of": today.isoformat(),
        "units": len(rows),
        "total_cents": sum(r.total_cents for r in rows),
        "rows": [
            {
                "unit": r.unit_code,
                "names": r.names,
                "total_cents": r.total_cents,
                "oldest_age_days": r.oldest_age_days,
                "months": [d.period for d in r.debts],
            }
            for r in rows
        ],
    }


async def arrears_report(ctx: Context, clock: Clock) -> str:
    """The arrears report of the 28th for the manager (每月28日向部门经理汇报欠费情况)."""
    made = 0
    async with unit_of_work(ctx.sessions) as s:
        for estate in (await s.execute(select(Estate).order_by(Estate.id))).scalars().all():
            today = local_date(clock.now(), ctx.tz_for(estate))
            data = await _arrears_data(s, estate_id=estate.id, today=today)
            made += await _store_report(
                s, estate_id=estate.id, kind="arrears", period=period_of(today), now=clock.now(), data=data
            )
    return f"{made} arrears report(s) made"


JOBS = (
    Job(
        "collection_report",
        "Reconciliation report for finance (the 5th, 08:00)",
        {"trigger": "cron", "day": 5, "hour": 8, "minute": 0},
        collection_report,
    ),
    Job(
        "arrears_report",
        "Arrears report for the manager (the 28th, 08:00)",
        {"trigger": "cron", "day": 28, "hour": 8, "minute": 0},
        arrears_report,
    ),
)
