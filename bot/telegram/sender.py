"""Sending the outbox to Telegram, paced by `bot.telegram.pacing` (25 a second overall, one a second per chat).

Each message is marked `attempting` (committed) just before the call and `sent` right after it, so a
crash in between leaves it `unknown` for staff rather than sending it twice. 429: wait `retry_after`
and retry the same message. 403: the resident blocked the bot, so the account is marked blocked and
nothing more is sent to it. Other failures go back to the queue with exponential backoff.
"""

from __future__ import annotations

from collections import deque
from datetime import timedelta

from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)

from bot.outbound import Blocked, Channel, Failed, Outcome, Released, Retry, Sent, send_due
from bot.telegram.client import bot_for
from bot.telegram.pacing import Pacer, pacer_for
from bot.telegram.render import markup
from estate.core.clock import Clock
from estate.core.context import Context
from estate.messaging.models import ChannelAccount, OutboundMessage

MAX_RETRY_AFTER_WAITS = 3


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


async def send_once(
    ctx: Context, clock: Clock, *, limit: int | None = None, pacer: Pacer | None = None
) -> int:
    """Claim due Telegram rows and send them, paced (by the context's pacer unless one is given);
    returns how many were sent."""
    settings = ctx.settings
    if not settings.telegram_token:
        return 0
    bot, pacer = bot_for(ctx), pacer or pacer_for(ctx)

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
