"""The live console: server-sent events telling a signed-in staff member's open pages what just happened
in their estate(s) (a resident waiting for a person or writing in a live chat, 催单, a new urgent ticket…),
so that the inbox, the queue, the ticket page and the bell refresh without a reload (console.js).

Each event is a row of `estate.activity.feed`; the stream reads the rows after the last one the page saw
(`Last-Event-ID`, sent by the browser when it reconnects; at first, the last one recorded before the page
was rendered) about once a second, each read a short unit of
work. The response ends after a few minutes and the browser's EventSource reconnects by itself."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

from fastapi import APIRouter, Request
from fastapi.responses import Response, StreamingResponse
from sqlalchemy.ext.asyncio import AsyncSession

from console import auth
from estate.activity.feed import events_after, last_id_before, latest_id
from estate.activity.models import ConsoleEvent
from estate.activity.scope import estate_ids_for
from estate.core.context import Context
from estate.core.db import unit_of_work
from estate.staff.models import Staff

router = APIRouter()
POLL = 1.0  # seconds between reads of the feed
HEARTBEAT = 15.0  # a comment line keeps proxies from closing a quiet stream
LIFETIME = 180.0  # then the response ends and the browser reconnects (with Last-Event-ID)
RETRY_MS = 2000  # how soon the browser reconnects


def number(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdigit() and len(raw) < 19 else None


async def start_after(session: AsyncSession, request: Request) -> int:
    """Where the stream starts: after the last event the page saw (the browser's reconnect header), else
    after the last one recorded before the page was rendered (?since=, Unix seconds), else from now."""
    seen = number(request.headers.get("last-event-id"))
    if seen is not None:
        return seen
    since = number(request.query_params.get("since"))
    if since is not None and since < 2**33:
        rendered = datetime.fromtimestamp(since, UTC) - timedelta(seconds=1)  # the second it was rendered in
        return await last_id_before(session, at=rendered)
    return await latest_id(session)


async def listener(ctx: Context, request: Request) -> tuple[list[int], int] | None:
    """The estates whose events this signed-in staff member hears and where to start, or None when the
    request is not from a current session allowed to listen."""
    session = auth.read(ctx.settings.secret_key, request.cookies.get(auth.COOKIE))
    if session is None:
        return None
    async with unit_of_work(ctx.sessions) as s:
        staff = await s.get(Staff, session.staff_id)
        if staff is None or not auth.current(session, staff) or not auth.allowed("events", staff):
            return None
        return await estate_ids_for(s, staff), await start_after(s, request)


def as_sse(event: ConsoleEvent) -> str:
    """One event in the text/event-stream format."""
    data = json.dumps({"ticket_id": event.ticket_id, "live_chat_id": event.live_chat_id})
    return f"id: {event.id}\nevent: {event.kind}\ndata: {data}\n\n"


async def stream(ctx: Context, request: Request, estate_ids: list[int], after: int) -> AsyncIterator[str]:
    """The events after `after` as they are recorded, until the client goes or LIFETIME has passed."""
    clock = asyncio.get_running_loop().time
    started = beat = clock()
    yield f"retry: {RETRY_MS}\n\n"
    while clock() - started < LIFETIME and not await request.is_disconnected():
        async with unit_of_work(ctx.sessions) as s:  # a short read: never holds the database for long
            found = await events_after(s, after=after, estate_ids=estate_ids)
        for event in found:
            after = event.id
            yield as_sse(event)
        if clock() - beat >= HEARTBEAT:
            beat = clock()
            yield ": still here\n\n"
        await asyncio.sleep(POLL)


@router.get("/events")
async def events(request: Request) -> Response:
    ctx: Context = request.app.state.ctx
    found = await listener(ctx, request)
    if found is None:
        return Response(status_code=401)  # EventSource does not retry a 401: the page's next load signs in
    estate_ids, after = found
    return StreamingResponse(
        stream(ctx, request, estate_ids, after),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )
