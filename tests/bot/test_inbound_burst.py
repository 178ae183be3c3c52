"""A burst through the shared inbound path: every turn is answered and stored once (issue #15).

On SQLite the units of work take turns on the process's writer lock instead of the connection pool, so
a burst larger than the pool is served slowly but completely; on PostgreSQL the conversation's row lock
keeps one chat's turns in order.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from sqlalchemy import func, select

from bot.inbound import NoAccount, converse
from dialogs.types import Event
from estate.core.db import unit_of_work
from estate.messaging.accounts import get_or_create_account
from estate.messaging.models import ChannelAccount, Conversation, InboundSeen

BURST = 60
CHATS = 15


async def _turn(ctx, n: int):
    return await converse(
        ctx,
        channel="telegram",
        external_id=str(700_000 + n % CHATS),
        event=Event(kind="command", command="start"),
        seen_key=f"burst-{n}",
        chat_id=str(700_000 + n % CHATS),
    )


async def _count(ctx, what) -> int:
    async with ctx.sessions() as s:
        return int((await s.execute(select(func.count()).select_from(what))).scalar_one())


async def test_a_burst_larger_than_the_pool_is_answered_completely(ctx):
    turns = await asyncio.gather(*(_turn(ctx, n) for n in range(BURST)))
    assert all(t is not None and t.replies for t in turns)
    assert await _count(ctx, InboundSeen) == BURST
    assert await _count(ctx, ChannelAccount) == CHATS
    assert await _count(ctx, Conversation) == CHATS
    async with ctx.sessions() as s:
        versions = (await s.execute(select(func.sum(Conversation.version)))).scalar_one()
    assert versions == BURST  # every turn saved its conversation once


async def test_a_redelivered_burst_does_nothing_again(ctx):
    await asyncio.gather(*(_turn(ctx, n) for n in range(20)))
    again = await asyncio.gather(*(_turn(ctx, n) for n in range(20)))
    assert again == [None] * 20
    assert await _count(ctx, InboundSeen) == 20


async def test_an_account_without_a_conversation_gets_one(ctx):
    async with unit_of_work(ctx.sessions) as s:
        await get_or_create_account(s, clock=ctx.clock, channel="webchat", external_id="w-1")
    turn = await converse(
        ctx, channel="webchat", external_id="w-1", event=Event(kind="command", command="start"), create=False
    )
    assert turn is not None and turn.replies
    assert await _count(ctx, Conversation) == 1
    try:
        await converse(
            ctx, channel="webchat", external_id="w-2", event=Event(kind="text", text="hi"), create=False
        )
    except NoAccount:
        pass
    else:
        raise AssertionError("a chat without an account was answered")


async def test_units_of_work_of_one_task_may_nest(ctx):
    async with unit_of_work(ctx.sessions) as outer:
        await get_or_create_account(outer, clock=ctx.clock, channel="webchat", external_id="w-3")
        async with unit_of_work(ctx.sessions) as inner:  # does not wait for the lock its own task holds
            assert inner is not outer


async def test_sqlite_units_of_work_wait_for_the_writer_not_the_pool(tmp_path):
    """With one pooled connection given up on after 0.2 s, ten slow units of work at once all complete:
    they queue on the writer lock, so none waits on the pool."""
    from estate.core.db import make_engine, make_sessionmaker
    from estate.schema import Base

    engine = make_engine(
        f"sqlite+aiosqlite:///{tmp_path}/w.sqlite3", pool_size=1, max_overflow=0, pool_timeout=0.2
    )
    try:
        async with engine.begin() as conn:
            await conn.run_sync(Base.metadata.create_all)
        sessions = make_sessionmaker(engine)

        async def slow_write(n: int) -> None:
            async with unit_of_work(sessions) as s:
                s.add(InboundSeen(channel="telegram", message_key=f"slow-{n}", at=datetime.now(UTC)))
                await s.flush()
                await asyncio.sleep(0.05)

        await asyncio.gather(*(slow_write(n) for n in range(10)))
        async with sessions() as s:
            assert (await s.execute(select(func.count()).select_from(InboundSeen))).scalar_one() == 10
    finally:
        await engine.dispose()
