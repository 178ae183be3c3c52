"""The web chat's JSON API (DESIGN §7): session, send, poll."""

from __future__ import annotations

import secrets

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import select

from bot.webchat.answers import error, message_json
from bot.webchat.conversation import send_message
from bot.webchat.incoming import COOKIE, find_account, session_id_of
from estate.core.context import Context
from estate.core.db import unit_of_work
from estate.messaging.accounts import get_or_create_account
from estate.messaging.models import WebChatMessage

MAX_ID = 2**31 - 1  # the largest id an INTEGER column holds (PostgreSQL)


def create_router(ctx: Context) -> APIRouter:
    """Routes of the JSON API under /chat/api (the page itself is in page.py)."""
    router = APIRouter()

    @router.post("/chat/api/session")
    async def new_session(request: Request) -> JSONResponse:
        token = secrets.token_urlsafe(24)
        async with unit_of_work(ctx.sessions) as s:
            await get_or_create_account(s, clock=ctx.clock, channel="webchat", external_id=token, locale=None)
        response = JSONResponse({"session": token})
        response.set_cookie(COOKIE, token, httponly=True, samesite="lax", max_age=180 * 24 * 3600)
        return response

    @router.post("/chat/api/send")
    async def send(request: Request) -> JSONResponse:
        return await send_message(ctx, request)

    @router.get("/chat/api/poll")
    async def poll(request: Request, after: str = "0") -> JSONResponse:
        if not (after.isascii() and after.isdigit() and int(after) <= MAX_ID):
            return error(request, "bad_request", 400)
        # A unit of work, not a bare session: on SQLite every transaction is a writer (BEGIN IMMEDIATE), and
        # one outside the process's writer lock would wait in SQLite's busy handler while a burst is served.
        async with unit_of_work(ctx.sessions) as s:
            account = await find_account(s, ctx, session_id_of(request))
            if account is None:
                return error(request, "no_session", 401)
            rows = await s.execute(
                select(WebChatMessage)
                .where(WebChatMessage.channel_account_id == account.id, WebChatMessage.id > int(after))
                .order_by(WebChatMessage.id)
                .limit(200)
            )
            messages = [message_json(m) for m in rows.scalars()]
        return JSONResponse({"messages": messages})

    return router
