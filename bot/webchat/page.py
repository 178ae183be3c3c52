"""The web chat's page itself: the HTML at /chat and its static files, the header's estate and language
(`/chat/api/about`, the language switch `/chat/api/lang`) and the photos shown in the chat (`/chat/api/photo`).

The page is rendered in the chat's language: the one chosen in the chat (the account's, else its resident's),
else the browser's. The script gets its texts from the page, translated, never written in the script."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape

from bot.webchat.answers import error, locale_of
from bot.webchat.incoming import MAX_TEXT, find_account, session_id_of
from dialogs.conversations import locale_of as chat_locale
from dialogs.flows.lang import language_names
from estate.core.context import Context
from estate.core.db import unit_of_work
from estate.core.errors import ValidationFailed
from estate.messaging.chat_language import set_chat_locale
from estate.messaging.models import ChannelAccount
from estate.residents.models import Resident
from estate.residents.service import estate_of_resident
from estate.tickets.resident_photos import photo_file, photo_for_chat
from locales import LOCALES, N_, Translator

HERE = Path(__file__).parent
BAD_LOCALE = N_("Please choose one of the languages offered.")

# What the script shows, by key; translated into the page's language when the page is rendered.
SCRIPT_TEXTS = {
    "sending": N_("Sending…"),
    "sent": N_("Sent"),
    "retrying": N_("Not sent yet. Trying again…"),
    "failed": N_("Not sent"),
    "offline": N_("Connection lost. Trying again…"),
    "error": N_("Sorry, something went wrong. Please try again."),
    "uploading": N_("Sending photo…"),
    "photo": N_("Photo"),
    "typing": N_("Customer service is typing…"),
    "tooLong": N_("That message is too long. Please keep it under 2000 characters."),
    "expired": N_("Your chat session has expired. Please reload the page."),
}

_templates = Environment(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=select_autoescape(["html"]),
    extensions=["jinja2.ext.i18n"],
)


async def _about(ctx: Context, request: Request) -> tuple[ChannelAccount | None, str, str]:
    """The chat's account (if the request names one), its language and the name of its estate."""
    async with unit_of_work(ctx.sessions) as s:  # in turn with the writers (SQLite), see api.poll
        account = await find_account(s, ctx, session_id_of(request))
        resident_id = account.resident_id if account is not None else None
        resident = await s.get(Resident, resident_id) if resident_id is not None else None
        estate = await estate_of_resident(s, resident_id=resident_id)
        hint = locale_of(request)
        locale = chat_locale(account, resident, hint) if account is not None else hint
    return account, locale, estate.name if estate is not None else ""


def _render(locale: str, estate: str) -> str:
    t = Translator(locale)
    _templates.install_gettext_callables(t.__call__, lambda s, p, n: t.n(s, p, n), newstyle=False)  # type: ignore[attr-defined]
    names = language_names()
    texts: dict[str, Any] = {key: t(msgid) for key, msgid in SCRIPT_TEXTS.items()}
    texts["maxText"] = MAX_TEXT
    return _templates.get_template("chat.html").render(
        locale=t.locale,
        lang=t.locale.replace("_", "-"),
        estate=estate,
        languages=[(loc, names[loc]) for loc in LOCALES],
        texts=json.dumps(texts, ensure_ascii=False).replace("<", "\\u003c"),
        max_text=MAX_TEXT,
    )


def create_page_router(ctx: Context) -> APIRouter:
    """Routes of the page: /chat, /chat/static/…, and the page's own small API."""
    router = APIRouter()
    static = StaticFiles(directory=HERE / "static")

    @router.get("/chat", response_class=HTMLResponse, include_in_schema=False)
    async def page(request: Request) -> HTMLResponse:
        _, locale, estate = await _about(ctx, request)
        return HTMLResponse(_render(locale, estate), headers={"Cache-Control": "no-store"})

    @router.get("/chat/static/{path:path}", include_in_schema=False)
    async def static_file(request: Request, path: str) -> Response:
        return await static.get_response(path, request.scope)

    @router.get("/chat/api/about")
    async def about(request: Request) -> JSONResponse:
        _, locale, estate = await _about(ctx, request)
        return JSONResponse({"estate": estate, "locale": locale}, headers={"Cache-Control": "no-store"})

    @router.post("/chat/api/lang")
    async def choose_language(request: Request) -> JSONResponse:
        try:
            body = json.loads(await request.body() or b"null")
        except (ValueError, UnicodeDecodeError, RecursionError):
            body = None
        locale = body.get("locale") if isinstance(body, dict) else None
        async with unit_of_work(ctx.sessions) as s:
            account = await find_account(s, ctx, session_id_of(request))
            if account is None:
                return error(request, "no_session", 401)
            try:
                await set_chat_locale(s, account=account, locale=str(locale))
            except ValidationFailed:
                message = Translator(locale_of(request))(BAD_LOCALE)
                return JSONResponse({"error": "bad_locale", "message": message}, status_code=400)
        return JSONResponse({"locale": locale})

    @router.get("/chat/api/photo/{attachment_id}")
    async def photo(request: Request, attachment_id: int) -> Response:
        async with unit_of_work(ctx.sessions) as s:
            account = await find_account(s, ctx, session_id_of(request))
            row = None
            if account is not None and attachment_id <= 2**31 - 1:
                row = await photo_for_chat(s, account=account, attachment_id=attachment_id)
        path = photo_file(ctx.settings.data_dir, row) if row is not None else None
        if row is None or path is None:
            return Response(status_code=404, headers={"Cache-Control": "private, no-store"})
        headers = {"Cache-Control": "private, max-age=86400", "X-Content-Type-Options": "nosniff"}
        return FileResponse(path, media_type=row.content_type, headers=headers)

    return router
