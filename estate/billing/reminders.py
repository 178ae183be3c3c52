"""Payment reminders (催缴): 3 days before the due date, then overdue on day 1, 7 and 30, then monthly.

One combined message per resident covers every open bill of their unit. The tier reached is computed
from the bills' state at `now`, so a run that was missed (the server was down) catches up with one
message for the highest tier reached, not one per missed day. A resident gets at most one automatic
reminder a week: a tier that falls within a week of the last reminder waits until the week is over
(and is then superseded by any higher tier reached meanwhile). Staff can always send one by hand.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import partial
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from estate.billing.debts import UnitDebt, units_with_open_bills
from estate.billing.money import fmt_yuan
from estate.core.clock import Clock
from estate.core.errors import NotFound
from estate.messaging.models import ChannelAccount
from estate.messaging.outbox import enqueue_to_resident
from estate.residents.models import Resident, Unit
from locales import N_, Translator

WEEK = timedelta(days=7)
REMINDER = N_(
    "Dear resident of {unit}, this is a friendly reminder from the customer service centre: "
    "your property fees of {total} ({months}) {when}. You can pay at the front desk or by WeChat Pay. "
    "Please ignore this message if you have already paid. Thank you!"
)
WHEN_DUE = N_("are due on {due}")
WHEN_OVERDUE = N_("have been overdue since {due}")


def tier_for(due: date, today: date) -> str | None:
    """The reminder tier reached for a bill due on `due`: due-3d, overdue-1d, -7d, -30d, then monthly."""
    days = (today - due).days
    if -3 <= days <= 0:
        return "due-3d"
    if days < -3:
        return None
    if days < 7:
        return "overdue-1d"
    if days < 30:
        return "overdue-7d"
    return f"overdue-{30 * (days // 30)}d"


def _reminder_text(debt: UnitDebt, overdue: bool, locale: str | None) -> str:
    """One resident's reminder covering every open bill of their unit, in their language."""
    t = Translator(locale)
    total = sum(b.amount_cents - b.paid_cents for b in debt.bills)
    when = t(WHEN_OVERDUE if overdue else WHEN_DUE, due=debt.oldest.due_date.isoformat())
    months = ", ".join(b.period for b in debt.bills)
    return t(REMINDER, unit=debt.unit.code, total=fmt_yuan(total), months=months, when=when)


async def reachable_residents(session: AsyncSession, *, estate_id: int) -> dict[int, list[Resident]]:
    """Active residents with a bound, unblocked chat account, by unit (one query for the whole estate)."""
    rows = await session.execute(
        select(Resident)
        .join(Unit, Unit.id == Resident.unit_id)
        .where(Unit.estate_id == estate_id, Resident.active.is_(True))
        .where(
            select(ChannelAccount.id)
            .where(ChannelAccount.resident_id == Resident.id, ChannelAccount.blocked.is_(False))
            .exists()
        )
        .order_by(Resident.id)
    )
    by_unit: dict[int, list[Resident]] = {}
    for resident in rows.scalars():
        by_unit.setdefault(resident.unit_id, []).append(resident)
    return by_unit


async def send_payment_reminders(
    session: AsyncSession,
    *,
    clock: Clock,
    estate_id: int,
    tz: ZoneInfo,
    quiet: tuple[ZoneInfo, int, int],
    manual: bool = False,
    unit_ids: list[int] | None = None,
) -> int:
    """Queue the due reminders of an estate (or, by hand, to the given units now); returns messages queued."""
    now = clock.now()
    today = now.astimezone(tz).date()
    queued = 0
    reachable = await reachable_residents(session, estate_id=estate_id)
    for debt in await units_with_open_bills(session, estate_id=estate_id):
        if unit_ids is not None and debt.unit.id not in unit_ids:
            continue
        oldest = debt.oldest
        tier = f"manual-{now:%Y%m%d%H%M}" if manual else tier_for(oldest.due_date, today)
        if tier is None:
            continue
        overdue = oldest.due_date < today
        for resident in reachable.get(debt.unit.id, []):
            if (
                not manual
                and resident.last_reminded_at is not None
                and now - resident.last_reminded_at < WEEK
            ):
                continue
            n = await enqueue_to_resident(
                session,
                clock=clock,
                resident_id=resident.id,
                key=f"remind:{debt.unit.id}:{oldest.period}:{tier}:r{resident.id}",
                text_for=partial(_reminder_text, debt, overdue),
                kind="reminder",
                quiet=quiet,
            )
            if n:
                resident.last_reminded_at = now
                queued += n
    await session.flush()
    return queued


async def remind_by_hand(
    session: AsyncSession,
    *,
    clock: Clock,
    estate_id: int,
    tz: ZoneInfo,
    quiet: tuple[ZoneInfo, int, int],
    unit_code: str | None,
) -> int:
    """Staff's "Remind now": the whole estate when no unit is named, else that unit of the estate only.

    A named unit that does not exist raises NotFound("unit_not_found"): a typo must never widen the
    reminder to every unit in arrears."""
    unit_ids = None
    if unit_code is not None:
        code = unit_code.strip().upper()
        unit_id = (
            await session.execute(select(Unit.id).where(Unit.estate_id == estate_id, Unit.code == code))
        ).scalar_one_or_none()
        if unit_id is None:
            raise NotFound("unit_not_found", unit=unit_code.strip())
        unit_ids = [unit_id]
    return await send_payment_reminders(
        session, clock=clock, estate_id=estate_id, tz=tz, quiet=quiet, manual=True, unit_ids=unit_ids
    )
