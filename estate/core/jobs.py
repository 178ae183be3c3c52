"""The job machinery (DESIGN §5): the `Job` value, a registry of jobs by name, running one job once and
recording the run, and the channel senders.

Core knows no area. Each area keeps its job functions and their schedules in its own `jobs` module, as a
tuple `JOBS`; the composition point `estate.jobs` lists those tuples in one `JobRegistry`. So an area never
needs to know the others, and adding a job means touching its area and, for a new area, that one list.

APScheduler only triggers jobs; every effect is made idempotent by the database (dedupe keys, unique
constraints), so a job may run twice, late, or in two processes without doing anything twice.
Channel senders are registered by the composition root (`register_sender`), since the domain does not know
the transports. The scheduler runs each channel's sender as a job of its own (`sender_jobs`), so web chat
rows never wait behind a long Telegram batch.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from estate.core.base import JobRun
from estate.core.clock import Clock, FixedClock
from estate.core.context import Context
from estate.core.db import insert_for, unit_of_work
from estate.core.schedule import fires_between

log = logging.getLogger("desk.jobs")
Runner = Callable[[Context, Clock], Awaitable[str]]
Sender = Callable[[Context, Clock], Awaitable[int]]
SENDERS: dict[str, Sender] = {}


@dataclass(frozen=True)
class Job:
    name: str
    description: str
    trigger: dict[str, Any]  # APScheduler trigger: {"trigger": "cron", "day": 1, "hour": 0, "minute": 30} …
    run: Runner = field(compare=False)
    scheduled: Runner | None = field(default=None, compare=False)  # what the scheduler runs, when not `run`


def register_sender(channel: str, send_once: Sender) -> None:
    """A channel's `send_once(ctx, clock) -> messages sent`, called by the outbox_send job."""
    SENDERS[channel] = send_once


async def send_pass(ctx: Context, clock: Clock, channel: str) -> int | str:
    """One pass of a channel's sender: the number sent, or why it failed (never raises)."""
    try:
        return await SENDERS[channel](ctx, clock)
    except Exception as exc:  # one channel's failure must not stop the others
        log.exception("the %s sender failed", channel)
        return f"failed ({type(exc).__name__})"


def sender_jobs() -> list[Job]:
    """One scheduler job per registered channel sender, so that each channel sends at its own pace."""

    def runner(channel: str) -> Runner:
        async def run(ctx: Context, clock: Clock) -> str:
            return f"{await send_pass(ctx, clock, channel)} {channel} message(s) sent"

        return run

    return [
        Job(f"send_{c}", f"Send queued {c} messages", {"trigger": "interval", "seconds": 2}, runner(c))
        for c in sorted(SENDERS)
    ]


class JobRegistry(Mapping[str, Job]):
    """The jobs by name, in the order given; runs one once and records the run."""

    def __init__(self, *jobs: Job) -> None:
        self._jobs = {job.name: job for job in jobs}
        if len(self._jobs) != len(jobs):
            raise ValueError("two jobs share a name")

    def __getitem__(self, name: str) -> Job:
        return self._jobs[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._jobs)

    def __len__(self) -> int:
        return len(self._jobs)

    async def run_job(
        self, ctx: Context, name: str, now: datetime | None = None, *, scheduled: bool = False
    ) -> str:
        """Run one job once, as if the clock said `now` (default: the context's clock), and record the run.

        `scheduled` runs what the scheduler runs at a tick (for `outbox_send`: only the notices)."""
        job = self._jobs[name]
        clock: Clock = FixedClock(now) if now is not None else ctx.clock
        summary = await (job.scheduled or job.run if scheduled else job.run)(ctx, clock)
        async with unit_of_work(ctx.sessions) as s:
            values = {
                "last_run_for": clock.now(),
                "last_finished_at": ctx.clock.now(),
                "last_result": summary,
            }
            await s.execute(
                insert_for(s)(JobRun)
                .values(name=name, **values)
                .on_conflict_do_update(index_elements=["name"], set_=values)
            )
        return summary

    async def run_scheduled(self, ctx: Context, job: Job) -> str:
        """What the scheduler calls at a job's tick (a sender job is not recorded: it runs every few seconds)."""
        if self._jobs.get(job.name) is job:
            return await self.run_job(ctx, job.name, scheduled=True)
        return await job.run(ctx, ctx.clock)

    def fired_between(self, name: str, start: datetime, end: datetime, tz: ZoneInfo) -> bool:
        """True when the job's trigger fires in (start, end] — e.g. between two ticks of a simulated clock."""
        return fires_between(self._jobs[name].trigger, start, end, tz)

    def scheduled_jobs(self) -> list[Job]:
        """Every job the scheduler runs: the registry, and one sender job per registered channel."""
        return [*self._jobs.values(), *sender_jobs()]
