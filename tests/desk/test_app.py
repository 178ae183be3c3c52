"""The ASGI app: /healthz answers ok with the database reachable, 503 without."""

from __future__ import annotations

import httpx

from desk.app import create_app
from estate.core.context import Context
from estate.core.db import make_engine, make_sessionmaker


async def test_healthz_ok(ctx):
    app = create_app(ctx)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        r = await client.get("/healthz")
    assert (r.status_code, r.text) == (200, "ok")


async def test_healthz_503_when_the_database_is_gone(settings, clock):
    engine = make_engine("postgresql+asyncpg://nobody@127.0.0.1:1/none")
    ctx = Context(settings=settings, engine=engine, sessions=make_sessionmaker(engine), clock=clock)
    app = create_app(ctx)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        r = await client.get("/healthz")
    await engine.dispose()
    assert r.status_code == 503


async def test_every_part_answers_at_its_address(ctx):
    """The composition root imports its parts explicitly: each one is mounted, none skipped."""
    app = create_app(ctx)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        assert (await client.get("/chat")).status_code == 200
        assert (await client.get("/console/login")).status_code == 200
        assert (await client.get("/wechat")).status_code == 403  # mounted, and the signature is missing
        assert (await client.get("/telegram/webhook/x")).status_code == 405  # mounted: POST only
        assert (await client.get("/nowhere")).status_code == 404
