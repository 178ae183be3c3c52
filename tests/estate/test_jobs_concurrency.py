"""Scheduled work stays exactly-once with two scheduler processes, and when a sender dies mid-broadcast."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

import bot.telegram as telegram
from bot.telegram.client import close
from estate.billing.models import Bill
from estate.core.context import Context
from estate.core.db import make_engine, make_sessionmaker
from estate.core.jobs import register_sender
from estate.messaging.models import ChannelAccount, OutboundMessage
from estate.messaging.outbox import enqueue
from estate.residents.models import Resident, Unit
from tests.conftest import SHANGHAI
from tests.support.factories import make_world
from tests.support.fake_telegram import FakeTelegram
from tests.support.jobs import simulate


@pytest.fixture
async def fake():
    server = FakeTelegram()
    await server.start()
    yield server
    await server.stop()


def tg_settings(settings, fake, **extra):
    return settings.model_copy(
        update={"telegram_token": fake.token, "telegram_api_base": fake.base_url, **extra}
    )


async def test_two_scheduler_processes_on_postgresql_send_every_reminder_once(pg_engine, settings, fake):
    from estate.core.clock import FixedClock

    start = datetime(2026, 12, 12, 0, 0, tzinfo=SHANGHAI)
    cfg = tg_settings(settings, fake, telegram_rate_per_second=200.0, telegram_per_chat_interval=0.0)
    one = Context(
        settings=cfg, engine=pg_engine, sessions=make_sessionmaker(pg_engine), clock=FixedClock(start)
    )
    async with one.sessions() as s, s.begin():
        world = await make_world(s, at=start, channel="telegram")
        world.account.chat_id = "5000"
        for i in range(1, 20):
            unit = Unit(
                estate_id=world.estate.id,
                building_id=world.building.id,
                code=f"1-2{i:02d}",
                floor=2,
                area_m2=Decimal(80),
            )
            s.add(unit)
            await s.flush()
            resident = Resident(unit_id=unit.id, name=f"R{i}", phone=f"1380000{i:04d}")
            s.add(resident)
            await s.flush()
            s.add(
                ChannelAccount(
                    channel="telegram",
                    external_id=str(5000 + i),
                    chat_id=str(5000 + i),
                    resident_id=resident.id,
                )
            )
        units = (await s.execute(select(Unit))).scalars().all()
        for unit in units:
            s.add(
                Bill(
                    unit_id=unit.id,
                    estate_id=world.estate.id,
                    period="2026-12",
                    amount_cents=15000,
                    paid_cents=0,
                    due_date=datetime(2026, 12, 15).date(),
                    issued_at=start,
                )
            )
    other_engine = make_engine(pg_engine.url.render_as_string(hide_password=False), pool_size=5)
    two = Context(
        settings=cfg, engine=other_engine, sessions=make_sessionmaker(other_engine), clock=FixedClock(start)
    )
    register_sender("telegram", telegram.send_once)
    jobs = {"payment_reminders", "outbox_send", "outbox_reaper", "sla_scan", "callbacks_due"}
    try:
        await asyncio.gather(
            simulate(one, start=start, end=start + timedelta(days=1), step=timedelta(minutes=30), only=jobs),
            simulate(two, start=start, end=start + timedelta(days=1), step=timedelta(minutes=30), only=jobs),
        )
    finally:
        await close(one)
        await close(two)
        await other_engine.dispose()
    per_chat = Counter(str(c["params"]["chat_id"]) for c in fake.sent())
    assert len(per_chat) == 20 and set(per_chat.values()) == {1}  # each resident exactly once
    async with one.sessions() as s:
        statuses = Counter((await s.execute(select(OutboundMessage.status))).scalars())
    assert statuses == Counter({"sent": 20})


async def test_a_sender_killed_mid_broadcast_loses_nothing_and_resends_nothing(
    sqlite_engine, settings, fake, clock
):
    cfg = tg_settings(settings, fake, telegram_rate_per_second=2000.0, telegram_per_chat_interval=0.0)
    ctx = Context(settings=cfg, engine=sqlite_engine, sessions=make_sessionmaker(sqlite_engine), clock=clock)
    async with ctx.sessions() as s, s.begin():
        accounts = [
            ChannelAccount(channel="telegram", external_id=str(10_000 + i), chat_id=str(10_000 + i))
            for i in range(2000)
        ]
        s.add_all(accounts)
        await s.flush()
        for i, account in enumerate(accounts):
            await enqueue(
                s,
                clock=clock,
                dedupe_key=f"notice:1:telegram:{account.id}",
                channel="telegram",
                channel_account_id=account.id,
                text=f"broadcast {i}",
                kind="notice",
            )
    try:
        task = asyncio.create_task(telegram.send_once(ctx, clock))
        await fake.wait_for(lambda c: len(fake.sent()) >= 300, within=60)
        task.cancel()  # the process dies in the middle of the broadcast
        await asyncio.gather(task, return_exceptions=True)
        before = len(fake.calls)
        assert 300 <= before < 2000

        clock.advance(
            seconds=cfg.outbox_lease_seconds + 1
        )  # the restarted worker: reaper first, then sending
        from estate.jobs import run_job

        await run_job(ctx, "outbox_reaper", clock.now())
        for _ in range(5):
            await telegram.send_once(ctx, clock)
    finally:
        await close(ctx)
    texts = Counter(c["params"]["text"] for c in fake.calls if c["method"] == "sendMessage")
    assert max(texts.values()) == 1  # nothing was sent twice
    async with ctx.sessions() as s:
        rows = (await s.execute(select(OutboundMessage.text, OutboundMessage.status))).all()
    statuses = Counter(status for _, status in rows)
    assert set(statuses) <= {"sent", "unknown"} and statuses["unknown"] <= 1  # at most the one in flight
    assert statuses["sent"] + statuses["unknown"] == 2000  # nothing lost
    unknown = [text for text, status in rows if status == "unknown"]
    assert all(texts[text] <= 1 for text in unknown)  # and the unknown one was not sent again
