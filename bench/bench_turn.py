"""Benchmark: dialog turns in process, through the shared inbound path (SQLite, the embedded default).

One turn is `bot.inbound.converse`: its unit of work (mark the update seen, find or create the chat's
account, `dialogs.engine.handle` with the understanding of free text, save the conversation), no HTTP.
The database is seeded with the demo estate. Each chat says, in turn: /start, "你好", "物业费怎么交",
"停水了？", taps "menu:repair", then "取消" (chats are not bound, as most first contacts are not).
Prints turns/s and ms/turn sequentially and with 20 concurrent chats, then a cProfile top-15
(cumulative) of the sequential run.

    .venv/bin/python bench/bench_turn.py [--turns 600] [--concurrent 20] [--top 15]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import itertools
import pstats
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.support import share_model_cache  # noqa: E402
from bot.inbound import converse  # noqa: E402
from dialogs.types import Event  # noqa: E402
from estate.core.clock import FixedClock  # noqa: E402
from estate.core.context import Context  # noqa: E402
from estate.core.settings import Settings  # noqa: E402
from estate.demo.seed import seed_demo  # noqa: E402
from estate.schema import Base  # noqa: E402

SCRIPT = [
    Event(kind="command", command="start", locale_hint="zh-hans"),
    Event(kind="text", text="你好", locale_hint="zh-hans"),
    Event(kind="text", text="物业费怎么交", locale_hint="zh-hans"),
    Event(kind="text", text="停水了？", locale_hint="zh-hans"),
    Event(kind="choice", payload="menu:repair", locale_hint="zh-hans"),
    Event(kind="text", text="取消", locale_hint="zh-hans"),
]
_keys = itertools.count(1)


async def turn(ctx: Context, chat: int, step: int) -> int:
    result = await converse(
        ctx,
        channel="telegram",
        external_id=str(900_000 + chat),
        event=SCRIPT[step % len(SCRIPT)],
        seen_key=str(next(_keys)),
        chat_id=str(900_000 + chat),
        display_name=f"Bench {chat}",
    )
    assert result is not None and result.replies, "a turn without replies"
    return len(result.replies)


async def sequential(ctx: Context, turns: int, chats: int, base: int) -> float:
    t0 = time.perf_counter()
    for i in range(turns):
        await turn(ctx, base + i % chats, i // chats)
    return time.perf_counter() - t0


async def concurrent(ctx: Context, turns: int, chats: int, base: int) -> float:
    per_chat = turns // chats

    async def one_chat(chat: int) -> None:
        for step in range(per_chat):  # a chat's own turns are in order, as the channels deliver them
            await turn(ctx, base + chat, step)

    t0 = time.perf_counter()
    await asyncio.gather(*(one_chat(c) for c in range(chats)))
    return time.perf_counter() - t0


def report(label: str, turns: int, seconds: float) -> None:
    print(f"{label:40s} {turns / seconds:8.1f} turns/s   {seconds / turns * 1000:7.2f} ms/turn")


async def main(turns: int, chats: int, top: int) -> None:
    folder = tempfile.mkdtemp()
    share_model_cache(Path(folder))
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{folder}/turn.sqlite3",
        data_dir=folder,
        secret_key="bench-secret-0123456789abcdef0123456",
    )
    ctx = Context.from_settings(settings, clock=FixedClock(datetime(2026, 11, 24, 2, 0, tzinfo=UTC)))
    async with ctx.engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    t0 = time.perf_counter()
    await seed_demo(ctx, password="bench-password-1")
    print(f"demo estate seeded in {time.perf_counter() - t0:.1f} s")

    t0 = time.perf_counter()  # warm up: the understanding model, statement caches, the chats' accounts
    for step in range(len(SCRIPT)):
        await turn(ctx, chats + 1, step)
    for c in range(chats):
        await turn(ctx, c, 0)
    print(
        f"warm-up ({len(SCRIPT) + chats} turns, loads the understanding model) {time.perf_counter() - t0:.1f} s"
    )

    seconds = await sequential(ctx, turns, chats, 0)
    report(f"sequential, {turns} turns", turns, seconds)
    seconds = await concurrent(ctx, turns, chats, 0)
    report(f"{chats} concurrent chats, {turns} turns", turns, seconds)

    profiler = cProfile.Profile()
    profiler.enable()
    seconds = await sequential(ctx, turns, chats, 0)
    profiler.disable()
    report(f"sequential under cProfile, {turns} turns", turns, seconds)
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(top)
    lines = out.getvalue().splitlines()
    start = next(i for i, line in enumerate(lines) if "ncalls" in line)
    print(f"\ncProfile of the sequential run, top {top} by cumulative time:")
    print("\n".join(line for line in lines[start - 1 :] if line.strip()))
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(10)
    lines = out.getvalue().splitlines()
    start = next(i for i, line in enumerate(lines) if "ncalls" in line)
    print("\nand the top 10 by own time (tottime):")
    print("\n".join(line for line in lines[start - 1 :] if line.strip()))
    await ctx.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=600)
    parser.add_argument("--concurrent", type=int, default=20)
    parser.add_argument("--top", type=int, default=15)
    args = parser.parse_args()
    asyncio.run(main(args.turns, args.concurrent, args.top))
