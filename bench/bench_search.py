"""Benchmark: the queue's search and its SLA-first order with 100,000 tickets (issue #14).

Builds 100,000 tickets (Chinese descriptions, about 40 % open), 30,000 resident messages, 2,000 units and
residents, then requests the queue page through the real ASGI app with a signed-in session: the SLA-first
queue itself, and searches by reference, unit, name, phone and words (one or two Chinese characters use
LIKE, three or more the trigram index). Prints the median and 95th percentile of each. Goal: under 100 ms.

    .venv/bin/python bench/bench_search.py [--tickets 100000] [--requests 30]
    .venv/bin/python bench/bench_search.py --url postgresql+asyncpg://postgres@127.0.0.1:5432/DB  (wipes DB)
"""

from __future__ import annotations

import argparse
import asyncio
import random
import re
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx  # noqa: E402
from sqlalchemy import insert, select  # noqa: E402

from desk.app import create_app  # noqa: E402
from estate.core.clock import FixedClock  # noqa: E402
from estate.core.context import Context  # noqa: E402
from estate.core.settings import Settings  # noqa: E402
from estate.residents.models import Resident, Unit  # noqa: E402
from estate.schema import Base  # noqa: E402
from estate.tickets.models import Ticket, TicketEvent  # noqa: E402
from tests.support.console import console_world, sign_in  # noqa: E402

PLACES = ["卫生间", "厨房", "客厅", "阳台", "主卧", "次卧", "楼道", "地下车库", "单元门口", "电梯厅"]
PROBLEMS = [
    "天花板漏水",
    "水管接口渗水",
    "下水道堵塞",
    "灯不亮了",
    "防盗门锁坏了",
    "墙面开裂",
    "插座没电",
    "窗户关不上",
]
HOW = ["严重", "有点", "一直这样", "昨晚开始", "很着急", "麻烦尽快"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀英华"
STATUSES = [
    "new",
    "claimed",
    "dispatched",
    "in_progress",
    "resolved",
    "closed",
    "closed",
    "closed",
    "closed",
    "closed",
]


async def people(ctx: Context, world: Any, rng: random.Random, n: int) -> list[tuple[int, int]]:
    """n units 1..n as "building-entrance-room" codes with one resident each: [(unit id, resident id)]."""
    async with ctx.sessions() as s, s.begin():
        units = [
            dict(
                estate_id=world.estate.id,
                building_id=world.building.id,
                code=f"{i // 200 + 2}-{i // 100 % 2 + 1}-{(i % 100) // 4 + 1}0{i % 4 + 1}",
                floor=(i % 100) // 4 + 1,
                area_m2=Decimal("88.00"),
                occupancy="occupied",
            )
            for i in range(n)
        ]
        await s.execute(insert(Unit), units)
        ids = list(
            (await s.execute(select(Unit.id).where(Unit.id != world.unit.id).order_by(Unit.id))).scalars()
        )
        residents = [
            dict(
                unit_id=uid,
                name=rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
                phone=f"139{10_000_000 + k:08d}",
                role="owner",
                active=True,
                created_at=ctx.clock.now(),
            )
            for k, uid in enumerate(ids)
        ]
        await s.execute(insert(Resident), residents)
        rows = await s.execute(select(Resident.unit_id, Resident.id).where(Resident.unit_id.in_(ids)))
        return [(u, r) for u, r in rows.all()]


def ticket_row(i: int, now: datetime, world: Any, who: tuple[int, int], rng: random.Random) -> dict[str, Any]:
    created = now - timedelta(minutes=i * 3)
    urgent = rng.random() < 0.03
    return dict(
        ref=f"BX-{i:08d}",
        estate_id=world.estate.id,
        kind="repair",
        category="water_leak" if urgent else "plumbing",
        unit_id=who[0],
        building_id=world.building.id,
        description=f"{rng.choice(PLACES)}{rng.choice(PROBLEMS)}{rng.choice(HOW)}，第{i}号",
        urgency="urgent" if urgent else "normal",
        major=False,
        status=rng.choice(STATUSES),
        resident_id=who[1],
        created_at=created,
        updated_at=created,
        dispatch_due=created + timedelta(minutes=15 if urgent else 60),
        resolve_due=created + timedelta(hours=25),
        escalation_level=0,
        reopen_count=0,
        transferred=False,
    )


async def fill(ctx: Context, world: Any, n: int, now: datetime) -> None:
    rng = random.Random(14)
    who = await people(ctx, world, rng, 2000)
    t0 = time.perf_counter()
    async with ctx.sessions() as s, s.begin():
        for start in range(0, n, 5000):
            rows = [
                ticket_row(i, now, world, rng.choice(who), rng) for i in range(start, min(n, start + 5000))
            ]
            await s.execute(insert(Ticket), rows)
        ids = list((await s.execute(select(Ticket.id))).scalars())
        events = [
            dict(
                ticket_id=tid,
                at=now,
                kind="message_in",
                text=f"师傅什么时候到？{rng.choice(PLACES)}还在{tid}",
            )
            for tid in rng.sample(ids, min(len(ids), 30_000))
        ]
        for start in range(0, len(events), 5000):
            await s.execute(insert(TicketEvent), events[start : start + 5000])
    print(f"inserted {n} tickets and {len(events)} messages, indexed, in {time.perf_counter() - t0:.1f} s")


async def measure(client: httpx.AsyncClient, label: str, path: str, requests: int) -> None:
    times = []
    for _ in range(requests):
        t = time.perf_counter()
        r = await client.get(path)
        times.append((time.perf_counter() - t) * 1000)
        assert r.status_code == 200, (path, r.status_code)
    times.sort()
    hits = len(re.findall(r'href="/console/tickets/\d', r.text))
    p95 = times[max(0, int(len(times) * 0.95) - 1)]
    print(f"{label:44s} median {statistics.median(times):6.1f} ms   p95 {p95:6.1f} ms   rows {hits}")


PAGES = [
    ("SLA-first queue, open tickets, page 1", "/console/tickets"),
    ("SLA-first queue, page 40 (OFFSET)", "/console/tickets?page=40"),
    ("SLA-first queue, htmx refresh fragment", "/console/tickets?fragment=true"),
    ("all statuses, newest first, page 1000", "/console/tickets?status=all&sort=newest&page=1000"),
    ("search: reference", "/console/tickets?status=all&q=BX-00054321"),
    ("search: unit 3-1-502", "/console/tickets?status=all&q=3-1-502"),
    ("search: resident's phone", "/console/tickets?status=all&q=139%201000%200777"),
    ("search: last 4 digits of a phone", "/console/tickets?status=all&q=0777"),
    ("search: 漏水 (2 chars, LIKE), open", "/console/tickets?q=漏水"),
    ("search: 漏水 (2 chars, LIKE), all statuses", "/console/tickets?status=all&q=漏水"),
    ("search: 天花板漏水 (trigram)", "/console/tickets?status=all&q=天花板漏水"),
    ("search: a message's words (trigram)", "/console/tickets?status=all&q=什么时候到"),
    ("search: rare words (trigram)", "/console/tickets?status=all&q=第77777号"),
    ("search: no match (trigram)", "/console/tickets?status=all&q=电梯困人救援"),
]


async def main(n: int, requests: int, url: str | None) -> None:
    folder = tempfile.mkdtemp()
    settings = Settings(
        database_url=url or f"sqlite+aiosqlite:///{folder}/s.sqlite3",
        data_dir=folder,
        secret_key="bench-secret-0123456789abcdef0123456",
    )
    now = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
    ctx = Context.from_settings(settings, clock=FixedClock(now))
    async with ctx.engine.begin() as conn:
        if url:
            await conn.run_sync(Base.metadata.drop_all)
        await conn.run_sync(Base.metadata.create_all)
    world = await console_world(ctx)
    await fill(ctx, world, n, now)
    if url:
        async with ctx.engine.connect() as conn:
            await conn.exec_driver_sql("COMMIT")
            await conn.exec_driver_sql("ANALYZE")
    print(f"database: {settings.database_url}")
    print(f"{ctx.engine.dialect.name}, {n} tickets, {requests} requests each, through the ASGI app")
    app = create_app(ctx)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        await sign_in(client, "agent")
        for label, path in PAGES:
            await measure(client, label, path, requests)
    await ctx.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--url", help="a PostgreSQL database to use (its tables are dropped first)")
    args = parser.parse_args()
    asyncio.run(main(args.tickets, args.requests, args.url))
