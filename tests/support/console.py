"""A console to test against: an estate with staff who have real passwords, and a signed-in client."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from estate.core.context import Context
from estate.staff.service import create_staff
from tests.support.factories import make_ticket, make_world

PASSWORD = "console-pass-1"
ROLES = ("agent", "supervisor", "manager", "deputy", "technician", "cashier", "admin")


async def console_world(ctx: Context):
    """The factory world, with every staff member's password set to PASSWORD (and a second agent)."""
    from estate.staff.passwords import hash_password

    async with ctx.sessions() as s, s.begin():
        world = await make_world(s, at=ctx.clock.now())
        for member in world.staff.values():
            member.password_hash = hash_password(PASSWORD)
        world.staff["plumber"] = await create_staff(
            s,
            clock=ctx.clock,
            username="plumber",
            display_name="Plumber Ma",
            role="technician",
            department="engineering",
            password=PASSWORD,
        )
    return world


def console_client(ctx: Context, **headers: str) -> httpx.AsyncClient:
    """An HTTP client for the whole app of `ctx`, in this process (no server), sending `headers` each time."""
    from desk.app import create_app

    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_app(ctx)), base_url="http://t", headers=headers
    )


CSRF = re.compile(r'name="csrf" value="([^"]+)"')


async def post_login(client: httpx.AsyncClient, username: str, password: str = PASSWORD) -> httpx.Response:
    """Fill in the sign-in form as a browser does: fetch it (and its CSRF token), then post it."""
    form = await client.get("/console/login")
    token = CSRF.search(form.text)
    data = {"username": username, "password": password, **({"csrf": token.group(1)} if token else {})}
    return await client.post("/console/login", data=data)


async def sign_in(client: httpx.AsyncClient, username: str, password: str = PASSWORD) -> str:
    """Sign in and return the CSRF token of the session."""
    r = await post_login(client, username, password)
    assert r.status_code == 303, r.text
    page = await client.get("/console/password")
    return CSRF.search(page.text).group(1)


def live_world(tmp_path, then: Callable[[Context, Any], Awaitable[Any]] | None = None, **values: Any):
    """Settings of a file database holding the console world, for a live server in another thread; `then`
    adds what a test needs to that world. Returns (settings, what `then` returned)."""
    from estate.core.clock import SystemClock
    from estate.core.settings import Settings
    from estate.schema import Base
    from tests.support.live import run_async

    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path}/console.sqlite3",
        data_dir=tmp_path / "data",
        secret_key="live-console-secret-0123456789abcdef0123",
        **values,
    )

    async def setup() -> Any:
        ctx = Context.from_settings(settings, clock=SystemClock())
        async with ctx.engine.begin() as conn:
            await conn.run_sync(Base.metadata.create_all)
        world = await console_world(ctx)
        made = await then(ctx, world) if then else None
        await ctx.close()
        return made

    return settings, run_async(setup())


def live_console(tmp_path, *, description: str = "厨房水槽下水很慢"):
    """Settings of a file database with the console world and one new repair in it, for a live server;
    returns (settings, the ticket's reference, its id)."""

    async def new_repair(ctx: Context, world: Any) -> tuple[str, int]:
        ticket = await make_ticket(ctx, world, description)
        return ticket.ref, ticket.id

    settings, (ref, ticket_id) = live_world(tmp_path, new_repair)
    return settings, ref, ticket_id
