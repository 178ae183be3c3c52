"""Benchmark: the console dashboard with 100,000 tickets and 10,000 bills a month for 12 months (SQLite).

Prints the median and 95th-percentile time of the dashboard's figures (the estate query function, on its
own session) and of the whole page (`GET /console/dashboard` through the real ASGI app, signed in as the
manager). Goal (issue #15): under 150 ms.

    .venv/bin/python bench/bench_dashboard.py [--tickets 100000] [--units 10000] [--months 12] [--requests 20]
        [--db /tmp/dash.sqlite3]   (seed once into that file; later runs reuse it)
        [--url postgresql+asyncpg://...]   (PostgreSQL instead: its tables are dropped and seeded afresh)
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx  # noqa: E402
from sqlalchemy import event, insert, select, text  # noqa: E402

from desk.app import create_app  # noqa: E402
from estate.billing.models import Bill  # noqa: E402
from estate.core.clock import FixedClock  # noqa: E402
from estate.core.context import Context  # noqa: E402
from estate.core.settings import Settings  # noqa: E402
from estate.residents.models import Building, Estate, Unit  # noqa: E402
from estate.schema import Base  # noqa: E402
from estate.tickets.models import Ticket  # noqa: E402
from tests.support.console import console_world, sign_in  # noqa: E402

STATUSES = ["new", "claimed", "dispatched", "in_progress", "resolved", "callback_done"] + ["closed"] * 4
TZ = ZoneInfo("Asia/Shanghai")


def _dashboard_function():
    """The dashboard's figures function, wherever the reorganisation has put it (None: page only)."""
    for module in ("estate.reporting.dashboard", "estate.reporting"):
        try:
            found = getattr(__import__(module, fromlist=["dashboard"]), "dashboard", None)
        except ImportError:
            continue
        if callable(found):
            return found
    return None


def _stats(label: str, times: list[float]) -> None:
    times = sorted(times)
    p95 = times[max(0, int(len(times) * 0.95) - 1)]
    print(f"{label:48s} median {statistics.median(times):7.1f} ms   p95 {p95:7.1f} ms")


def _period(d: date, back: int) -> str:
    m = d.year * 12 + d.month - 1 - back
    return f"{m // 12:04d}-{m % 12 + 1:02d}"


async def seed(ctx: Context, world, now: datetime, n_tickets: int, n_units: int, months: int) -> list[int]:
    rng = random.Random(1)
    estate_id = world.estate.id
    t0 = time.perf_counter()
    async with ctx.sessions() as s, s.begin():
        buildings = []
        for b in range(max(1, n_units // 500)):
            building = Building(estate_id=estate_id, code=f"B{b + 1}", name=f"Bench building {b + 1}")
            s.add(building)
            buildings.append(building)
        await s.flush()
        rows = [
            dict(
                estate_id=estate_id,
                building_id=buildings[i % len(buildings)].id,
                code=f"B{i % len(buildings) + 1}-{i:06d}",
                floor=1 + (i // len(buildings)) % 30,
                area_m2=Decimal("88.50"),
                occupancy="occupied",
            )
            for i in range(n_units)
        ]
        for k in range(0, len(rows), 5000):
            await s.execute(insert(Unit), rows[k : k + 5000])
    async with ctx.sessions() as s:
        unit_ids = list((await s.execute(select(Unit.id).where(Unit.code.like("B%-%")))).scalars())
        building_ids = [b.id for b in buildings]
    print(f"inserted {len(unit_ids)} units in {time.perf_counter() - t0:.1f} s")

    t0 = time.perf_counter()
    today = now.astimezone(TZ).date()
    async with ctx.sessions() as s, s.begin():
        batch = []
        for back in range(months):
            period = _period(today, back)
            year, month = int(period[:4]), int(period[5:])
            issued = datetime(year, month, 1, 1, 0, tzinfo=UTC)
            for unit_id in unit_ids:
                amount = 25_000
                paid = (
                    amount
                    if rng.random() < (0.95 if back else 0.6)
                    else (amount // 2 if rng.random() < 0.3 else 0)
                )
                batch.append(
                    dict(
                        unit_id=unit_id,
                        estate_id=estate_id,
                        period=period,
                        amount_cents=amount,
                        paid_cents=paid,
                        due_date=date(year, month, 28),
                        issued_at=issued,
                        settled_at=issued + timedelta(days=10) if paid == amount else None,
                    )
                )
                if len(batch) == 10_000:
                    await s.execute(insert(Bill), batch)
                    batch = []
        if batch:
            await s.execute(insert(Bill), batch)
    print(f"inserted {len(unit_ids) * months} bills ({months} months) in {time.perf_counter() - t0:.1f} s")

    t0 = time.perf_counter()
    async with ctx.sessions() as s, s.begin():
        batch = []
        for i in range(n_tickets):
            created = now - timedelta(minutes=i * 3)
            kind = rng.choice(["repair", "repair", "complaint", "inquiry"])
            status = rng.choice(STATUSES)
            due = created + timedelta(hours=1)
            dispatched = (
                created + timedelta(minutes=rng.choice([10, 30, 50, 90]))
                if status not in ("new", "claimed")
                else None
            )
            batch.append(
                dict(
                    ref=f"BX-{i:08d}",
                    estate_id=estate_id,
                    kind=kind,
                    category="plumbing"
                    if kind == "repair"
                    else ("noise" if kind == "complaint" else "general"),
                    unit_id=rng.choice(unit_ids),
                    building_id=rng.choice(building_ids),
                    description=f"Ticket number {i}",
                    urgency="normal",
                    major=False,
                    status=status,
                    created_at=created,
                    updated_at=created,
                    dispatch_due=due,
                    dispatched_at=dispatched,
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
    print(f"inserted {n_tickets} tickets in {time.perf_counter() - t0:.1f} s")
    return unit_ids


class StatementTimer:
    """Times each SQL statement the engine runs (by its first words), to show where the figures spend."""

    def __init__(self, engine) -> None:
        self.times: dict[str, list[float]] = {}
        self.started: list[float] = []
        event.listen(engine.sync_engine, "before_cursor_execute", self._before)
        event.listen(engine.sync_engine, "after_cursor_execute", self._after)

    def _before(self, conn, cursor, statement, parameters, context, executemany) -> None:
        self.started.append(time.perf_counter())

    def _after(self, conn, cursor, statement, parameters, context, executemany) -> None:
        key = " ".join(statement.split())[:90]
        self.times.setdefault(key, []).append((time.perf_counter() - self.started.pop()) * 1000)

    def report(self) -> None:
        for key, times in sorted(self.times.items(), key=lambda kv: -statistics.median(kv[1])):
            print(f"  {statistics.median(times):7.1f} ms  x{len(times):<3d} {key}")


async def prepared(args: argparse.Namespace, now: datetime) -> tuple[Context, Estate]:
    """The context on the benchmark's database, seeded unless `--db` names one seeded before.

    With `--url` (PostgreSQL) the tables there are dropped and created afresh, then analysed after the seed.
    """
    reuse = args.reuse
    folder = tempfile.mkdtemp()
    path = args.db or f"{folder}/d.sqlite3"
    settings = Settings(
        database_url=args.url or f"sqlite+aiosqlite:///{path}",
        data_dir=folder,
        secret_key="bench-secret-0123456789abcdef0123456",
    )
    ctx = Context.from_settings(settings, clock=FixedClock(now))
    if reuse:
        async with ctx.sessions() as s:
            estate = (await s.execute(select(Estate).order_by(Estate.id).limit(1))).scalar_one()
        print(f"reusing the seeded database {path}")
        return ctx, estate
    async with ctx.engine.begin() as conn:
        if args.url:
            await conn.run_sync(Base.metadata.drop_all)
        await conn.run_sync(Base.metadata.create_all)
    world = await console_world(ctx)
    await seed(ctx, world, now, args.tickets, args.units, args.months)
    if args.url:
        async with ctx.engine.connect() as conn:
            await conn.execute(text("ANALYZE"))
            await conn.commit()
    return ctx, world.estate


async def time_figures(ctx: Context, estate: Estate, now: datetime, requests: int) -> None:
    figures = _dashboard_function()
    if figures is None:
        print("dashboard figures function not found (moved?); timing the page only")
        return
    timer = StatementTimer(ctx.engine)
    times = []
    for _ in range(requests):
        async with ctx.sessions() as s:
            t = time.perf_counter()
            d = await figures(s, estate_id=estate.id, now=now, tz=TZ, rules=ctx.rules_for(estate))
            times.append((time.perf_counter() - t) * 1000)
    print(
        f"(30-day window: {d.tickets_30d} tickets; collection rates over {len(d.collection_by_month)} months)"
    )
    _stats("dashboard figures (estate query function)", times)
    print("its statements (median each):")
    timer.report()
    event.remove(ctx.engine.sync_engine, "before_cursor_execute", timer._before)
    event.remove(ctx.engine.sync_engine, "after_cursor_execute", timer._after)


async def main(args: argparse.Namespace) -> None:
    now = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
    ctx, estate = await prepared(args, now)
    await time_figures(ctx, estate, now, args.requests)
    app = create_app(ctx)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        await sign_in(client, "manager")
        first = await client.get("/console/dashboard")
        assert first.status_code == 200, first.status_code
        times = []
        for _ in range(args.requests):
            t = time.perf_counter()
            r = await client.get("/console/dashboard")
            times.append((time.perf_counter() - t) * 1000)
            assert r.status_code == 200
        _stats("GET /console/dashboard (page, signed in)", times)
    await ctx.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--units", type=int, default=10_000)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--db", help="SQLite file: seeded if missing, reused (not seeded again) if present")
    parser.add_argument("--url", help="a PostgreSQL database to use instead (its tables are dropped first!)")
    arguments = parser.parse_args()
    arguments.reuse = arguments.url is None and arguments.db is not None and Path(arguments.db).exists()
    asyncio.run(main(arguments))
