"""Simulated time for scheduled work: tick a clock and run the jobs whose triggers fire in between."""

from __future__ import annotations

from datetime import datetime, timedelta

from estate.core.context import Context
from estate.jobs import JOBS, fired_between, run_job


async def simulate(
    ctx: Context,
    *,
    start: datetime,
    end: datetime,
    step: timedelta = timedelta(hours=1),
    only: set[str] | None = None,
) -> list[tuple[datetime, str, str]]:
    """Advance `ctx.clock` from start to end; at each tick run the jobs due since the last one. Returns what ran."""
    ran: list[tuple[datetime, str, str]] = []
    previous = start
    ctx.clock.set(start)  # type: ignore[attr-defined]
    while previous < end:
        now = previous + step
        ctx.clock.set(now)  # type: ignore[attr-defined]
        for name in JOBS:
            if (only is None or name in only) and fired_between(name, previous, now, ctx.settings.tz):
                ran.append((now, name, await run_job(ctx, name, now)))
        previous = now
    return ran
