"""WeChat Official Account (公众号): the /wechat endpoint and the outbox sender."""

from __future__ import annotations

from bot.wechat.router import create_router
from bot.wechat.sender import send_once
from estate.core.context import Context
from estate.core.jobs import register_sender


async def start(ctx: Context) -> list:
    """With an app configured: register the outbox sender (messages come in through /wechat)."""
    if ctx.settings.wechat_app_id and ctx.settings.wechat_app_secret:
        register_sender("wechat", send_once)
    return []


__all__ = ["create_router", "send_once", "start"]
