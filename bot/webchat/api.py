"""The web chat's page and JSON API (DESIGN §7): session, send, poll."""

from __future__ import annotations

import json
import secrets
from dataclasses import replace
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.inbound import NoAccount, Photo, PhotoRefused, converse, raise_refusal
from bot.media import MESSAGES as PHOTO_REFUSALS
from bot.media import check_allowance
from dialogs.types import Event, Reply
from estate.core.context import Context
from estate.core.db import unit_of_work
from estate.core.errors import ValidationFailed
from estate.messaging.accounts import get_or_create_account
from estate.messaging.models import ChannelAccount, WebChatMessage
from locales import N_, Translator, normalize_locale

HERE = Path(__file__).parent
COOKIE = "desk_chat"
HEADER = "X-Chat-Session"
PHOTO_SENT = N_("(photo)")
MAX_TEXT = 2000
MAX_ID = 2**31 - 1  # the largest id an INTEGER column holds (PostgreSQL)

ERRORS = {
    "no_session": N_("Your chat session has expired. Please reload the page."),
    "bad_request": N_("Sorry, we could not read that message. Please try again."),
    "too_long": N_("That message is too long. Please keep it under 2000 characters."),
    "photo_too_large": N_("That photo is too large. Please send one under {max_mb} MB."),
    "not_a_photo": N_("That file is not a photo we can use. Please send a JPEG, PNG, GIF or WebP picture."),
}

ERRORS.update(PHOTO_REFUSALS)
PHOTO_STATUS = {"photo_too_large": 413, "photo_needs_binding": 403, "photo_too_many": 429}

_templates = Environment(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=select_autoescape(["html"]),
    extensions=["jinja2.ext.i18n"],
)


def _locale(request: Request) -> str:
    return normalize_locale((request.headers.get("accept-language") or "").split(",")[0])


def _error(request: Request, code: str, status: int, **params: Any) -> JSONResponse:
    t = Translator(_locale(request))
    return JSONResponse({"error": code, "message": t(ERRORS[code], **params)}, status_code=status)


def _reply_json(message_id: int, reply: Reply | dict) -> dict:
    data = reply.as_dict() if isinstance(reply, Reply) else reply
    return {
        "id": message_id,
        "text": data.get("text", ""),
        "choices": data.get("choices", []),
        "request_photo": data.get("request_photo", False),
        "request_contact": data.get("request_contact", False),
    }


def _storable(value: Any) -> bool:
    """Text the database can hold: no lone surrogate (\\ud800 in JSON) and no NUL character."""
    if not isinstance(value, str):
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return "\x00" not in value


def _session_id(request: Request) -> str | None:
    value = request.headers.get(HEADER) or request.cookies.get(COOKIE)
    return (
        value
        if value and 16 <= len(value) <= 64 and value.replace("-", "").replace("_", "").isalnum()
        else None
    )


async def _account(s, ctx: Context, session_id: str | None) -> ChannelAccount | None:
    if session_id is None:
        return None
    row = await s.execute(
        select(ChannelAccount).where(
            ChannelAccount.channel == "webchat", ChannelAccount.external_id == session_id
        )
    )
    return row.scalar_one_or_none()


def _event(photo: bool, text: Any, choice: Any, command: Any, hint: str | None) -> tuple[Event, str]:
    """The dialog event of what the page sent, and the line the chat shows for it."""
    if photo:
        return Event(kind="photo", locale_hint=hint), Translator(hint)(PHOTO_SENT)
    if isinstance(choice, str) and choice.strip():
        return Event(kind="choice", payload=choice.strip(), locale_hint=hint), choice.strip()
    if isinstance(command, str) and command.strip():
        shown = "/" + command.strip().lstrip("/")
        return Event(kind="command", command=command.strip(), locale_hint=hint), shown
    return Event(kind="text", text=str(text).strip(), locale_hint=hint), str(text).strip()


async def _store_replies(
    s: AsyncSession, ctx: Context, account: ChannelAccount, replies: list[Reply]
) -> list[tuple[WebChatMessage, Reply]]:
    """Keep the replies in the chat's history (the poll shows them again after a reload)."""
    stored = []
    for reply in replies:
        row = WebChatMessage(
            channel_account_id=account.id,
            direction="out",
            text=reply.text,
            payload=reply.as_dict(),
            created_at=ctx.clock.now(),
        )
        s.add(row)
        stored.append((row, reply))
    await s.flush()
    return stored


async def _read(
    request: Request, ctx: Context, session_id: str | None
) -> tuple[tuple[Any, Any, Any], bytes | None] | JSONResponse:
    """What the page sent: (text, choice, command) and the photo's bytes, or the error to answer."""
    content_type = request.headers.get("content-type", "")
    photo: bytes | None = None
    if content_type.startswith("multipart/form-data"):
        # Who is asking is checked before an upload is parsed (and spooled to disk).
        async with ctx.sessions() as s:
            asking = await _account(s, ctx, session_id)
            if asking is None:
                return _error(request, "no_session", 401)
            try:  # and whether that chat may store a photo at all (bound, within its rate and quota)
                await check_allowance(s, clock=ctx.clock, settings=ctx.settings, account=asking)
            except ValidationFailed as exc:
                return _error(request, exc.code, PHOTO_STATUS[exc.code])
    try:
        if content_type.startswith("multipart/form-data"):
            form = await request.form()
            upload = form.get("photo")
            if upload is None or isinstance(upload, str):
                return _error(request, "bad_request", 400)
            photo = await upload.read(ctx.settings.max_photo_bytes + 1)
            body: dict[str, Any] = {"text": form.get("text")} if form.get("text") else {}
        else:
            body = json.loads(await request.body() or b"null")
            if not isinstance(body, dict):
                raise ValueError
        if not all(_storable(v) for v in body.values()):
            raise ValueError
    except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: absurdly nested JSON
        return _error(request, "bad_request", 400)
    text, choice, command = body.get("text"), body.get("choice"), body.get("command")
    if photo is None and not any(isinstance(v, str) and v.strip() for v in (text, choice, command)):
        return _error(request, "bad_request", 400)
    if any(isinstance(v, str) and len(v) > MAX_TEXT for v in (text, choice, command)):
        return _error(request, "too_long", 413)
    return (text, choice, command), photo


async def _send(ctx: Context, request: Request) -> JSONResponse:
    """One message from the page: read it, hold the conversation, answer with the replies."""
    session_id = _session_id(request)
    read = await _read(request, ctx, session_id)
    if isinstance(read, JSONResponse):
        return read
    (text, choice, command), photo = read
    hint = _locale(request) if request.headers.get("accept-language") else None
    event, shown = _event(photo is not None, text, choice, command, hint)
    stored: list[tuple[WebChatMessage, Reply]] = []

    async def record_in(s: AsyncSession, account: ChannelAccount, event: Event) -> None:
        s.add(
            WebChatMessage(
                channel_account_id=account.id, direction="in", text=shown, created_at=ctx.clock.now()
            )
        )

    async def record_out(s: AsyncSession, account: ChannelAccount, replies: list[Reply]) -> None:
        stored.extend(await _store_replies(s, ctx, account, replies))

    if session_id is None:
        return _error(request, "no_session", 401)
    try:
        await converse(
            ctx,
            channel="webchat",
            external_id=session_id,
            create=False,
            # The address counts binding guesses across sessions (one session per few must not help).
            event=replace(event, client_address=request.client.host if request.client else None),
            photo=Photo(photo) if photo is not None else None,
            on_refused=raise_refusal,
            before=record_in,
            after=record_out,
        )
    except NoAccount:
        return _error(request, "no_session", 401)
    except PhotoRefused as refused:
        error = refused.error
        return _error(request, error.code, PHOTO_STATUS.get(error.code, 415), **error.params)
    return JSONResponse({"replies": [_reply_json(row.id, reply) for row, reply in stored]})


def create_router(ctx: Context) -> APIRouter:
    """Routes under /chat: the page, its static files, and the JSON API."""
    router = APIRouter()
    static = StaticFiles(directory=HERE / "static")

    @router.get("/chat", response_class=HTMLResponse, include_in_schema=False)
    async def page(request: Request) -> HTMLResponse:
        t = Translator(_locale(request))
        template = _templates.get_template("chat.html")
        _templates.install_gettext_callables(t.__call__, lambda s, p, n: t.n(s, p, n), newstyle=False)  # type: ignore[attr-defined]
        html = template.render(locale=t.locale, lang=t.locale.replace("_", "-"))
        return HTMLResponse(html, headers={"Cache-Control": "no-store"})

    @router.get("/chat/static/{path:path}", include_in_schema=False)
    async def static_file(request: Request, path: str) -> Response:
        return await static.get_response(path, request.scope)

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
        return await _send(ctx, request)

    @router.get("/chat/api/poll")
    async def poll(request: Request, after: str = "0") -> JSONResponse:
        if not (after.isascii() and after.isdigit() and int(after) <= MAX_ID):
            return _error(request, "bad_request", 400)
        async with ctx.sessions() as s:
            account = await _account(s, ctx, _session_id(request))
            if account is None:
                return _error(request, "no_session", 401)
            rows = await s.execute(
                select(WebChatMessage)
                .where(WebChatMessage.channel_account_id == account.id, WebChatMessage.id > int(after))
                .order_by(WebChatMessage.id)
                .limit(200)
            )
            messages = []
            for m in rows.scalars():
                if m.direction == "out":
                    messages.append(
                        {**_reply_json(m.id, m.payload or {"text": m.text}), "text": m.text, "from": "centre"}
                    )
                else:
                    messages.append({"id": m.id, "text": m.text, "choices": [], "from": "resident"})
        return JSONResponse({"messages": messages})

    return router
