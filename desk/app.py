"""The ASGI application: health check, web chat, console, Telegram webhook and WeChat, in one app."""

from __future__ import annotations

import importlib
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from fastapi import FastAPI, Response
from fastapi.responses import PlainTextResponse, RedirectResponse
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from desk import guard
from estate.context import Context
from estate.db import ping

log = logging.getLogger("desk")

# Parts plug in here: (module, factory, mount path or None for a router included at the root).
PLUG_INS: tuple[tuple[str, str, str | None], ...] = (
    ("bot.webchat", "create_router", None),
    ("bot.telegram", "webhook_router", None),
    ("bot.wechat", "create_router", None),
    ("console.app", "create_console", "/console"),
)


def _factory(module: str, name: str) -> Callable[[Context], Any] | None:
    try:
        mod = importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name and module.startswith(exc.name):
            return None
        raise
    return getattr(mod, name, None)


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

    for module, name, path in PLUG_INS:
        factory = _factory(module, name)
        if factory is None:
            continue
        part = factory(ctx)
        if path is None:
            app.include_router(part)
        else:
            app.mount(path, part)
    return app
