"""Messaging's scheduled jobs: publishing notices that are due, one pass of every channel sender, and
returning expired send leases.

`outbox_send` run by hand publishes the due notices and then runs every registered channel sender side by
side; the scheduler's `outbox_send` tick only publishes (each channel's sender is a job of its own, see
`estate.core.jobs.sender_jobs`). Listed with every other area's jobs by `estate.jobs`.
"""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from estate.core.clock import Clock
from estate.core.context import Context
from estate.core.db import unit_of_work
from estate.core.jobs import SENDERS, Job, send_pass
from estate.messaging import leases, notices
from estate.residents.models import Estate


async def _publish_due_notices(ctx: Context, clock: Clock) -> int:
    async with unit_of_work(ctx.sessions) as s:
        published = 0
        estates = {e.id: e for e in (await s.execute(select(Estate))).scalars()}
        for notice in await notices.due_notices(s, now=clock.now()):
            quiet = ctx.quiet_for(estates.get(notice.estate_id))
            published += await notices.publish_notice(s, clock=clock, notice_id=notice.id, quiet=quiet)
    return published


async def publish_notices(ctx: Context, clock: Clock) -> str:
    """The scheduler's `outbox_send` tick: publish due notices (the senders run as jobs of their own)."""
    return f"{await _publish_due_notices(ctx, clock)} notice message(s) queued"


async def outbox_send(ctx: Context, clock: Clock) -> str:
    """Publish scheduled notices that are due, then one pass of every channel sender, side by side."""
    published = await _publish_due_notices(ctx, clock)
    channels = sorted(SENDERS)
    results = await asyncio.gather(*(send_pass(ctx, clock, c) for c in channels))
    detail = ", ".join(f"{c}: {n}" for c, n in zip(channels, results, strict=True))
    return f"{published} notice message(s) queued; sent {detail or 'nothing: no channel senders registered'}"


async def outbox_reaper(ctx: Context, clock: Clock) -> str:
    async with unit_of_work(ctx.sessions) as s:
        returned, unknown = await leases.reap(s, clock=clock)
    return f"{returned} lease(s) returned, {unknown} message(s) marked unknown"


JOBS = (
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
)
