"""Sending the outbox to Telegram: at most 25 messages a second overall and one a second per chat.

The overall rate holds across processes: the next free send slot is a row in the database
(`send_pacing`) that every sender advances atomically, so two workers together stay within it.

Each message is marked `attempting` (committed) just before the call and `sent` right after it, so a
crash in between leaves it `unknown` for staff rather than sending it twice. 429: wait `retry_after`
and retry the same message. 403: the resident blocked the bot, so the account is marked blocked and
nothing more is sent to it. Other failures go back to the queue with exponential backoff.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from datetime import timedelta

from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from sqlalchemy import case, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.outbound import Blocked, Channel, Failed, Outcome, Released, Retry, Sent, send_due
from bot.telegram.client import bot_for
from bot.telegram.render import markup
from estate.core.clock import Clock
from estate.core.context import Context
from estate.core.db import insert_for, unit_of_work
from estate.messaging.models import ChannelAccount, OutboundMessage, SendPacing

MAX_RETRY_AFTER_WAITS = 3


class Pacer:
    """Spaces sends: `rate` per second over all processes (a slot shared in the database) and `per_chat`
    seconds between two sends to one chat (in this process: a chat's batch is claimed by one sender).

    Slots are Unix times (wall clock), since monotonic clocks are not comparable between processes.
    """

    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], rate: float, per_chat: float, name: str = "telegram"
    ) -> None:
        self.sessions, self.name = sessions, name
        self.interval = 1.0 / rate
        self.per_chat = per_chat
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
        await self._advance(earliest=time.time() + seconds, step=0.0)

    async def wait(self, chat: str) -> None:
        """Take the next free slot (not before this chat's own interval) and sleep until it comes."""
        slot = await self._advance(
            earliest=max(time.time(), self.next_chat.get(chat, 0.0)), step=self.interval
        )
        self.next_chat[chat] = slot + self.per_chat
        delay = slot - time.time()
        if delay > 0:
            await asyncio.sleep(delay)


_pacers: dict[tuple[int, float, float], Pacer] = {}


def pacer_for(ctx: Context) -> Pacer:
    rate, per_chat = ctx.settings.telegram_rate_per_second, ctx.settings.telegram_per_chat_interval
    key = (id(ctx.sessions), rate, per_chat)
    if key not in _pacers:
        _pacers[key] = Pacer(ctx.sessions, rate, per_chat)
    return _pacers[key]


def interleave(rows: list[OutboundMessage]) -> list[OutboundMessage]:
    """Round-robin over chats, so one chat's burst does not hold the others back."""
    queues: dict[int | None, deque[OutboundMessage]] = {}
    for row in rows:
        queues.setdefault(row.channel_account_id, deque()).append(row)
    ordered: list[OutboundMessage] = []
    while queues:
        for key in list(queues):
            ordered.append(queues[key].popleft())
            if not queues[key]:
                del queues[key]
    return ordered


def _unreachable(account: ChannelAccount | None) -> str | None:
    if account is None or account.blocked or not account.chat_id:
        return "no reachable Telegram chat"
    return None


async def send_once(ctx: Context, clock: Clock, *, limit: int | None = None) -> int:
    """Claim due Telegram rows and send them, paced; returns how many were sent."""
    settings = ctx.settings
    if not settings.telegram_token:
        return 0
    bot, pacer = bot_for(ctx), pacer_for(ctx)

    async def deliver(row: OutboundMessage, account: ChannelAccount) -> Outcome:
        return await _deliver(ctx, clock, bot, pacer, row, account)

    channel = Channel("telegram", deliver, _unreachable, order=interleave)
    limit = limit or max(1, int(settings.telegram_rate_per_second * settings.outbox_lease_seconds / 2))
    return await send_due(ctx, clock, channel, limit=limit)


async def _deliver(
    ctx: Context, clock: Clock, bot, pacer: Pacer, row: OutboundMessage, account: ChannelAccount
) -> Outcome:
    chat = account.chat_id or ""
    reply = {"choices": (row.payload or {}).get("choices") or []}
    for _ in range(MAX_RETRY_AFTER_WAITS + 1):
        await pacer.wait(chat)
        try:
            message = await bot.send_message(int(chat), row.text, reply_markup=markup(reply, account.locale))
        except TelegramRetryAfter as exc:
            await pacer.pause(exc.retry_after)
            if exc.retry_after >= ctx.settings.outbox_lease_seconds / 2:
                return Released(clock.now() + timedelta(seconds=exc.retry_after))
            continue  # the same message again, after the pause
        except TelegramForbiddenError as exc:
            return Blocked(str(exc)[:200])
        except TelegramBadRequest as exc:
            return Failed(str(exc)[:500])  # will not get better by retrying
        except (TelegramServerError, TelegramNetworkError) as exc:
            return Retry(str(exc)[:500])
        return Sent(external_id=str(message.message_id))
    return Released(clock.now())
