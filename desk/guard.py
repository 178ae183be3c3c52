"""ASGI guards around the whole app: request bodies capped before they are read, values the database
refuses answered as bad input, and (from `desk.security_headers`) the security headers on every response."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.exc import StatementError
from starlette.requests import Request, cookie_parser
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from desk.security_headers import SecurityHeaders
from estate.core.db import refused_value
from estate.core.settings import Settings
from locales import N_, Translator, normalize_locale

TOO_LARGE = N_("That is more data than we accept in one request.")
PHOTO_TOO_LARGE = N_("That photo is too large. Please send one under {max_mb} MB.")  # as the chat says it
UNREADABLE = N_("Sorry, we could not read that request.")
MULTIPART_SLACK = 64 * 1024  # the form's field names and boundaries around a photo


def _headers(scope: Scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}


@dataclass(frozen=True)
class Limit:
    """The most bytes a request may carry, and what the refusal says."""

    size: int
    code: str = "too_large"
    message: str = TOO_LARGE
    params: dict[str, Any] = field(default_factory=dict)


def body_limit(settings: Settings, scope: Scope) -> Limit:
    """A photo to the web chat, a file to the console's import, else a form's worth."""
    if _headers(scope).get("content-type", "").startswith("multipart/"):
        if scope["path"] == "/chat/api/send":
            mb = settings.max_photo_bytes // (1024 * 1024)
            return Limit(
                settings.max_photo_bytes + MULTIPART_SLACK, "photo_too_large", PHOTO_TOO_LARGE, {"max_mb": mb}
            )
        if scope["path"] == "/console/import":
            return Limit(settings.max_upload_bytes)
    return Limit(settings.max_body_bytes)


def _locale(headers: dict[str, str]) -> str:
    chosen = cookie_parser(headers.get("cookie", "")).get("desk_console_lang")
    return normalize_locale(chosen or headers.get("accept-language", "").split(",")[0] or None)


async def _refuse(scope: Scope, send: Send, status: int, code: str, message: str, **params: Any) -> None:
    """A translated refusal: JSON for the chat and channel APIs, plain text for a person's browser."""
    headers = _headers(scope)
    text = Translator(_locale(headers))(message, **params)
    if scope["path"].startswith("/chat/api") or "json" in headers.get("accept", ""):
        body = json.dumps({"error": code, "message": text}, ensure_ascii=False).encode()
        media = b"application/json"
    else:
        body, media = text.encode(), b"text/plain; charset=utf-8"
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", media),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class BodyLimit:
    """Refuse a body whose Content-Length is over the limit with 413 before reading it, and stop a
    streamed (chunked) body as soon as it passes the limit: nothing larger is ever buffered or spooled."""

    def __init__(self, app: ASGIApp, *, limit_for: Callable[[Scope], Limit]) -> None:
        self.app, self.limit_for = app, limit_for

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope)
        too_large = (413, limit.code, limit.message)
        length = _headers(scope).get("content-length")
        if length is not None:
            if not length.strip().isdigit():
                await _refuse(scope, send, 400, "bad_request", UNREADABLE)
                return
            if int(length) > limit.size:
                await _refuse(scope, send, *too_large, **limit.params)
                return
        received = 0
        refused = False
        started = False

        async def limited_receive() -> Message:
            nonlocal received, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit.size:
                    refused = True
                    if not started:
                        await _refuse(scope, send, *too_large, **limit.params)
                    # The app sees a client that went away: it stops reading and its answer is dropped.
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if refused:
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except Exception:
            if not refused:
                raise


async def _refused_value(request: Request, exc: Exception) -> Response:
    """A value the database refuses (a hand-made id beyond its integers, a NUL) is bad input, not a crash."""
    if refused_value(exc) is None:
        raise exc
    text = Translator(_locale(_headers(request.scope)))(UNREADABLE)
    return JSONResponse({"error": "bad_request", "message": text}, status_code=400)


def install(app: Any, settings: Settings) -> None:
    """Wrap the app: headers outermost, so that even a refused body gets them."""
    app.add_exception_handler(OverflowError, _refused_value)
    app.add_exception_handler(StatementError, _refused_value)
    app.add_middleware(BodyLimit, limit_for=lambda scope: body_limit(settings, scope))
    app.add_middleware(
        SecurityHeaders,
        https=lambda scope: scope.get("scheme") == "https" or settings.base_url.startswith("https://"),
    )
