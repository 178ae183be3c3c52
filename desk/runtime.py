"""Running the product: uvicorn for the web side, APScheduler for jobs and senders (DESIGN §5, §6)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from types import ModuleType

import uvicorn
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from fastapi import FastAPI
from sqlalchemy import select

from bot import webchat, wechat
from desk.app import create_app
from estate.core.base import JobRun
from estate.core.context import Context
from estate.core.jobs import register_sender
from estate.core.schedule import trigger_for
from estate.core.settings import Settings
from estate.jobs import JOBS, run_job, run_scheduled, scheduled_jobs
from estate.tickets import understanding

log = logging.getLogger("desk")


def channels(settings: Settings, *, every: bool = False) -> dict[str, ModuleType]:
    """The channel packages. Telegram's (aiogram: seconds to import) only with a token, unless `every`."""
    found: dict[str, ModuleType] = {"webchat": webchat}
    if every or settings.telegram_token:
        from bot import telegram

        found["telegram"] = telegram
    found["wechat"] = wechat
    return found


def make_scheduler(ctx: Context) -> AsyncIOScheduler:
    """An AsyncIOScheduler (in-memory store) with every job: coalesced, one instance at a time."""
    scheduler = AsyncIOScheduler(
        timezone=ctx.settings.tz,
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600},
    )
    for job in scheduled_jobs():  # the registry, and one sender job per channel

        async def fire(name: str = job.name, job=job) -> None:
            try:
                summary = await run_scheduled(ctx, job)
                if not summary.startswith("0 ") and not name.startswith(("outbox_send", "send_")):
                    log.info("%s: %s", name, summary)
            except Exception:  # a failing job must not stop the scheduler; it is retried at its next tick
                log.exception("job %s failed", name)

        scheduler.add_job(fire, trigger_for(job.trigger, ctx.settings.tz), id=job.name, name=job.name)
    return scheduler


async def catch_up(ctx: Context, now: datetime | None = None) -> list[str]:
    """Run once each cron job whose last scheduled time passed while the server was down."""
    now = now or ctx.clock.now()
    ran = []
    async with ctx.sessions() as s:
        last = {r.name: r.last_run_for for r in (await s.execute(select(JobRun))).scalars()}
    for job in JOBS.values():
        previous = last.get(job.name)
        if job.trigger["trigger"] != "cron" or previous is None:
            continue
        trigger = trigger_for(job.trigger, ctx.settings.tz)
        due = trigger.get_next_fire_time(None, previous + timedelta(seconds=1))
        if due is not None and due <= now:
            await run_job(ctx, job.name, now)
            ran.append(job.name)
    return ran


async def start_channels(ctx: Context) -> list[asyncio.Task]:
    """Start the channels' background work (pollers), and register their outbox senders."""
    tasks: list[asyncio.Task] = []
    for channel in channels(ctx.settings).values():
        tasks += await channel.start(ctx) or []
    return tasks


def register_senders(settings: Settings) -> None:
    """Every channel's outbox sender (one whose channel is not configured sends nothing)."""
    for name, channel in channels(settings, every=True).items():
        register_sender(name, channel.send_once)


async def close_channels(ctx: Context) -> None:
    """Close the channels' HTTP clients of this context."""
    from bot.wechat.client import _clients

    if "bot.telegram.client" in sys.modules:  # not imported: no Telegram client was opened
        await sys.modules["bot.telegram.client"].close(ctx)
    client = _clients.pop(id(ctx.settings), None)
    if client is not None:
        await client.close()


async def run_job_once(ctx: Context, name: str, now: datetime | None = None) -> str:
    """`desk jobs run`: one job once, with the channels' senders registered (so outbox_send sends)."""
    register_senders(ctx.settings)
    try:
        return await run_job(ctx, name, now)
    finally:
        await close_channels(ctx)


@asynccontextmanager
async def background(ctx: Context, *, jobs: bool) -> AsyncIterator[None]:
    """Channels and (with `jobs`) the scheduler, for as long as the block runs."""
    # Train or load the understanding model now, in a thread, so that the first resident does not wait for it.
    warming = asyncio.get_running_loop().run_in_executor(None, understanding.warm_up, ctx.settings)
    tasks = await start_channels(ctx)
    scheduler = None
    if jobs:
        with contextlib.suppress(Exception):
            await catch_up(ctx)
        scheduler = make_scheduler(ctx)
        scheduler.start()
    try:
        yield
    finally:
        with contextlib.suppress(Exception):
            await warming
        if scheduler is not None:
            scheduler.shutdown(wait=False)
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task


def serve(ctx: Context, *, host: str, port: int, role: str) -> None:
    """Run the chosen role until Ctrl-C or SIGTERM: all (web + jobs), web, or worker (jobs and senders)."""
    if role == "worker":
        asyncio.run(_worker(ctx))
        return

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with background(ctx, jobs=role == "all"):
            yield
        await ctx.close()

    app = create_app(ctx, lifespan=lifespan)
    uvicorn.Server(server_config(app, host=host, port=port)).run()


def server_config(app: FastAPI, *, host: str, port: int) -> uvicorn.Config:
    """uvicorn's settings. Its own proxy-header handling is off (it would believe X-Forwarded-For from any
    local client); the app believes the proxies listed in DESK_TRUSTED_PROXIES instead (desk.app). On shutdown
    requests get a few seconds to finish; then open streams (the live console's events) are cut."""
    return uvicorn.Config(
        app, host=host, port=port, log_level="info", proxy_headers=False, timeout_graceful_shutdown=5
    )


async def _worker(ctx: Context) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    async with background(ctx, jobs=True):
        await stop.wait()
    await ctx.close()
