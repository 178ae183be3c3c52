"""Benchmark: the console's ticket queue with 100,000 tickets in the database (SQLite, the embedded default).

Prints the median and 95th-percentile response time of the queue page (first page, a filtered page and a
deep keyset page), requested through the real ASGI app with a signed-in session. Goal: median < 150 ms.

    .venv/bin/python bench/bench_queue.py [--tickets 100000] [--requests 60]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx  # noqa: E402
from sqlalchemy import insert  # noqa: E402

from desk.app import create_app  # noqa: E402
from estate.core.clock import FixedClock  # noqa: E402
from estate.core.context import Context  # noqa: E402
from estate.core.settings import Settings  # noqa: E402
from estate.schema import Base
from estate.tickets.models import Ticket  # noqa: E402
from tests.support.console import console_world, sign_in  # noqa: E402

STATUSES = [
    "new",
    "claimed",
    "dispatched",
    "in_progress",
    "resolved",
    "callback_done",
    "closed",
    "closed",
    "closed",
    "closed",
]


async def main(n: int, requests: int) -> None:
    folder = tempfile.mkdtemp()
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{folder}/q.sqlite3",
        data_dir=folder,
        secret_key="bench-secret-0123456789abcdef0123456",
    )
    now = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
    ctx = Context.from_settings(settings, clock=FixedClock(now))
    async with ctx.engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    world = await console_world(ctx)
    rng = random.Random(1)
    t0 = time.perf_counter()
    async with ctx.sessions() as s, s.begin():
        batch = []
        for i in range(n):
            created = now - timedelta(minutes=i * 3)
            kind = rng.choice(["repair", "repair", "complaint", "inquiry"])
            batch.append(
                dict(
                    ref=f"BX-{i:08d}",
                    estate_id=world.estate.id,
                    kind=kind,
                    category="plumbing"
                    if kind == "repair"
                    else ("noise" if kind == "complaint" else "general"),
                    unit_id=world.unit.id,
                    building_id=world.building.id,
                    description=f"Ticket number {i}",
                    urgency="normal",
                    major=False,
                    status=rng.choice(STATUSES),
                    created_at=created,
                    updated_at=created,
                    dispatch_due=created + timedelta(hours=1),
                    escalation_level=0,
                    reopen_count=0,
                    transferred=False,
                )
            )
            if len(batch) == 5000:
                await s.execute(insert(Ticket), batch)
                batch = []
        if batch:
            await s.execute(insert(Ticket), batch)
    print(f"inserted {n} tickets in {time.perf_counter() - t0:.1f} s")

    app = create_app(ctx)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        await sign_in(client, "agent")
        first = await client.get("/console/tickets")
        for label, path in [
            ("queue, open tickets, newest first", "/console/tickets"),
            (
                "queue, all statuses, complaints, overdue",
                "/console/tickets?status=all&kind=complaint&overdue=true",
            ),
            ("queue, deep page (page 1990)", "/console/tickets?status=all&sort=newest&page=1990"),
            ("htmx refresh fragment", "/console/tickets?fragment=true"),
        ]:
            times = []
            for _ in range(requests):
                t = time.perf_counter()
                r = await client.get(path)
                times.append((time.perf_counter() - t) * 1000)
                assert r.status_code == 200
            times.sort()
            print(
                f"{label:45s} median {statistics.median(times):6.1f} ms   p95 {times[int(len(times) * 0.95) - 1]:6.1f} ms"
            )
        assert "BX-" in first.text
    await ctx.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=60)
    args = parser.parse_args()
    asyncio.run(main(args.tickets, args.requests))
