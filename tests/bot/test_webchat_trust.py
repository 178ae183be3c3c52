"""A web chat residents can trust (issue #13 item 3), over HTTP with the real app: a message retried with
its client_id is handled once, a stale or double-tapped choice acts on nothing, history shows the labels
tapped, and every message has its time."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from dialogs.engine import STALE
from estate.bookings.models import Booking
from estate.messaging.models import WebChatMessage
from estate.residents.codes import issue_binding_code
from estate.tickets.models import Attachment, Ticket
from tests.bot import test_bot_webchat
from tests.support.dialogs import tr, world_with_catalogue

SEND = "/chat/api/send"
client = test_bot_webchat.client  # the fixture: the app over ASGI
png_bytes = test_bot_webchat.png_bytes


@pytest.fixture
async def world(ctx):
    return await world_with_catalogue(ctx, ctx.clock.now())


async def bound_headers(ctx, client, world) -> dict[str, str]:
    """A web chat session bound to the world's resident (by a real binding code), in English."""
    async with ctx.sessions() as s, s.begin():
        code = await issue_binding_code(
            s, clock=ctx.clock, unit_id=world.unit.id, secret=ctx.settings.secret_key
        )
    session = (await client.post("/chat/api/session")).json()["session"]
    client.cookies.clear()
    h = {"X-Chat-Session": session, "Accept-Language": "en"}
    for body in ({"command": "start"}, {"choice": "menu:bind"}, {"text": code}):
        assert (await client.post(SEND, json=body, headers=h)).status_code == 200
    return h


async def send(client, h, **body) -> list[dict]:
    r = await client.post(SEND, json=body, headers=h)
    assert r.status_code == 200, r.text
    return r.json()["replies"]


def offer_of(replies: list[dict], payload: str) -> int:
    return next(r["offer"] for r in replies if payload in [c["payload"] for c in r["choices"]])


async def count(ctx, model, *where) -> int:
    async with ctx.sessions() as s:
        return (await s.execute(select(func.count()).select_from(model).where(*where))).scalar_one()


async def repair_at_confirm(client, h) -> list[dict]:
    for body in ({"choice": "menu:repair"}, {"choice": "cat:plumbing"}, {"choice": "loc:home"}):
        await send(client, h, **body)
    await send(client, h, text="Tap drips")
    await send(client, h, choice="nav:done")
    return await send(client, h, choice="win:asap")


async def test_a_message_retried_with_its_client_id_is_handled_once(ctx, client, world):
    h = await bound_headers(ctx, client, world)
    summary = await repair_at_confirm(client, h)
    yes = {"choice": "nav:yes", "offer": offer_of(summary, "nav:yes"), "client_id": "m-7f3a"}
    first = await send(client, h, **yes)
    assert "BX-20261122-0001" in first[0]["text"]
    again = await send(client, h, **yes)  # the first answer was lost: the page sends it again
    assert again == first  # the same replies, same ids, not a stale-choice answer
    assert await count(ctx, Ticket) == 1
    assert await count(ctx, WebChatMessage, WebChatMessage.client_id == "m-7f3a") == 1
    out = await count(ctx, WebChatMessage, WebChatMessage.direction == "out")
    await send(client, h, **yes)
    assert await count(ctx, WebChatMessage, WebChatMessage.direction == "out") == out  # nothing new said


async def test_two_identical_sends_at_once_act_once(ctx, client, world):
    h = await bound_headers(ctx, client, world)
    await repair_at_confirm(client, h)
    body = {"choice": "nav:yes", "client_id": "same-time"}
    first, second = await asyncio.gather(send(client, h, **body), send(client, h, **body))
    assert first == second and "BX-20261122-0001" in first[0]["text"]
    assert await count(ctx, Ticket) == 1
    assert (
        await count(
            ctx, WebChatMessage, WebChatMessage.direction == "in", WebChatMessage.client_id == "same-time"
        )
        == 1
    )


async def test_a_chat_s_first_message_sent_twice_at_once_is_kept_once(ctx, client, world):
    session = (await client.post("/chat/api/session")).json()["session"]
    client.cookies.clear()
    h = {"X-Chat-Session": session, "Accept-Language": "en"}
    body = {"command": "start", "client_id": "hello-1"}
    first, second = await asyncio.gather(send(client, h, **body), send(client, h, **body))
    assert first == second and first[0]["text"].startswith("Hello, this is the Star City")
    assert await count(ctx, WebChatMessage, WebChatMessage.direction == "in") == 1
    assert await count(ctx, WebChatMessage, WebChatMessage.direction == "out") == len(first)


async def test_a_photo_retried_with_its_client_id_is_kept_once(ctx, client, world):
    h = await bound_headers(ctx, client, world)
    for body in ({"choice": "menu:repair"}, {"choice": "cat:plumbing"}, {"choice": "loc:home"}):
        await send(client, h, **body)
    await send(client, h, text="Tap drips")
    answers = []
    for _ in range(2):
        r = await client.post(
            SEND, files={"photo": ("tap.png", png_bytes(), "image/png")}, data={"client_id": "p-1"}, headers=h
        )
        assert r.status_code == 200
        answers.append(r.json()["replies"])
    assert answers[0] == answers[1] and answers[0][0]["text"].startswith("Photo 1 received")
    assert await count(ctx, Attachment) == 1
    async with ctx.sessions() as s:
        row = (await s.execute(select(WebChatMessage).where(WebChatMessage.client_id == "p-1"))).scalar_one()
    assert (row.direction, row.text) == ("in", "(photo)")


async def test_a_client_id_is_a_short_string(ctx, client, world):
    h = await bound_headers(ctx, client, world)
    for bad in ("x" * 65, 42, "", ["a"]):
        r = await client.post(SEND, json={"text": "hello", "client_id": bad}, headers=h)
        assert r.status_code == 400
        assert r.json()["message"] == "Sorry, we could not read that message. Please try again."
    for bad_offer in ("12", True, -1):
        r = await client.post(SEND, json={"choice": "nav:menu", "offer": bad_offer}, headers=h)
        assert r.status_code == 400
    assert (
        await client.post(SEND, json={"text": "hello", "client_id": "x" * 64}, headers=h)
    ).status_code == 200


async def test_a_stale_choice_after_a_reload_is_refused_and_the_current_step_shown(ctx, client, world):
    h = await bound_headers(ctx, client, world)
    services = await send(client, h, choice="menu:booking")
    await send(
        client,
        h,
        choice=next(c["payload"] for c in services[0]["choices"] if c["payload"].startswith("svc:")),
    )
    tomorrow = (ctx.clock.now().astimezone(ctx.settings.tz) + timedelta(days=1)).date().isoformat()
    await send(client, h, choice=f"day:{tomorrow}")
    history = (await client.get("/chat/api/poll", headers=h)).json()["messages"]  # a reload
    slots = next(m for m in history if any(c["payload"].startswith("slot:") for c in m["choices"]))
    slot = slots["choices"][0]["payload"]
    await send(client, h, choice=slot, offer=slots["offer"])
    await send(client, h, choice="nav:skip")
    booked = await send(client, h, choice="nav:yes")
    assert "FW-" in booked[0]["text"]
    again = (await client.get("/chat/api/poll", headers=h)).json()["messages"]  # another reload
    old = next(m for m in again if m["id"] == slots["id"])
    replies = await send(client, h, choice=slot, offer=old["offer"])  # the old "09:00 (2 left)"
    assert replies[0]["text"] == tr("en", STALE)
    assert replies[1]["text"].startswith("Hello, this is the Star City customer service centre")
    assert replies[1]["offer"] > old["offer"]
    assert await count(ctx, Booking) == 1


async def test_a_double_tap_acts_once(ctx, client, world):
    h = await bound_headers(ctx, client, world)
    summary = await repair_at_confirm(client, h)
    tap = {"choice": "nav:yes", "offer": offer_of(summary, "nav:yes")}
    first = await send(client, h, **tap, client_id="tap-1")
    second = await send(client, h, **tap, client_id="tap-2")  # two taps, two messages
    assert "BX-20261122-0001" in first[0]["text"]
    assert second[0]["text"] == tr("en", STALE)
    assert await count(ctx, Ticket) == 1


async def test_history_shows_the_labels_tapped_and_when(ctx, client, world):
    h = await bound_headers(ctx, client, world)
    menu = await send(client, h, choice="menu:contact", client_id="c-1")
    await send(client, h, choice="menu:repair", offer=offer_of(menu, "menu:repair"), client_id="c-2")
    history = (await client.get("/chat/api/poll", headers=h)).json()["messages"]
    mine = [m for m in history if m["from"] == "resident"]
    assert [m["text"] for m in mine][-2:] == ["Contact the centre", "Report a repair"]
    assert [m["client_id"] for m in mine][-2:] == ["c-1", "c-2"]
    assert mine[0]["client_id"] is None  # sent without one
    assert "menu:" not in " ".join(m["text"] for m in history)
    for m in history:
        at = datetime.fromisoformat(m["at"])
        assert at == ctx.clock.now() and at.utcoffset() == timedelta(0)
    centre = [m for m in history if m["from"] == "centre"]
    assert all(("offer" in m) == bool(m["choices"]) for m in centre)
    assert centre[-1]["offer"] == offer_of(menu, "menu:repair") + 1
    replies = await send(client, h, text="hello")
    assert all(datetime.fromisoformat(r["at"]) == ctx.clock.now() for r in replies)


async def test_text_over_the_limit_is_refused_saying_the_limit_and_kept_nowhere(ctx, client, world):
    h = await bound_headers(ctx, client, world)
    before = await count(ctx, WebChatMessage)
    r = await client.post(SEND, json={"text": "x" * 2001, "client_id": "long"}, headers=h)
    assert r.status_code == 413 and r.json()["error"] == "too_long"
    assert "2000" in r.json()["message"]
    r = await client.post(SEND, json={"text": "x" * 2001}, headers={**h, "Accept-Language": "zh-CN"})
    assert "2000" in r.json()["message"]
    assert await count(ctx, WebChatMessage) == before
    assert (await client.post(SEND, json={"text": "x" * 2000}, headers=h)).status_code == 200
