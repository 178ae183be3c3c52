"""The tickets' scheduled jobs: SLA escalations, due callbacks and satisfaction surveys, folding staff
corrections into the understanding model, and removing photos no request took up.

Listed with every other area's jobs by `estate.jobs`; the machinery is `estate.core.jobs`.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from estate.core.clock import Clock
from estate.core.context import Context
from estate.core.db import unit_of_work
from estate.core.jobs import Job
from estate.messaging import outbox
from estate.residents.models import Estate
from estate.tickets import attachments, callbacks, escalation, understanding
from estate.tickets.models import Ticket
from locales import N_, Translator

SURVEY_QUESTION = N_(
    "Your request {ref} has been resolved. How satisfied are you with how we handled it? "
    "Please choose from 1 (very dissatisfied) to 5 (very satisfied)."
)


async def sla_scan(ctx: Context, clock: Clock) -> str:
    """Record the escalations that are due, estate by estate under each estate's own rules."""
    applied = 0
    async with unit_of_work(ctx.sessions) as s:
        for estate in (await s.execute(select(Estate).order_by(Estate.id))).scalars().all():
            rows = await escalation.apply_escalations(
                s, clock=clock, rules=ctx.rules_for(estate), estate_id=estate.id
            )
            applied += len(rows)
    return f"{applied} escalation(s) applied"


async def callbacks_due(ctx: Context, clock: Clock) -> str:
    now = clock.now()
    reminded = surveys = 0
    async with unit_of_work(ctx.sessions) as s:
        estates = {e.id: e for e in (await s.execute(select(Estate))).scalars()}
        for task, ticket in await callbacks.due_callbacks(s, now=now):
            if task.staff_reminded_at is None:
                task.staff_reminded_at = now  # shown in the console's bell and callback list from now on
                reminded += 1
            if task.survey_sent_at is None and ticket.resident_id is not None:
                quiet = ctx.quiet_for(estates.get(ticket.estate_id))
                surveys += await send_survey(s, clock=clock, quiet=quiet, task_id=task.id, ticket=ticket)
                task.survey_sent_at = now
    return f"{reminded} callback(s) flagged to staff, {surveys} survey(s) queued"


async def send_survey(
    s: AsyncSession, *, clock: Clock, quiet: tuple[ZoneInfo, int, int], task_id: int, ticket: Ticket
) -> int:
    """Queue the satisfaction survey of a resolved ticket to its resident (once per callback task)."""
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


async def retrain_understanding(ctx: Context, clock: Clock) -> str:
    """Fold each estate's staff corrections into its understanding model."""
    used = []
    async with unit_of_work(ctx.sessions) as s:
        for estate in (await s.execute(select(Estate).order_by(Estate.id))).scalars():
            n = await understanding.retrain(s, settings=ctx.settings, estate_id=estate.id)
            used.append(f"{estate.code}: {n}")
    return "correction(s) used: " + (", ".join(used) or "no estate")


async def attachments_cleanup(ctx: Context, clock: Clock) -> str:
    async with unit_of_work(ctx.sessions) as s:
        removed = await attachments.remove_unlinked(s, clock=clock, data_dir=ctx.settings.data_dir)
    return f"{removed} unlinked photo(s) removed"


JOBS = (
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
        "retrain_understanding",
        "Fold staff corrections into the understanding model (nightly, 03:00)",
        {"trigger": "cron", "hour": 3, "minute": 0},
        retrain_understanding,
    ),
    Job(
        "attachments_cleanup",
        "Remove photos that no request took up within a day (hourly)",
        {"trigger": "interval", "hours": 1},
        attachments_cleanup,
    ),
)
