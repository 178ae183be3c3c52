"""Pacing Telegram sends: at most `rate` messages a second overall and one per `per_chat` seconds per chat.

The overall rate holds across processes: the next free send slot is a row in the database
(`send_pacing`) that every sender advances atomically, so two workers together stay within it.
Time comes from an injected `PaceClock`, so tests can pace against a fake clock exactly.
"""

from __future__ import annotations

import asyncio
import time
from typing import Protocol

from sqlalchemy import case, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from estate.core.context import Context
from estate.core.db import insert_for, unit_of_work
from estate.messaging.models import SendPacing


class PaceClock(Protocol):
    """Seconds that never go backwards, and a way to wait for them to pass."""

    def now(self) -> float: ...

    async def sleep(self, seconds: float) -> None: ...


class SystemPaceClock:
    """Unix time (comparable between processes, unlike `time.monotonic`), never going backwards here."""

    def __init__(self) -> None:
        self._last = 0.0

    def now(self) -> float:
        self._last = max(self._last, time.time())
        return self._last

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


class Pacer:
    """Spaces sends: `rate` per second over all processes (a slot shared in the database) and `per_chat`
    seconds between two sends to one chat (in this process: a chat's batch is claimed by one sender).
    """

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        rate: float,
        per_chat: float,
        name: str = "telegram",
        clock: PaceClock | None = None,
    ) -> None:
        self.sessions, self.name = sessions, name
        self.interval = 1.0 / rate
        self.per_chat = per_chat
        self.clock = clock or SystemPaceClock()
        self.next_chat: dict[str, float] = {}

    async def _advance(self, *, earliest: float, step: float) -> float:
        """Atomically move the shared slot to max(slot, earliest) + step; returns where it was moved from."""
        start = case((SendPacing.next_at > earliest, SendPacing.next_at), else_=earliest)
        advance = (
            update(SendPacing)
            .where(SendPacing.name == self.name)
            .values(next_at=start + step)
            .returning(SendPacing.next_at)
        )
        async with unit_of_work(self.sessions) as s:
            moved = (await s.execute(advance)).scalar_one_or_none()
            if moved is None:  # the first send of this installation: create the row, then take the slot
                await s.execute(
                    insert_for(s)(SendPacing)
                    .values(name=self.name, next_at=0.0)
                    .on_conflict_do_nothing(index_elements=["name"])
                )
                moved = (await s.execute(advance)).scalar_one()
            return float(moved) - step

    async def pause(self, seconds: float) -> None:
        """Nobody sends for `seconds` (Telegram said 429 with retry_after)."""
        await self._advance(earliest=self.clock.now() + seconds, step=0.0)

    async def wait(self, chat: str) -> None:
        """Take the next free slot (not before this chat's own interval) and sleep until it comes."""
        slot = await self._advance(
            earliest=max(self.clock.now(), self.next_chat.get(chat, 0.0)), step=self.interval
        )
        self.next_chat[chat] = slot + self.per_chat
        delay = slot - self.clock.now()
        if delay > 0:
            await self.clock.sleep(delay)


_pacers: dict[tuple[int, float, float], Pacer] = {}


def pacer_for(ctx: Context) -> Pacer:
    """The context's pacer on the system clock (one per database and settings, shared by its senders)."""
    rate, per_chat = ctx.settings.telegram_rate_per_second, ctx.settings.telegram_per_chat_interval
    key = (id(ctx.sessions), rate, per_chat)
    if key not in _pacers:
        _pacers[key] = Pacer(ctx.sessions, rate, per_chat)
    return _pacers[key]
