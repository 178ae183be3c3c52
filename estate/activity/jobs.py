"""The activity area's scheduled job: forgetting console events no open page can still need."""

from __future__ import annotations

from estate.activity.feed import prune
from estate.core.clock import Clock
from estate.core.context import Context
from estate.core.db import unit_of_work
from estate.core.jobs import Job


async def prune_console_events(ctx: Context, clock: Clock) -> str:
    """Remove console events older than the feed keeps them (a page away that long reloads instead)."""
    async with unit_of_work(ctx.sessions) as s:
        removed = await prune(s, now=clock.now())
    return f"{removed} console event(s) removed"


JOBS = (
    Job(
        "console_events_prune",
        "Forget console events older than two days",
        {"trigger": "cron", "hour": 4, "minute": 10},
        prune_console_events,
    ),
)
