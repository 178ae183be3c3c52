"""The web chat's page itself: the HTML at /chat and its static files (script, style)."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape

from bot.webchat.answers import locale_of
from estate.core.context import Context
from locales import Translator

HERE = Path(__file__).parent

_templates = Environment(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=select_autoescape(["html"]),
    extensions=["jinja2.ext.i18n"],
)


def create_page_router(ctx: Context) -> APIRouter:
    """Routes of the page: /chat and /chat/static/…"""
    router = APIRouter()
    static = StaticFiles(directory=HERE / "static")

    @router.get("/chat", response_class=HTMLResponse, include_in_schema=False)
    async def page(request: Request) -> HTMLResponse:
        t = Translator(locale_of(request))
        template = _templates.get_template("chat.html")
        _templates.install_gettext_callables(t.__call__, lambda s, p, n: t.n(s, p, n), newstyle=False)  # type: ignore[attr-defined]
        html = template.render(locale=t.locale, lang=t.locale.replace("_", "-"))
        return HTMLResponse(html, headers={"Cache-Control": "no-store"})

    @router.get("/chat/static/{path:path}", include_in_schema=False)
    async def static_file(request: Request, path: str) -> Response:
        return await static.get_response(path, request.scope)

    return router
