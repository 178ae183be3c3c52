"""Reading what the page sent: the chat session it names, and the message itself, checked."""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse
from sqlalchemy import select

from bot.media import check_allowance
from bot.webchat.answers import PHOTO_STATUS, error
from estate.core.context import Context
from estate.core.db import unit_of_work
from estate.core.errors import ValidationFailed
from estate.messaging.models import ChannelAccount

COOKIE = "desk_chat"
HEADER = "X-Chat-Session"
MAX_TEXT = 2000


def storable(value: Any) -> bool:
    """Text the database can hold: no lone surrogate (\\ud800 in JSON) and no NUL character."""
    if not isinstance(value, str):
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return "\x00" not in value


def session_id_of(request: Request) -> str | None:
    value = request.headers.get(HEADER) or request.cookies.get(COOKIE)
    return (
        value
        if value and 16 <= len(value) <= 64 and value.replace("-", "").replace("_", "").isalnum()
        else None
    )


async def find_account(s, ctx: Context, session_id: str | None) -> ChannelAccount | None:
    if session_id is None:
        return None
    row = await s.execute(
        select(ChannelAccount).where(
            ChannelAccount.channel == "webchat", ChannelAccount.external_id == session_id
        )
    )
    return row.scalar_one_or_none()


async def read_message(
    request: Request, ctx: Context, session_id: str | None
) -> tuple[tuple[Any, Any, Any], bytes | None] | JSONResponse:
    """What the page sent: (text, choice, command) and the photo's bytes, or the error to answer."""
    content_type = request.headers.get("content-type", "")
    photo: bytes | None = None
    if content_type.startswith("multipart/form-data"):
        # Who is asking is checked before an upload is parsed (and spooled to disk).
        async with unit_of_work(ctx.sessions) as s:  # in turn with the writers (SQLite), see api.poll
            asking = await find_account(s, ctx, session_id)
            if asking is None:
                return error(request, "no_session", 401)
            try:  # and whether that chat may store a photo at all (bound, within its rate and quota)
                await check_allowance(s, clock=ctx.clock, settings=ctx.settings, account=asking)
            except ValidationFailed as exc:
                return error(request, exc.code, PHOTO_STATUS[exc.code])
    try:
        if content_type.startswith("multipart/form-data"):
            form = await request.form()
            upload = form.get("photo")
            if upload is None or isinstance(upload, str):
                return error(request, "bad_request", 400)
            photo = await upload.read(ctx.settings.max_photo_bytes + 1)
            body: dict[str, Any] = {"text": form.get("text")} if form.get("text") else {}
        else:
            body = json.loads(await request.body() or b"null")
            if not isinstance(body, dict):
                raise ValueError
        if not all(storable(v) for v in body.values()):
            raise ValueError
    except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: absurdly nested JSON
        return error(request, "bad_request", 400)
    text, choice, command = body.get("text"), body.get("choice"), body.get("command")
    if photo is None and not any(isinstance(v, str) and v.strip() for v in (text, choice, command)):
        return error(request, "bad_request", 400)
    if any(isinstance(v, str) and len(v) > MAX_TEXT for v in (text, choice, command)):
        return error(request, "too_long", 413)
    return (text, choice, command), photo
