"""The outbox: dedupe keys, quiet hours, claiming with leases, and the reaper."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from sqlalchemy import func, select

from estate.messaging import outbox
from estate.messaging.leases import claim, mark_attempting, reap
from estate.messaging.models import ChannelAccount, OutboundMessage
from estate.messaging.outbox import enqueue, enqueue_many, enqueue_to_resident
from estate.messaging.outcomes import mark_blocked, mark_failed, mark_sent, release
from tests.conftest import SHANGHAI
from tests.support.factories import make_world


async def _queue(s, clock, n, channel="telegram"):
    for i in range(n):
        await enqueue(s, clock=clock, dedupe_key=f"k:{i}", channel=channel, text=f"m{i}")


async def test_same_dedupe_key_queues_once(sessions, clock):
    async with sessions() as s, s.begin():
        assert await enqueue(
            s, clock=clock, dedupe_key="bill:1:overdue-7d:telegram", channel="telegram", text="a"
        )
        assert not await enqueue(
            s, clock=clock, dedupe_key="bill:1:overdue-7d:telegram", channel="telegram", text="a"
        )
        assert (await s.execute(select(func.count()).select_from(OutboundMessage))).scalar_one() == 1


async def test_reminders_wait_for_the_end_of_quiet_hours(sessions, clock):
    clock.set(datetime(2026, 11, 22, 22, 30, tzinfo=SHANGHAI))
    async with sessions() as s, s.begin():
        world = await make_world(s, at=clock.now())
        await enqueue_to_resident(
            s,
            clock=clock,
            resident_id=world.resident.id,
            key="r1",
            text_for=lambda loc: "x",
            quiet=(SHANGHAI, 21, 8),
        )
        await enqueue_to_resident(
            s,
            clock=clock,
            resident_id=world.resident.id,
            key="r2",
            text_for=lambda loc: "y",
            quiet=(SHANGHAI, 21, 8),
            urgent=True,
        )
        rows = (await s.execute(select(OutboundMessage).order_by(OutboundMessage.id))).scalars().all()
    assert rows[0].not_before == datetime(2026, 11, 23, 8, 0, tzinfo=SHANGHAI)
    assert rows[1].not_before == clock.now()


async def test_concurrent_claimers_never_share_a_row(sessions, clock):
    async with sessions() as s, s.begin():
        await _queue(s, clock, 60)

    async def worker(name):
        got = []
        while True:
            async with sessions() as s, s.begin():
                rows = await claim(s, clock=clock, channel="telegram", owner=name, limit=7)
            if not rows:
                return got
            got += [r.id for r in rows]

    results = await asyncio.gather(*(worker(f"w{i}") for i in range(3)))
    ids = [i for r in results for i in r]
    assert len(ids) == 60 and len(set(ids)) == 60


async def test_expired_leases_untried_come_back_tried_become_unknown(sessions, clock):
    async with sessions() as s, s.begin():
        await _queue(s, clock, 3)
        rows = await claim(s, clock=clock, channel="telegram", owner="crashed", limit=3, lease_seconds=30)
        assert await mark_attempting(s, clock=clock, message_id=rows[0].id, owner="crashed")
        assert await mark_attempting(s, clock=clock, message_id=rows[1].id, owner="crashed")
        await mark_sent(s, clock=clock, message_id=rows[1].id)
    clock.advance(seconds=31)
    async with sessions() as s, s.begin():
        assert await reap(s, clock=clock) == (1, 1)
        statuses = dict((await s.execute(select(OutboundMessage.text, OutboundMessage.status))).all())
    assert statuses == {"m0": "unknown", "m1": "sent", "m2": "pending"}


async def test_failures_back_off_and_429_releases_without_counting(sessions, clock):
    async with sessions() as s, s.begin():
        await _queue(s, clock, 1)
        (row,) = await claim(s, clock=clock, channel="telegram", owner="w")
        await mark_attempting(s, clock=clock, message_id=row.id, owner="w")
        await release(s, clock=clock, message_id=row.id, not_before=clock.now() + timedelta(seconds=5))
        stored = await s.get(OutboundMessage, row.id, populate_existing=True)
        assert (stored.status, stored.attempts) == ("pending", 0)
        assert await claim(s, clock=clock, channel="telegram", owner="w") == []  # not before 5 s
        clock.advance(seconds=6)
        (row,) = await claim(s, clock=clock, channel="telegram", owner="w")
        await mark_attempting(s, clock=clock, message_id=row.id, owner="w")
        assert (
            await mark_failed(
                s, clock=clock, message_id=row.id, error="500", retry_at=clock.now() + timedelta(seconds=10)
            )
            == "pending"
        )
        clock.advance(seconds=11)
        (row,) = await claim(s, clock=clock, channel="telegram", owner="w")
        await mark_attempting(s, clock=clock, message_id=row.id, owner="w")
        assert await mark_failed(s, clock=clock, message_id=row.id, error="400 bad request") == "failed"
        stored = await s.get(OutboundMessage, row.id, populate_existing=True)
        assert (stored.status, stored.attempts, stored.last_error) == ("failed", 2, "400 bad request")


async def test_403_blocks_the_account_and_holds_its_messages(sessions, clock):
    async with sessions() as s, s.begin():
        world = await make_world(s, at=clock.now(), channel="telegram")
        for i in range(3):
            await enqueue(
                s,
                clock=clock,
                dedupe_key=f"x{i}",
                channel="telegram",
                channel_account_id=world.account.id,
                text="t",
            )
        rows = await claim(s, clock=clock, channel="telegram", owner="w", limit=1)
        await mark_attempting(s, clock=clock, message_id=rows[0].id, owner="w")
        await mark_blocked(s, clock=clock, message_id=rows[0].id)
        account = await s.get(ChannelAccount, world.account.id)
        statuses = (await s.execute(select(OutboundMessage.status))).scalars().all()
    assert account.blocked is True
    assert statuses == ["blocked", "blocked", "blocked"]


async def test_a_batch_with_a_repeated_dedupe_key_stores_one_row_per_key(sessions, clock):
    async with sessions() as s, s.begin():
        await enqueue(s, clock=clock, dedupe_key="k:a", channel="telegram", text="earlier")
        rows = [
            dict(dedupe_key="k:a", channel="telegram", text="again"),  # queued before
            dict(dedupe_key="k:b", channel="telegram", text="first b"),
            dict(dedupe_key="k:b", channel="telegram", text="second b"),  # repeated in the batch
            dict(dedupe_key="k:c", channel="webchat", text="c", kind="notice", urgent=True),
        ]
        queued = await enqueue_many(s, clock=clock, rows=rows)
        again = await enqueue_many(s, clock=clock, rows=rows)
        stored = (await s.execute(select(OutboundMessage).order_by(OutboundMessage.id))).scalars().all()
    assert sorted(queued) == ["k:b", "k:c"] and again == []
    assert [(m.dedupe_key, m.text) for m in stored] == [("k:a", "earlier"), ("k:b", "first b"), ("k:c", "c")]
    assert stored[2].kind == "notice" and stored[2].urgent and stored[1].kind == "message"
    assert all(m.status == "pending" and m.attempts == 0 and m.not_before == clock.now() for m in stored)


async def test_a_batch_larger_than_one_insert_goes_in_chunks(sessions, clock, monkeypatch):
    monkeypatch.setattr(outbox, "MAX_ROWS_PER_INSERT", 2)
    async with sessions() as s, s.begin():
        await enqueue(s, clock=clock, dedupe_key="k:2", channel="telegram", text="earlier")
        rows = [dict(dedupe_key=f"k:{i}", channel="telegram", text=f"m{i}") for i in range(7)]
        queued = await enqueue_many(s, clock=clock, rows=rows)
        keys = (await s.execute(select(OutboundMessage.dedupe_key))).scalars().all()
    assert sorted(queued) == ["k:0", "k:1", "k:3", "k:4", "k:5", "k:6"]
    assert sorted(keys) == [f"k:{i}" for i in range(7)]
