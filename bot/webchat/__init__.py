"""The built-in mobile web chat: the page at /chat, its JSON API, and its outbox sender."""

from __future__ import annotations

from fastapi import APIRouter

from bot.webchat import api, page
from bot.webchat.sender import send_once
from estate.core.context import Context
from estate.core.jobs import register_sender


def create_router(ctx: Context) -> APIRouter:
    """Routes under /chat: the page and its files (page.py), and the JSON API (api.py)."""
    router = APIRouter()
    router.include_router(page.create_page_router(ctx))
    router.include_router(api.create_router(ctx))
    return router


async def start(ctx: Context) -> list:
    """Register the web chat's sender with the outbox job; it needs no background task of its own."""
    register_sender("webchat", send_once)
    return []


__all__ = ["create_router", "send_once", "start"]
