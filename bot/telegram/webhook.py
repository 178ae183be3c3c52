"""The Telegram webhook (`/telegram/webhook/<secret>`), for running several stateless web instances."""

from __future__ import annotations

import hmac
import json

from aiogram.types import Update
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from pydantic import ValidationError

from bot.telegram.client import bot_for, dispatcher_for
from estate.core.context import Context


def webhook_router(ctx: Context) -> APIRouter:
    router = APIRouter()

    @router.post("/telegram/webhook/{secret}", include_in_schema=False)
    async def webhook(secret: str, request: Request) -> Response:
        expected = ctx.settings.telegram_webhook_secret
        if not ctx.settings.telegram_token or not expected:
            return Response(status_code=404)
        header = request.headers.get("X-Telegram-Bot-Api-Secret-Token", expected)
        if not (hmac.compare_digest(secret, expected) and hmac.compare_digest(header, expected)):
            return Response(status_code=403)
        try:
            data = json.loads(await request.body())
            json.dumps(data, ensure_ascii=False).encode(
                "utf-8"
            )  # a lone surrogate cannot be stored: refuse it
            bot = bot_for(ctx)
            update = Update.model_validate(data, context={"bot": bot})
        except (ValueError, ValidationError, RecursionError):  # UnicodeError is a ValueError
            return JSONResponse({"ok": False, "error": "malformed update"}, status_code=400)
        await dispatcher_for(ctx).feed_update(bot, update)
        return JSONResponse({"ok": True})

    return router
