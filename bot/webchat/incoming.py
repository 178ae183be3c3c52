"""Reading what the page sent: the chat session it names, and the message itself, checked."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse
from sqlalchemy import select

from bot.media import check_allowance
from bot.webchat.answers import PHOTO_STATUS, error
from estate.core.context import Context
from estate.core.db import unit_of_work
from estate.core.errors import ValidationFailed
from estate.messaging.models import ChannelAccount, Conversation, WebChatMessage

COOKIE = "desk_chat"
HEADER = "X-Chat-Session"
MAX_TEXT = 2000
MAX_CLIENT_ID = 64  # the page's own id of a message (webchat_messages.client_id)
MAX_OFFER = 2**31 - 1  # a conversation version (an INTEGER column)


@dataclass(frozen=True)
class Sent:
    """One message as the page sent it: typed text, a choice (with the offer of the reply that showed it), a
    /command or a photo, and the page's id for it (a retry carries the same one)."""

    text: Any
    choice: Any
    command: Any
    photo: bytes | None
    client_id: str | None
    offer: int | None


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


async def read_message(request: Request, ctx: Context, session_id: str | None) -> Sent | JSONResponse:
    """What the page sent, or the error to answer."""
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
            body: dict[str, Any] = {k: form.get(k) for k in ("text", "client_id") if form.get(k) is not None}
        else:
            body = json.loads(await request.body() or b"null")
            if not isinstance(body, dict):
                raise ValueError
        if not all(storable(v) for v in body.values()):
            raise ValueError
    except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: absurdly nested JSON
        return error(request, "bad_request", 400)
    text, choice, command = body.get("text"), body.get("choice"), body.get("command")
    client_id, offer = body.get("client_id"), body.get("offer")
    if photo is None and not any(isinstance(v, str) and v.strip() for v in (text, choice, command)):
        return error(request, "bad_request", 400)
    if not (client_id is None or (isinstance(client_id, str) and 0 < len(client_id) <= MAX_CLIENT_ID)):
        return error(request, "bad_request", 400)
    if not (offer is None or (type(offer) is int and 0 <= offer <= MAX_OFFER)):
        return error(request, "bad_request", 400)
    if any(isinstance(v, str) and len(v) > MAX_TEXT for v in (text, choice, command)):
        return error(request, "too_long", 413)
    return Sent(text, choice, command, photo, client_id, offer)


async def label_of(s, account: ChannelAccount, payload: str) -> str:
    """The label of a choice the chat was offered (what the resident tapped, for the history): among the
    choices of the conversation's last turn, else of the chat's recent messages; the payload if none has it."""
    data = await s.scalar(select(Conversation.data).where(Conversation.channel_account_id == account.id))
    for label, offered in (data or {}).get("_choices", []):
        if offered == payload:
            return str(label)
    recent = await s.scalars(
        select(WebChatMessage.payload)
        .where(WebChatMessage.channel_account_id == account.id, WebChatMessage.direction == "out")
        .order_by(WebChatMessage.id.desc())
        .limit(20)
    )
    for shown in recent:
        for choice in (shown or {}).get("choices", []):
            if choice.get("payload") == payload:
                return str(choice.get("label") or payload)
    return payload
