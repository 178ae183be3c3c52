"""The ASGI application: health check, web chat, console, Telegram webhook and WeChat, in one app."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import PlainTextResponse, RedirectResponse
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from bot import webchat, wechat
from console.app import create_console
from desk import guard
from estate.core.context import Context
from estate.core.db import ping

log = logging.getLogger("desk")


def create_app(
    ctx: Context, *, lifespan: Callable[[FastAPI], AbstractAsyncContextManager[None]] | None = None
) -> FastAPI:
    """Build the app for `ctx`; `lifespan` runs background work (scheduler, pollers) with the server."""

    @asynccontextmanager
    async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
        if lifespan is None:
            yield
        else:
            async with lifespan(app):
                yield

    app = FastAPI(title="Wuye Desk", docs_url=None, redoc_url=None, openapi_url=None, lifespan=_lifespan)
    app.state.ctx = ctx
    guard.install(app, ctx.settings)
    if ctx.settings.trusted_proxies:
        # The client address (login limits) comes from X-Forwarded-For only when a listed proxy sent it.
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=ctx.settings.trusted_proxies)

    @app.get("/healthz", response_class=PlainTextResponse)
    async def healthz() -> Response:
        if await ping(ctx.engine):
            return PlainTextResponse("ok")
        return PlainTextResponse("database unreachable", status_code=503)

    @app.get("/", include_in_schema=False)
    async def root() -> Response:
        return RedirectResponse("/chat", status_code=307)

    # The parts, each imported above: a missing one fails at import, never silently.
    app.include_router(webchat.create_router(ctx))
    app.include_router(telegram_webhook(ctx))
    app.include_router(wechat.create_router(ctx))
    app.mount("/console", create_console(ctx))
    return app


def telegram_webhook(ctx: Context) -> APIRouter:
    """Telegram's webhook route. aiogram takes seconds to import, so without a Telegram token it is imported
    only if a token is set later; until then the route answers 404, as the webhook itself does then."""
    if ctx.settings.telegram_token:
        from bot.telegram import webhook_router

        return webhook_router(ctx)
    router = APIRouter()

    @router.post("/telegram/webhook/{secret}", include_in_schema=False)
    async def webhook(secret: str, request: Request) -> Response:
        if not ctx.settings.telegram_token:
            return Response(status_code=404)
        from bot.telegram import webhook_router

        real = webhook_router(ctx).routes[0]
        return await real.endpoint(secret, request)  # type: ignore[attr-defined]

    return router
