"""A console write commits before its response is sent: against a live server, the redirect arrives only
after the change is in the database, and a commit that fails is an error, never a false success."""

from __future__ import annotations

import sqlite3

import httpx
from sqlalchemy import event
from sqlalchemy.orm import Session

from estate.core.clock import SystemClock
from estate.core.context import Context
from tests.support.console import CSRF, PASSWORD, live_console
from tests.support.live import serve_in_thread


def _signed_in(client: httpx.Client) -> str:
    form = client.get("/console/login")
    client.post(
        "/console/login",
        data={"username": "agent", "password": PASSWORD, "csrf": CSRF.search(form.text).group(1)},
    )
    return CSRF.search(client.get("/console/password").text).group(1)


def _status(tmp_path, ticket_id: int) -> str:
    with sqlite3.connect(tmp_path / "console.sqlite3") as db:
        return db.execute("SELECT status FROM tickets WHERE id = ?", (ticket_id,)).fetchone()[0]


def test_the_redirect_comes_after_the_commit_and_a_failed_commit_is_an_error(tmp_path):
    from desk.app import create_app

    settings, _, ticket_id = live_console(tmp_path, description="Kitchen sink drains slowly")
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
