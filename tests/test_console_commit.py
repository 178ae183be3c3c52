"""A console write commits before its response is sent: against a live server, the redirect arrives only
after the change is in the database, and a commit that fails is an error, never a false success."""

from __future__ import annotations

import sqlite3

import httpx
from sqlalchemy import event
from sqlalchemy.orm import Session

from estate.clock import SystemClock
from estate.context import Context
from estate.models import Base
from estate.settings import Settings
from tests.console_support import CSRF, PASSWORD, console_world
from tests.support.live import run_async, serve_in_thread


def _prepare(tmp_path) -> tuple[Settings, int]:
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path}/commit.sqlite3",
        data_dir=tmp_path / "data",
        secret_key="commit-secret-0123456789abcdef0123456",
    )

    async def setup() -> int:
        from estate.tickets import create_ticket

        ctx = Context.from_settings(settings, clock=SystemClock())
        async with ctx.engine.begin() as conn:
            await conn.run_sync(Base.metadata.create_all)
        world = await console_world(ctx)
        async with ctx.sessions() as s, s.begin():
            ticket = await create_ticket(
                s,
                clock=ctx.clock,
                estate_id=world.estate.id,
                kind="repair",
                category_code="plumbing",
                description="Kitchen sink drains slowly",
                resident_id=world.resident.id,
            )
        await ctx.close()
        return ticket.id

    return settings, run_async(setup())


def _signed_in(client: httpx.Client) -> str:
    form = client.get("/console/login")
    client.post(
        "/console/login",
        data={"username": "agent", "password": PASSWORD, "csrf": CSRF.search(form.text).group(1)},
    )
    return CSRF.search(client.get("/console/password").text).group(1)


def _status(tmp_path, ticket_id: int) -> str:
    with sqlite3.connect(tmp_path / "commit.sqlite3") as db:
        return db.execute("SELECT status FROM tickets WHERE id = ?", (ticket_id,)).fetchone()[0]


def test_the_redirect_comes_after_the_commit_and_a_failed_commit_is_an_error(tmp_path):
    from desk.app import create_app

    settings, ticket_id = _prepare(tmp_path)
    app = create_app(Context.from_settings(settings, clock=SystemClock()))
    with serve_in_thread(app) as base, httpx.Client(base_url=base) as client:
        csrf = _signed_in(client)

        def refuse(session):
            raise RuntimeError("the database refused the commit")

        event.listen(Session, "before_commit", refuse)
        try:
            r = client.post(f"/console/tickets/{ticket_id}/claim", data={"csrf": csrf})
        finally:
            event.remove(Session, "before_commit", refuse)
        assert r.status_code >= 500  # not a 303 to a page that would pretend it worked
        assert _status(tmp_path, ticket_id) == "new"

        r = client.post(f"/console/tickets/{ticket_id}/claim", data={"csrf": csrf})
        assert r.status_code == 303
        assert _status(tmp_path, ticket_id) == "claimed"  # already in the database when the 303 arrives
