"""What the web chat answers: error bodies in the visitor's language, and replies as JSON messages."""

from __future__ import annotations

from datetime import UTC
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.media import MESSAGES as PHOTO_REFUSALS
from dialogs.types import Reply
from estate.messaging.models import WebChatMessage
from locales import N_, Translator, normalize_locale

ERRORS = {
    "no_session": N_("Your chat session has expired. Please reload the page."),
    "bad_request": N_("Sorry, we could not read that message. Please try again."),
    "too_long": N_("That message is too long. Please keep it under 2000 characters."),
    "photo_too_large": N_("That photo is too large. Please send one under {max_mb} MB."),
    "not_a_photo": N_("That file is not a photo we can use. Please send a JPEG, PNG, GIF or WebP picture."),
}

ERRORS.update(PHOTO_REFUSALS)
PHOTO_STATUS = {"photo_too_large": 413, "photo_needs_binding": 403, "photo_too_many": 429}


def locale_of(request: Request) -> str:
    return normalize_locale((request.headers.get("accept-language") or "").split(",")[0])


def error(request: Request, code: str, status: int, **params: Any) -> JSONResponse:
    t = Translator(locale_of(request))
    return JSONResponse({"error": code, "message": t(ERRORS[code], **params)}, status_code=status)


def reply_json(message_id: int, reply: Reply | dict) -> dict:
    """A reply as the page reads it; `offer` (to send back with a choice) only when its choices have one."""
    data = reply.as_dict() if isinstance(reply, Reply) else reply
    return {
        "id": message_id,
        "text": data.get("text", ""),
        "choices": data.get("choices", []),
        "request_photo": data.get("request_photo", False),
        "request_contact": data.get("request_contact", False),
        "photos": data.get("photos", []),
    } | ({"offer": data["offer"]} if data.get("offer") is not None else {})


def _at(row: WebChatMessage) -> str:
    return row.created_at.astimezone(UTC).isoformat()


def answer_json(row: WebChatMessage) -> dict:
    """A stored reply as the send request answers it, with its time (ISO 8601, UTC)."""
    return reply_json(row.id, row.payload or {"text": row.text}) | {"text": row.text, "at": _at(row)}


def message_json(row: WebChatMessage) -> dict:
    """A message of the chat's history: the centre's with its choices, the resident's with the page's
    client_id (so the page matches its own pending bubbles); each with its time."""
    if row.direction == "out":
        return answer_json(row) | {"from": "centre"}
    return {"id": row.id, "text": row.text, "choices": [], "from": "resident", "client_id": row.client_id} | {
        "at": _at(row)
    }


async def earlier_answer(s: AsyncSession, account_id: int, client_id: str) -> list[dict] | None:
    """The replies given to the resident's message with this client_id, or None when there was none."""
    asked = await s.scalar(
        select(WebChatMessage).where(
            WebChatMessage.channel_account_id == account_id,
            WebChatMessage.client_id == client_id,
            WebChatMessage.direction == "in",
        )
    )
    if asked is None:
        return None
    ids = (asked.payload or {}).get("replies", [])
    rows = await s.scalars(
        select(WebChatMessage)
        .where(WebChatMessage.channel_account_id == account_id, WebChatMessage.id.in_(ids))
        .order_by(WebChatMessage.id)
    )
    return [answer_json(row) for row in rows]
