"""Benchmark: our Telegram bot against a bare aiogram echo bot, through the same fake Bot API server.

Both are the real aiogram client long-polling the fake Bot API server of the tests
(`tests/support/fake_telegram.py`, real HTTP on 127.0.0.1), one after the other in one run:

1. a bare aiogram echo bot (a Dispatcher with one handler answering each message with its text);
2. the project's bot as the product wires it (`bot.telegram.start`: its Dispatcher and handlers, the
   shared inbound path, SQLite with the demo estate seeded).

Each gets the same --updates text messages from --users users (/start, then residents' sentences),
pushed at once. Timed from the push until every update has been handled, its replies sent (an outer
middleware on the dispatcher counts them; nothing else is changed); prints both replies/s rates and their ratio (issue #15:
goal >= 0.5, aim 0.8).

    .venv/bin/python bench/bench_telegram.py [--updates 1500] [--users 150] [--within 300]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aiogram import Dispatcher, Router  # noqa: E402
from aiogram.types import Message  # noqa: E402

import bot.telegram as telegram  # noqa: E402
from bench.support import share_model_cache  # noqa: E402
from bot.telegram.client import close, dispatcher_for, make_bot  # noqa: E402
from estate.core.clock import FixedClock  # noqa: E402
from estate.core.context import Context  # noqa: E402
from estate.core.settings import Settings  # noqa: E402
from estate.demo.seed import seed_demo  # noqa: E402
from estate.schema import Base  # noqa: E402
from tests.support.fake_telegram import FakeTelegram  # noqa: E402

TEXTS = ["你好", "物业费怎么交", "停水了？", "我家厨房漏水", "取消", "有人在吗", "电梯坏了", "谢谢", "菜单"]
FIRST_UID = 500_000
errors: Counter[str] = Counter()


def push_updates(fake: FakeTelegram, updates: int, users: int) -> None:
    per_user = updates // users
    for round_ in range(per_user):
        for u in range(users):
            text = "/start" if round_ == 0 else TEXTS[(round_ - 1 + u) % len(TEXTS)]
            fake.send_text(FIRST_UID + u, text)


def count_handled(dp: Dispatcher, done: list[int]) -> None:
    """Count updates whose handling (replies included) has finished, and those that failed (done[1]):
    instrumentation, not behaviour (the exception goes on to aiogram as before)."""

    @dp.update.outer_middleware()
    async def _counted(handler, event, data):
        try:
            return await handler(event, data)
        except Exception as exc:
            done[1] += 1
            errors[type(exc).__name__ + ": " + str(exc)[:90]] += 1
            raise
        finally:
            done[0] += 1


async def run_phase(
    label: str, fake: FakeTelegram, done: list[int], updates: int, users: int, within: float
) -> float:
    """Push the updates at once and wait until every one has been handled; returns replies/s."""
    fake.calls.clear()
    done[0] = done[1] = 0
    errors.clear()
    total = (updates // users) * users
    t0 = time.perf_counter()
    push_updates(fake, updates, users)
    deadline = t0 + within
    while done[0] < total:
        if time.perf_counter() > deadline:
            print(f"{label}: stopped after {within:.0f} s with {done[0]} of {total} updates handled")
            break
        await asyncio.sleep(0.005)
    elapsed = time.perf_counter() - t0
    replies = sum(1 for c in fake.calls if c["method"] == "sendMessage" and c["ok"])
    chats = len({c["params"]["chat_id"] for c in fake.calls if c["method"] == "sendMessage"})
    rate = replies / elapsed
    print(
        f"{label:32s} {done[0]} updates handled, {replies} replies to {chats} chats in {elapsed:6.2f} s: "
        f"{rate:7.1f} replies/s ({done[0] - done[1]} updates answered, {(done[0] - done[1]) / elapsed:.1f}/s)"
    )
    if done[1]:
        print(f"  {done[1]} of {done[0]} updates FAILED (their exceptions, by kind):")
        for what, n in errors.most_common(5):
            print(f"    {n:5d} x {what}")
    return rate


async def drain(fake: FakeTelegram) -> None:
    """Forget the pushed updates once a bot has confirmed them (the next bot starts from a clean server)."""
    await asyncio.sleep(0.2)
    fake.updates.clear()


async def echo_bot(fake: FakeTelegram, updates: int, users: int, within: float) -> float:
    bot = make_bot(fake.token, fake.base_url)
    router = Router(name="echo")

    @router.message()
    async def echo(message: Message) -> None:
        await message.answer(message.text or "")

    dp = Dispatcher()
    dp.include_router(router)
    done = [0, 0]
    count_handled(dp, done)
    task = asyncio.create_task(dp.start_polling(bot, handle_signals=False, close_bot_session=False))
    try:
        await asyncio.sleep(0.3)
        return await run_phase("bare aiogram echo bot", fake, done, updates, users, within)
    finally:
        await dp.stop_polling()
        await asyncio.wait([task], timeout=5)
        await bot.session.close()
        await drain(fake)


async def our_bot(fake: FakeTelegram, updates: int, users: int, within: float) -> float:
    folder = tempfile.mkdtemp()
    share_model_cache(Path(folder))
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{folder}/tg.sqlite3",
        data_dir=folder,
        secret_key="bench-secret-0123456789abcdef0123456",
        telegram_token=fake.token,
        telegram_api_base=fake.base_url,
    )
    ctx = Context.from_settings(settings, clock=FixedClock(datetime(2026, 11, 24, 2, 0, tzinfo=UTC)))
    async with ctx.engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    t0 = time.perf_counter()
    await seed_demo(ctx, password="bench-password-1")
    print(f"(demo estate seeded in {time.perf_counter() - t0:.1f} s)")
    # Warm up outside the timing: the understanding model loads on the first free text.
    from bot.inbound import converse
    from dialogs.types import Event

    for text in TEXTS:
        await converse(ctx, channel="telegram", external_id="1", event=Event(kind="text", text=text))
    done = [0, 0]
    count_handled(dispatcher_for(ctx), done)  # the product's own dispatcher, which start() then polls with
    tasks = await telegram.start(ctx)
    try:
        await asyncio.sleep(0.3)
        return await run_phase("our bot (bot.telegram, SQLite)", fake, done, updates, users, within)
    finally:
        await dispatcher_for(ctx).stop_polling()
        await asyncio.wait(tasks, timeout=5)
        await close(ctx)
        await ctx.close()
        await drain(fake)


async def main(updates: int, users: int, within: float) -> None:
    logging.getLogger("aiogram").setLevel(logging.CRITICAL)  # failures are counted and summarised instead
    fake = FakeTelegram()
    await fake.start()
    try:
        echo = await echo_bot(fake, updates, users, within)
        ours = await our_bot(fake, updates, users, within)
    finally:
        await fake.stop()
    print(f"\nour bot {ours:.0f} replies/s vs bare echo bot {echo:.0f} replies/s: ratio {ours / echo:.2f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=1500)
    parser.add_argument("--users", type=int, default=150)
    parser.add_argument("--within", type=float, default=300.0, help="give up on a phase after this many s")
    args = parser.parse_args()
    asyncio.run(main(args.updates, args.users, args.within))
