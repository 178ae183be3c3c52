"""Payment reminders (催缴): 3 days before the due date, then overdue on day 1, 7 and 30, then monthly.

One combined message per resident covers every open bill of their unit. The tier reached is computed
from the bills' state at `now`, so a run that was missed (the server was down) catches up with one
message for the highest tier reached, not one per missed day. A resident gets at most one automatic
reminder a week: a tier that falls within a week of the last reminder waits until the week is over
(and is then superseded by any higher tier reached meanwhile). Staff can always send one by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from estate.billing.debts import UnitDebt, units_with_open_bills
from estate.billing.money import fmt_yuan
from estate.core.clock import Clock
from estate.core.errors import NotFound
from estate.messaging.models import ChannelAccount
from estate.messaging.outbox import MAX_ROWS_PER_INSERT, enqueue_many
from estate.messaging.quiet import send_from
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


@cache
def _templates(locale: str | None) -> tuple[str, str, str]:
    """The reminder and its two "when" phrases in one language, translated once per process."""
    t = Translator(locale)
    return t(REMINDER), t(WHEN_DUE), t(WHEN_OVERDUE)


def _reminder_text(debt: UnitDebt, overdue: bool, locale: str | None) -> str:
    """One resident's reminder covering every open bill of their unit, in their language."""
    reminder, when_due, when_overdue = _templates(locale)
    total = sum(b.amount_cents - b.paid_cents for b in debt.bills)
    when = (when_overdue if overdue else when_due).format(due=debt.oldest.due_date.isoformat())
    months = ", ".join(b.period for b in debt.bills)
    return reminder.format(unit=debt.unit.code, total=fmt_yuan(total), months=months, when=when)


@dataclass(frozen=True, slots=True)
class Recipient:
    """A resident a reminder can reach, with the chat account it goes to."""

    resident_id: int
    locale: str | None
    last_reminded_at: datetime | None
    account_id: int
    channel: str


async def reachable_residents(session: AsyncSession, *, estate_id: int) -> dict[int, list[Recipient]]:
    """Active residents with a bound, unblocked chat account, by unit, each with the account a reminder
    goes to (the most recently used one, as `enqueue_to_resident` picks); one query for the estate."""
    rows = await session.execute(
        select(
            Resident.id,
            Resident.unit_id,
            Resident.locale,
            Resident.last_reminded_at,
            ChannelAccount.locale,
            ChannelAccount.id,
            ChannelAccount.channel,
        )
        .join(Unit, Unit.id == Resident.unit_id)
        .join(ChannelAccount, ChannelAccount.resident_id == Resident.id)
        .where(Unit.estate_id == estate_id, Resident.active.is_(True), ChannelAccount.blocked.is_(False))
        .order_by(Resident.id, ChannelAccount.last_inbound_at.desc().nulls_last(), ChannelAccount.id.desc())
    )
    by_unit: dict[int, list[Recipient]] = {}
    last = None
    for resident_id, unit_id, locale, reminded, account_locale, account_id, channel in rows.tuples():
        if resident_id != last:
            person = Recipient(resident_id, account_locale or locale, reminded, account_id, channel)
            by_unit.setdefault(unit_id, []).append(person)
            last = resident_id
    return by_unit


def _capped(person: Recipient, now: datetime) -> bool:
    """True when the resident had an automatic reminder less than a week ago."""
    return person.last_reminded_at is not None and now - person.last_reminded_at < WEEK


def _unit_rows(
    debt: UnitDebt, tier: str, overdue: bool, people: list[Recipient], not_before: datetime
) -> list[tuple[int, dict[str, Any]]]:
    """One unit's reminder as (resident id, outbox row) pairs; the text is rendered once per language."""
    texts: dict[str | None, str] = {}
    rows = []
    for person in people:
        if person.locale not in texts:
            texts[person.locale] = _reminder_text(debt, overdue, person.locale)
        key = f"remind:{debt.unit.id}:{debt.oldest.period}:{tier}:r{person.resident_id}"
        fields = dict(
            dedupe_key=f"{key}:{person.channel}:{person.account_id}",
            channel=person.channel,
            channel_account_id=person.account_id,
            resident_id=person.resident_id,
            text=texts[person.locale],
            kind="reminder",
            not_before=not_before,
        )
        rows.append((person.resident_id, fields))
    return rows


async def _mark_reminded(session: AsyncSession, resident_ids: list[int], now: datetime) -> None:
    """Record when these residents were reminded (for the weekly cap), a chunk of ids per UPDATE; the
    session's own copies of those residents are brought up to date too."""
    for start in range(0, len(resident_ids), MAX_ROWS_PER_INSERT):
        chunk = resident_ids[start : start + MAX_ROWS_PER_INSERT]
        await session.execute(
            update(Resident).where(Resident.id.in_(chunk)).values(last_reminded_at=now),
            execution_options={"synchronize_session": False},
        )
    reminded = set(resident_ids)
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Resident) and obj.id in reminded:
            set_committed_value(obj, "last_reminded_at", now)


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
    not_before = send_from(now, quiet=quiet, urgent=False)
    reachable = await reachable_residents(session, estate_id=estate_id)
    rows: list[tuple[int, dict[str, Any]]] = []
    for debt in await units_with_open_bills(session, estate_id=estate_id):
        if unit_ids is not None and debt.unit.id not in unit_ids:
            continue
        oldest = debt.oldest
        tier = f"manual-{now:%Y%m%d%H%M}" if manual else tier_for(oldest.due_date, today)
        if tier is None:
            continue
        people = [p for p in reachable.get(debt.unit.id, []) if manual or not _capped(p, now)]
        rows += _unit_rows(debt, tier, oldest.due_date < today, people, not_before)
    queued = set(await enqueue_many(session, clock=clock, rows=[fields for _, fields in rows]))
    await _mark_reminded(session, [rid for rid, fields in rows if fields["dedupe_key"] in queued], now)
    return len(queued)


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
