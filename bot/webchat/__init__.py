"""The built-in mobile web chat: the page at /chat, its JSON API, and its outbox sender."""

from __future__ import annotations

from bot.webchat.api import create_router
from bot.webchat.sender import send_once
from estate.core.context import Context
from estate.core.jobs import register_sender


async def start(ctx: Context) -> list:
    """Register the web chat's sender with the outbox job; it needs no background task of its own."""
    register_sender("webchat", send_once)
    return []


__all__ = ["create_router", "send_once", "start"]
