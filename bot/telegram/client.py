"""The aiogram Bot (pointed at DESK_TELEGRAM_API_BASE when set) and the Dispatcher, one of each per context."""

from __future__ import annotations

from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer

from estate.core.context import Context

_bots: dict[int, Bot] = {}
_dispatchers: dict[int, Dispatcher] = {}


def make_bot(token: str, api_base: str | None) -> Bot:
    session = AiohttpSession(api=TelegramAPIServer.from_base(api_base)) if api_base else AiohttpSession()
    return Bot(token=token, session=session)


def bot_for(ctx: Context) -> Bot:
    """The context's bot (created on first use)."""
    if id(ctx) not in _bots:
        assert ctx.settings.telegram_token, "DESK_TELEGRAM_TOKEN is not set"
        _bots[id(ctx)] = make_bot(ctx.settings.telegram_token, ctx.settings.telegram_api_base)
    return _bots[id(ctx)]


def dispatcher_for(ctx: Context) -> Dispatcher:
    """The context's dispatcher with the resident handlers."""
    if id(ctx) not in _dispatchers:
        from bot.telegram.handlers import build_router

        dp = Dispatcher()
        dp.include_router(build_router(ctx))
        _dispatchers[id(ctx)] = dp
    return _dispatchers[id(ctx)]


async def close(ctx: Context) -> None:
    bot = _bots.pop(id(ctx), None)
    _dispatchers.pop(id(ctx), None)
    if bot is not None:
        await bot.session.close()
