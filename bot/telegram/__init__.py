"""Telegram (aiogram 3): long polling by default, a webhook at scale, and a paced outbox sender."""

from __future__ import annotations

import asyncio

from bot.telegram.client import bot_for, dispatcher_for
from bot.telegram.sender import send_once
from bot.telegram.webhook import webhook_router
from estate.core.context import Context
from estate.core.jobs import register_sender


async def start(ctx: Context) -> list[asyncio.Task]:
    """With a token configured: register the sender, and poll for updates (or set the webhook)."""
    settings = ctx.settings
    if not settings.telegram_token:
        return []
    register_sender("telegram", send_once)
    bot, dp = bot_for(ctx), dispatcher_for(ctx)
    if settings.telegram_mode == "webhook":
        secret = settings.telegram_webhook_secret or ""
        await bot.set_webhook(
            f"{settings.base_url.rstrip('/')}/telegram/webhook/{secret}", secret_token=secret or None
        )
        return []
    await bot.delete_webhook(drop_pending_updates=False)
    return [
        asyncio.create_task(
            dp.start_polling(bot, handle_signals=False, close_bot_session=False), name="telegram-polling"
        )
    ]


__all__ = ["send_once", "start", "webhook_router"]
