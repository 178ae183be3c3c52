"""Billing's scheduled jobs: the month's bills, payment reminders, and telling residents whose prepaid
balance runs low — each estate by its own calendar (`Estate.timezone`) and its residents' quiet hours.

Listed with every other area's jobs by `estate.jobs`; the machinery is `estate.core.jobs`.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from estate.billing import reminders
from estate.billing.bills import generate_monthly_bills
from estate.billing.debts import low_balance_units
from estate.billing.money import fmt_yuan
from estate.billing.periods import local_date, period_of
from estate.core.clock import Clock
from estate.core.context import Context
from estate.core.db import unit_of_work
from estate.core.jobs import Job
from estate.messaging import outbox
from estate.residents.models import Estate, Resident, Unit
from locales import N_, Translator

LOW_BALANCE = N_(
    "Dear resident of {unit}, your prepaid property-fee balance is {balance}, which may not cover the next bill. "
    "Please top it up at your convenience. Thank you!"
)


async def monthly_bills(ctx: Context, clock: Clock) -> str:
    created = 0
    async with unit_of_work(ctx.sessions) as s:
        for estate in (await s.execute(select(Estate).order_by(Estate.id))).scalars().all():
            period = period_of(local_date(clock.now(), ctx.tz_for(estate)))
            created += await generate_monthly_bills(s, clock=clock, estate_id=estate.id, period=period)
    return f"{created} bill(s) issued"


async def payment_reminders(ctx: Context, clock: Clock) -> str:
    queued = 0
    async with unit_of_work(ctx.sessions) as s:
        for estate in (await s.execute(select(Estate).order_by(Estate.id))).scalars().all():
            queued += await reminders.send_payment_reminders(
                s, clock=clock, estate_id=estate.id, tz=ctx.tz_for(estate), quiet=ctx.quiet_for(estate)
            )
    return f"{queued} reminder(s) queued"


async def low_balance(ctx: Context, clock: Clock) -> str:
    queued = 0
    async with unit_of_work(ctx.sessions) as s:
        for estate in (await s.execute(select(Estate).order_by(Estate.id))).scalars().all():
            threshold = ctx.settings.low_balance_threshold_cents
            for unit in await low_balance_units(s, estate_id=estate.id, threshold_cents=threshold):
                queued += await _tell_low_balance(s, clock=clock, unit=unit, quiet=ctx.quiet_for(estate))
    return f"{queued} low-balance notice(s) queued"


async def _tell_low_balance(s: AsyncSession, *, clock: Clock, unit: Unit, quiet) -> int:
    """Queue the low-balance notice to each active resident of the unit."""

    def text_for(locale: str | None) -> str:
        return Translator(locale)(LOW_BALANCE, unit=unit.code, balance=fmt_yuan(unit.prepaid_cents))

    residents = await s.execute(
        select(Resident).where(Resident.unit_id == unit.id, Resident.active.is_(True))
    )
    queued = 0
    for resident in residents.scalars().all():
        # One notice per balance level: a balance that stays put is not announced again.
        queued += await outbox.enqueue_to_resident(
            s,
            clock=clock,
            resident_id=resident.id,
            key=f"lowbal:{unit.id}:{unit.prepaid_cents}",
            text_for=text_for,
            kind="reminder",
            quiet=quiet,
        )
    return queued


JOBS = (
    Job(
        "monthly_bills",
        "Issue the month's bills (the 1st, 00:30)",
        {"trigger": "cron", "day": 1, "hour": 0, "minute": 30},
        monthly_bills,
    ),
    Job(
        "payment_reminders",
        "Payment reminders: 3 days before due, overdue day 1, 7, 30, then monthly (10:00)",
        {"trigger": "cron", "hour": 10, "minute": 0},
        payment_reminders,
    ),
    Job(
        "low_balance",
        "Tell residents whose prepaid balance runs low (daily, 10:30)",
        {"trigger": "cron", "hour": 10, "minute": 30},
        low_balance,
    ),
)
