"""The live console's server-sent events (issue #13): a signed-in staff member hears the events of their own
estate only, from where their page left off (Last-Event-ID) or from now; nobody else hears anything."""

from __future__ import annotations

import json

import httpx

from estate.activity import feed
from estate.core.clock import SystemClock
from estate.core.context import Context
from estate.residents.models import Estate
from tests.support.console import live_world, sign_in
from tests.support.live import run_async, serve_in_thread


def world_with_events(tmp_path):
    """The console world, a second estate, and three events: ours, the other estate's, ours again."""

    async def events(ctx: Context, world) -> list[int]:
        async with ctx.sessions() as s, s.begin():
            other = Estate(code="QT", name="Other Garden", timezone="Asia/Shanghai", bill_due_day=15)
            s.add(other)
            await s.flush()
            now = ctx.clock.now()
            await feed.publish(s, at=now, estate_id=world.estate.id, kind="live_waiting", live_chat_id=7)
            await feed.publish(s, at=now, estate_id=other.id, kind="ticket_urgent", ticket_id=99)
            await feed.publish(s, at=now, estate_id=world.estate.id, kind="ticket_urged", ticket_id=5)
            return [world.estate.id, other.id]

    return live_world(tmp_path, events)


async def read_events(
    client: httpx.AsyncClient, count: int, path: str = "/console/events", **headers: str
) -> list[dict]:
    """The first `count` events of the stream: {id, event, data}."""
    found: list[dict] = []
    current: dict = {}
    async with client.stream("GET", path, headers=headers) as r:
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
        async for line in r.aiter_lines():
            if line.startswith(("id:", "event:", "data:")):
                key, _, value = line.partition(": ")
                current[key] = json.loads(value) if key == "data" else value
            elif not line and "id" in current:
                found.append(current)
                current = {}
                if len(found) == count:
                    return found
    return found


def publish_later(settings, estate_id: int) -> None:
    async def one() -> None:
        ctx = Context.from_settings(settings, clock=SystemClock())
        async with ctx.sessions() as s, s.begin():
            await feed.publish(
                s, at=ctx.clock.now(), estate_id=estate_id, kind="live_message", live_chat_id=8
            )
        await ctx.close()

    run_async(one())


async def test_events_of_the_staff_members_estate_from_where_the_page_left_off(tmp_path):
    from desk.app import create_app

    settings, (ours, _other) = world_with_events(tmp_path)
    app = create_app(Context.from_settings(settings, clock=SystemClock()))
    with serve_in_thread(app) as base:
        async with httpx.AsyncClient(base_url=base, timeout=15) as client:
            await sign_in(client, "agent")
            first, third = await read_events(client, 2, **{"Last-Event-ID": "0"})
            assert (first["event"], first["data"]) == ("live_waiting", {"ticket_id": None, "live_chat_id": 7})
            assert (third["event"], third["data"]) == ("ticket_urged", {"ticket_id": 5, "live_chat_id": None})
            assert int(third["id"]) == int(first["id"]) + 2  # the other estate's event between was not sent
            [resumed] = await read_events(client, 1, **{"Last-Event-ID": first["id"]})
            assert resumed["id"] == third["id"]
            rendered_long_ago = await read_events(client, 1, "/console/events?since=1000000000")
            assert rendered_long_ago[0]["id"] == first["id"]  # a page rendered then hears what came after

            async with client.stream("GET", "/console/events") as fresh:  # no Last-Event-ID: from now on
                assert fresh.status_code == 200
                lines = fresh.aiter_lines()
                assert (await anext(lines)).startswith("retry:")
                publish_later(settings, ours)
                got = []
                async for line in lines:
                    got.append(line)
                    if line.startswith("data:"):
                        break
            assert got[-3:] == [f"id: {int(third['id']) + 1}", "event: live_message", got[-1]]
            assert json.loads(got[-1][6:]) == {"ticket_id": None, "live_chat_id": 8}


async def test_nobody_signed_in_hears_nothing(tmp_path):
    from desk.app import create_app

    settings, _ = world_with_events(tmp_path)
    app = create_app(Context.from_settings(settings, clock=SystemClock()))
    with serve_in_thread(app) as base:
        async with httpx.AsyncClient(base_url=base, timeout=15) as client:
            r = await client.get("/console/events", headers={"Last-Event-ID": "0"})
            assert r.status_code == 401 and "ticket_urged" not in r.text


async def test_the_prune_job_forgets_events_older_than_two_days(ctx):
    from datetime import timedelta

    from sqlalchemy import select

    from estate.activity.models import ConsoleEvent
    from estate.jobs import run_job

    async with ctx.sessions() as s, s.begin():
        estate = Estate(code="XC", name="Star City", timezone="Asia/Shanghai", bill_due_day=15)
        s.add(estate)
        await s.flush()
        now = ctx.clock.now()
        await feed.publish(
            s, at=now - timedelta(days=3), estate_id=estate.id, kind="ticket_urged", ticket_id=1
        )
        await feed.publish(
            s, at=now - timedelta(hours=1), estate_id=estate.id, kind="ticket_urged", ticket_id=2
        )
    await run_job(ctx, "console_events_prune", ctx.clock.now())
    async with ctx.sessions() as s:
        left = (await s.execute(select(ConsoleEvent.ticket_id))).scalars().all()
    assert left == [2]
