"""Benchmark: payment reminders for 10,000 residents, enqueued and delivered to a fake Telegram server.

Prints the time to enqueue (the payment_reminders job) and the delivery rate the Telegram sender
achieves, as a fraction of the configured limit (DESK_TELEGRAM_RATE_PER_SECOND, 25/s by default).
Delivering all 10,000 at 25/s takes 400 s, so by default the first --deliver messages are timed.

Then times a notice to the whole estate (publish_notice), and publishing it again (nothing new queued).

    .venv/bin/python bench/bench_reminders.py [--residents 10000] [--deliver 1500]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, select  # noqa: E402

import bot.telegram as telegram  # noqa: E402
from bot.telegram.client import close  # noqa: E402
from estate.billing.models import Bill  # noqa: E402
from estate.core.clock import FixedClock  # noqa: E402
from estate.core.context import Context  # noqa: E402
from estate.core.settings import Settings  # noqa: E402
from estate.jobs import run_job  # noqa: E402
from estate.messaging.models import ChannelAccount, OutboundMessage  # noqa: E402
from estate.messaging.notices import create_notice, publish_notice  # noqa: E402
from estate.residents.models import Building, Estate, Resident, Unit  # noqa: E402
from estate.schema import Base  # noqa: E402
from tests.support.fake_telegram import FakeTelegram  # noqa: E402

TZ = ZoneInfo("Asia/Shanghai")


async def main(residents: int, deliver: int) -> None:
    fake = FakeTelegram()
    await fake.start()
    folder = tempfile.mkdtemp()
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{folder}/bench.sqlite3",
        data_dir=folder,
        telegram_token=fake.token,
        telegram_api_base=fake.base_url,
    )
    now = datetime(2026, 12, 12, 10, 0, tzinfo=TZ)
    ctx = Context.from_settings(settings, clock=FixedClock(now))
    async with ctx.engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    t0 = time.perf_counter()
    async with ctx.sessions() as s, s.begin():
        estate = Estate(code="B", name="Bench", timezone="Asia/Shanghai")
        s.add(estate)
        await s.flush()
        building = Building(estate_id=estate.id, code="1", name="1")
        s.add(building)
        await s.flush()
        units = [
            Unit(
                estate_id=estate.id, building_id=building.id, code=f"1-{i:05d}", floor=1, area_m2=Decimal(90)
            )
            for i in range(residents)
        ]
        s.add_all(units)
        await s.flush()
        people = [Resident(unit_id=u.id, name=f"R{i}", phone=None) for i, u in enumerate(units)]
        s.add_all(people)
        await s.flush()
        s.add_all(
            [
                ChannelAccount(
                    channel="telegram", external_id=str(100000 + i), chat_id=str(100000 + i), resident_id=p.id
                )
                for i, p in enumerate(people)
            ]
        )
        s.add_all(
            [
                Bill(
                    unit_id=u.id,
                    estate_id=estate.id,
                    period="2026-12",
                    amount_cents=16650,
                    paid_cents=0,
                    due_date=date(2026, 12, 15),
                    issued_at=now,
                )
                for u in units
            ]
        )
    print(f"seeded {residents} residents in {time.perf_counter() - t0:.1f} s")

    t0 = time.perf_counter()
    summary = await run_job(ctx, "payment_reminders", now)
    enqueue_s = time.perf_counter() - t0
    print(f"enqueue: {summary} in {enqueue_s:.2f} s ({residents / enqueue_s:.0f} residents/s)")

    limit = settings.telegram_rate_per_second
    t0 = time.perf_counter()
    while len(fake.sent()) < deliver:
        await telegram.send_once(ctx, ctx.clock, limit=min(500, deliver - len(fake.sent())))
    elapsed = time.perf_counter() - t0
    sent = len(fake.sent())
    stamps = [c["at"] for c in fake.sent()]
    steady = (len(stamps) - 1) / (stamps[-1] - stamps[0]) if len(stamps) > 1 else 0.0
    print(
        f"delivered {sent} in {elapsed:.1f} s: {sent / elapsed:.2f} msg/s overall, {steady:.2f} msg/s between first and last send"
    )
    print(
        f"delivery rate / configured limit ({limit:g}/s): {sent / elapsed / limit:.3f} overall, {steady / limit:.3f} steady"
    )
    async with ctx.sessions() as s:
        queued = (await s.execute(select(func.count()).select_from(OutboundMessage))).scalar_one()
    print(f"outbox rows: {queued} (one per resident)")
    await publish_to_everyone(ctx, estate.id, residents)
    await close(ctx)
    await ctx.close()
    await fake.stop()


async def publish_to_everyone(ctx: Context, estate_id: int, residents: int) -> None:
    """Time a notice to the whole estate (one outbox row per resident's chat), then publishing it again."""
    async with ctx.sessions() as s, s.begin():
        notice = await create_notice(
            s, clock=ctx.clock, estate_id=estate_id, title="Water", body="Off from 9 to 12 tomorrow"
        )
    for attempt in ("notice", "notice again"):
        t0 = time.perf_counter()
        async with ctx.sessions() as s, s.begin():
            n = await publish_notice(s, clock=ctx.clock, notice_id=notice.id)
        took = time.perf_counter() - t0
        print(
            f"{attempt}: {n} queued for {residents} residents in {took:.2f} s ({residents / took:.0f} residents/s)"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=10_000)
    parser.add_argument("--deliver", type=int, default=1500)
    args = parser.parse_args()
    asyncio.run(main(args.residents, args.deliver))
