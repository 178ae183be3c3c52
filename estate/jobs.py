"""Scheduled jobs (DESIGN §5, §7): what each does, when it runs, and running one once at a chosen instant.

APScheduler only triggers these; every effect is made idempotent by the database (dedupe keys,
unique constraints), so a job may run twice, late, or in two processes without doing anything twice.
Channel senders are registered by the composition root (`register_sender`), since the domain does
not know the transports. `outbox_send` runs every channel's sender side by side; the scheduler runs
each channel's sender as a job of its own (`sender_jobs`), so web chat rows never wait behind a long
Telegram batch, and its `outbox_send` tick only publishes due notices.

Time zones: whatever belongs to an estate (its local day and month, the quiet hours of its residents,
its bookings) is in that estate's zone, `Estate.timezone`; `Settings.tz` (DESK_TIMEZONE) is only the
installation's default, for what belongs to no estate. The numbers come from `ctx.rules_for(estate)`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from estate.billing import reminders
from estate.billing import service as billing
from estate.billing.money import fmt_yuan
from estate.billing.periods import local_date, period_of, shift
from estate.bookings.models import Booking, BookingStatus, ServiceItem, ServiceSlot
from estate.core.base import JobRun
from estate.core.clock import Clock, FixedClock
from estate.core.context import Context
from estate.core.db import insert_for, unit_of_work
from estate.messaging import notices, outbox
from estate.reporting.models import Report
from estate.residents.models import Estate, Resident, Unit
from estate.tickets import attachments, callbacks, escalation, understanding
from estate.tickets.models import Ticket
from locales import N_, Translator

log = logging.getLogger("desk.jobs")
Runner = Callable[[Context, Clock], Awaitable[str]]
SENDERS: dict[str, Callable[[Context, Clock], Awaitable[int]]] = {}

SURVEY_QUESTION = N_(
    "Your request {ref} has been resolved. How satisfied are you with how we handled it? "
    "Please choose from 1 (very dissatisfied) to 5 (very satisfied)."
)
LOW_BALANCE = N_(
    "Dear resident of {unit}, your prepaid property-fee balance is {balance}, which may not cover the next bill. "
    "Please top it up at your convenience. Thank you!"
)
BOOKING_REMINDER = N_(
    "Reminder: your booking {ref} for {service} is tomorrow at {when}. Reply to this chat if you need to change it."
)


def register_sender(channel: str, send_once: Callable[[Context, Clock], Awaitable[int]]) -> None:
    """A channel's `send_once(ctx, clock) -> messages sent`, called by the outbox_send job."""
    SENDERS[channel] = send_once


@dataclass(frozen=True)
class Job:
    name: str
    description: str
    trigger: dict[str, Any]  # APScheduler trigger: {"trigger": "cron", "day": 1, "hour": 0, "minute": 30} …
    run: Runner = field(compare=False)
    scheduled: Runner | None = field(default=None, compare=False)  # what the scheduler runs, when not `run`


def _tz(ctx: Context, estate: Estate | None) -> ZoneInfo:
    """The estate's zone; the installation's default for what belongs to no estate."""
    return ZoneInfo(estate.timezone) if estate is not None and estate.timezone else ctx.settings.tz


def _quiet(ctx: Context, estate: Estate | None) -> tuple[ZoneInfo, int, int]:
    """Quiet hours of the estate's residents, in the estate's zone."""
    return ctx.rules_for(estate).quiet(_tz(ctx, estate))


async def _estates(session) -> list[Estate]:
    return list((await session.execute(select(Estate).order_by(Estate.id))).scalars())


async def sla_scan(ctx: Context, clock: Clock) -> str:
    async with unit_of_work(ctx.sessions) as s:
        applied = await escalation.apply_escalations(s, clock=clock, rules=ctx.rules)
    return f"{len(applied)} escalation(s) applied"


async def callbacks_due(ctx: Context, clock: Clock) -> str:
    now = clock.now()
    reminded = surveys = 0
    async with unit_of_work(ctx.sessions) as s:
        estates = {e.id: e for e in await _estates(s)}
        for task, ticket in await callbacks.due_callbacks(s, now=now):
            if task.staff_reminded_at is None:
                task.staff_reminded_at = now  # shown in the console's bell and callback list from now on
                reminded += 1
            if task.survey_sent_at is None and ticket.resident_id is not None:
                estate = estates.get(ticket.estate_id)
                surveys += await _send_survey(
                    s, clock=clock, quiet=_quiet(ctx, estate), task_id=task.id, ticket=ticket
                )
                task.survey_sent_at = now
    return f"{reminded} callback(s) flagged to staff, {surveys} survey(s) queued"


async def _send_survey(
    s, *, clock: Clock, quiet: tuple[ZoneInfo, int, int], task_id: int, ticket: Ticket
) -> int:
    assert ticket.resident_id is not None

    def text_for(locale: str | None) -> str:
        return Translator(locale)(SURVEY_QUESTION, ref=ticket.ref)

    choices = [{"label": str(n), "payload": f"survey:{ticket.id}:overall:{n}"} for n in range(5, 0, -1)]
    return await outbox.enqueue_to_resident(
        s,
        clock=clock,
        resident_id=ticket.resident_id,
        key=f"survey:{task_id}",
        text_for=text_for,
        kind="survey",
        payload={"choices": choices, "ticket_id": ticket.id},
        quiet=quiet,
        prefer_account_id=ticket.channel_account_id,
        ticket_id=ticket.id,
    )


async def monthly_bills(ctx: Context, clock: Clock) -> str:
    created = 0
    async with unit_of_work(ctx.sessions) as s:
        for estate in await _estates(s):
            period = period_of(local_date(clock.now(), _tz(ctx, estate)))
            created += await billing.generate_monthly_bills(
                s, clock=clock, estate_id=estate.id, period=period
            )
    return f"{created} bill(s) issued"


async def payment_reminders(ctx: Context, clock: Clock) -> str:
    queued = 0
    async with unit_of_work(ctx.sessions) as s:
        for estate in await _estates(s):
            queued += await reminders.send_payment_reminders(
                s, clock=clock, estate_id=estate.id, tz=_tz(ctx, estate), quiet=_quiet(ctx, estate)
            )
    return f"{queued} reminder(s) queued"


async def _store_report(
    s, *, estate_id: int, kind: str, period: str, now: datetime, data: dict[str, Any]
) -> bool:
    result = await s.execute(
        insert_for(s)(Report)
        .values(estate_id=estate_id, kind=kind, period=period, created_at=now, data=data)
        .on_conflict_do_nothing(index_elements=["estate_id", "kind", "period"])
        .returning(Report.id)
    )
    return result.scalar_one_or_none() is not None


async def collection_report(ctx: Context, clock: Clock) -> str:
    """The reconciliation with finance of the 5th (每月5日与财务部核算回收款金额): last month's money in."""
    made = 0
    async with unit_of_work(ctx.sessions) as s:
        for estate in await _estates(s):
            tz = _tz(ctx, estate)
            today = local_date(clock.now(), tz)
            period = shift(period_of(today), -1)
            start = datetime.combine(
                datetime.strptime(period + "-01", "%Y-%m-%d").date(), datetime.min.time(), tzinfo=tz
            )
            end = datetime.combine(today.replace(day=1), datetime.min.time(), tzinfo=tz)
            received = await billing.collected_between(s, estate_id=estate.id, start=start, end=end)
            rates = await billing.collection_rates(
                s, estate_id=estate.id, as_of=end.date() - timedelta(days=1)
            )
            data = {
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
            made += int(
                await _store_report(
                    s, estate_id=estate.id, kind="collection", period=period, now=clock.now(), data=data
                )
            )
    return f"{made} collection report(s) made"


async def arrears_report(ctx: Context, clock: Clock) -> str:
    """The arrears report of the 28th for the manager (每月28日向部门经理汇报欠费情况)."""
    made = 0
    async with unit_of_work(ctx.sessions) as s:
        for estate in await _estates(s):
            today = local_date(clock.now(), _tz(ctx, estate))
            rows = await billing.arrears(s, estate_id=estate.id, as_of=today)
            data = {
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
            made += int(
                await _store_report(
                    s,
                    estate_id=estate.id,
                    kind="arrears",
                    period=period_of(today),
                    now=clock.now(),
                    data=data,
                )
            )
    return f"{made} arrears report(s) made"


async def low_balance(ctx: Context, clock: Clock) -> str:
    queued = 0
    async with unit_of_work(ctx.sessions) as s:
        for estate in await _estates(s):
            for unit in await billing.low_balance_units(
                s, estate_id=estate.id, threshold_cents=ctx.settings.low_balance_threshold_cents
            ):
                residents = (
                    await s.execute(
                        select(Resident).where(Resident.unit_id == unit.id, Resident.active.is_(True))
                    )
                ).scalars()
                for resident in residents:

                    def text_for(locale: str | None, unit: Unit = unit) -> str:
                        return Translator(locale)(
                            LOW_BALANCE, unit=unit.code, balance=fmt_yuan(unit.prepaid_cents)
                        )

                    # One notice per balance level: a balance that stays put is not announced again.
                    queued += await outbox.enqueue_to_resident(
                        s,
                        clock=clock,
                        resident_id=resident.id,
                        key=f"lowbal:{unit.id}:{unit.prepaid_cents}",
                        text_for=text_for,
                        kind="reminder",
                        quiet=_quiet(ctx, estate),
                    )
    return f"{queued} low-balance notice(s) queued"


async def booking_reminders(ctx: Context, clock: Clock) -> str:
    queued = 0
    now = clock.now()
    async with unit_of_work(ctx.sessions) as s:
        rows = await s.execute(
            select(Booking, ServiceItem, ServiceSlot)
            .join(ServiceItem, ServiceItem.id == Booking.service_item_id)
            .join(ServiceSlot, ServiceSlot.id == Booking.slot_id)
            .where(
                Booking.status.in_(
                    [BookingStatus.REQUESTED, BookingStatus.CONFIRMED, BookingStatus.ASSIGNED]
                ),
                ServiceSlot.start_at > now,
                ServiceSlot.start_at <= now + timedelta(hours=36),
                Booking.resident_id.is_not(None),
            )
        )
        estates = {e.id: e for e in await _estates(s)}
        for booking, item, slot in rows.all():
            estate = estates.get(item.estate_id)
            tz = _tz(ctx, estate)
            if slot.start_at.astimezone(tz).date() != local_date(now, tz) + timedelta(days=1):
                continue

            def text_for(locale: str | None, booking=booking, item=item, slot=slot, tz=tz) -> str:
                t = Translator(locale)
                name = item.name_en if t.locale == "en" and item.name_en else item.name
                return t(
                    BOOKING_REMINDER,
                    ref=booking.ref,
                    service=name,
                    when=slot.start_at.astimezone(tz).strftime("%H:%M"),
                )

            queued += await outbox.enqueue_to_resident(
                s,
                clock=clock,
                resident_id=booking.resident_id,
                key=f"booking:{booking.id}:reminder",
                text_for=text_for,
                kind="reminder",
                quiet=_quiet(ctx, estate),
                prefer_account_id=booking.channel_account_id,
            )
    return f"{queued} booking reminder(s) queued"


async def _publish_due_notices(ctx: Context, clock: Clock) -> int:
    async with unit_of_work(ctx.sessions) as s:
        published = 0
        estates = {e.id: e for e in await _estates(s)}
        for notice in await notices.due_notices(s, now=clock.now()):
            quiet = _quiet(ctx, estates.get(notice.estate_id))
            published += await notices.publish_notice(s, clock=clock, notice_id=notice.id, quiet=quiet)
    return published


async def publish_notices(ctx: Context, clock: Clock) -> str:
    """The scheduler's `outbox_send` tick: publish due notices (the senders run as jobs of their own)."""
    return f"{await _publish_due_notices(ctx, clock)} notice message(s) queued"


async def _send_pass(ctx: Context, clock: Clock, channel: str) -> int | str:
    try:
        return await SENDERS[channel](ctx, clock)
    except Exception as exc:  # one channel's failure must not stop the others
        log.exception("the %s sender failed", channel)
        return f"failed ({type(exc).__name__})"


async def outbox_send(ctx: Context, clock: Clock) -> str:
    """Publish scheduled notices that are due, then one pass of every channel sender, side by side."""
    published = await _publish_due_notices(ctx, clock)
    channels = sorted(SENDERS)
    results = await asyncio.gather(*(_send_pass(ctx, clock, c) for c in channels))
    detail = ", ".join(f"{c}: {n}" for c, n in zip(channels, results, strict=True))
    return f"{published} notice message(s) queued; sent {detail or 'nothing: no channel senders registered'}"


def sender_jobs() -> list[Job]:
    """One scheduler job per registered channel sender, so that each channel sends at its own pace."""

    def runner(channel: str) -> Runner:
        async def run(ctx: Context, clock: Clock) -> str:
            return f"{await _send_pass(ctx, clock, channel)} {channel} message(s) sent"

        return run

    return [
        Job(f"send_{c}", f"Send queued {c} messages", {"trigger": "interval", "seconds": 2}, runner(c))
        for c in sorted(SENDERS)
    ]


async def attachments_cleanup(ctx: Context, clock: Clock) -> str:
    async with unit_of_work(ctx.sessions) as s:
        removed = await attachments.remove_unlinked(s, clock=clock, data_dir=ctx.settings.data_dir)
    return f"{removed} unlinked photo(s) removed"


async def outbox_reaper(ctx: Context, clock: Clock) -> str:
    async with unit_of_work(ctx.sessions) as s:
        returned, unknown = await outbox.reap(s, clock=clock)
    return f"{returned} lease(s) returned, {unknown} message(s) marked unknown"


async def retrain_understanding(ctx: Context, clock: Clock) -> str:
    """Fold each estate's staff corrections into its understanding model."""
    used = []
    async with unit_of_work(ctx.sessions) as s:
        for estate in await _estates(s):
            n = await understanding.retrain(s, settings=ctx.settings, estate_id=estate.id)
            used.append(f"{estate.code}: {n}")
    return "correction(s) used: " + (", ".join(used) or "no estate")


JOBS: dict[str, Job] = {
    job.name: job
    for job in (
        Job(
            "sla_scan",
            "Apply due SLA escalations (supervisor, then deputy GM)",
            {"trigger": "interval", "minutes": 1},
            sla_scan,
        ),
        Job(
            "callbacks_due",
            "Flag due callbacks to staff and send satisfaction surveys",
            {"trigger": "interval", "minutes": 10},
            callbacks_due,
        ),
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
        Job(
            "low_balance",
            "Tell residents whose prepaid balance runs low (daily, 10:30)",
            {"trigger": "cron", "hour": 10, "minute": 30},
            low_balance,
        ),
        Job(
            "booking_reminders",
            "Remind residents of tomorrow's bookings (daily, 18:00)",
            {"trigger": "cron", "hour": 18, "minute": 0},
            booking_reminders,
        ),
        Job(
            "retrain_understanding",
            "Fold staff corrections into the understanding model (nightly, 03:00)",
            {"trigger": "cron", "hour": 3, "minute": 0},
            retrain_understanding,
        ),
        Job(
            "outbox_send",
            "Publish due notices and send queued messages",
            {"trigger": "interval", "seconds": 2},
            outbox_send,
            scheduled=publish_notices,
        ),
        Job(
            "outbox_reaper",
            "Return expired send leases; mark possibly-sent ones unknown",
            {"trigger": "interval", "minutes": 1},
            outbox_reaper,
        ),
        Job(
            "attachments_cleanup",
            "Remove photos that no request took up within a day (hourly)",
            {"trigger": "interval", "hours": 1},
            attachments_cleanup,
        ),
    )
}


async def run_job(ctx: Context, name: str, now: datetime | None = None, *, scheduled: bool = False) -> str:
    """Run one job once, as if the clock said `now` (default: the context's clock), and record the run.

    `scheduled` runs what the scheduler runs at a tick (for `outbox_send`: only the notices)."""
    job = JOBS[name]
    clock: Clock = FixedClock(now) if now is not None else ctx.clock
    summary = await (job.scheduled or job.run if scheduled else job.run)(ctx, clock)
    async with unit_of_work(ctx.sessions) as s:
        values = {"last_run_for": clock.now(), "last_finished_at": ctx.clock.now(), "last_result": summary}
        await s.execute(
            insert_for(s)(JobRun)
            .values(name=name, **values)
            .on_conflict_do_update(index_elements=["name"], set_=values)
        )
    return summary


async def run_scheduled(ctx: Context, job: Job) -> str:
    """What the scheduler calls at a job's tick (a sender job is not recorded: it runs every few seconds)."""
    if JOBS.get(job.name) is job:
        return await run_job(ctx, job.name, scheduled=True)
    return await job.run(ctx, ctx.clock)


def scheduled_jobs() -> list[Job]:
    """Every job the scheduler runs: the registry, and one sender job per registered channel."""
    return [*JOBS.values(), *sender_jobs()]
