"""What the web chat answers: error bodies in the visitor's language, and replies as JSON messages."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse

from bot.media import MESSAGES as PHOTO_REFUSALS
from dialogs.types import Reply
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
    data = reply.as_dict() if isinstance(reply, Reply) else reply
    return {
        "id": message_id,
        "text": data.get("text", ""),
        "choices": data.get("choices", []),
        "request_photo": data.get("request_photo", False),
        "request_contact": data.get("request_contact", False),
    }
