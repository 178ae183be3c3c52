"""The web chat API (DESIGN §7): session, send (text, choice, photo), poll; bad input refused politely."""

from __future__ import annotations

import struct
import zlib

import httpx
import pytest
from sqlalchemy import select

from bot.webchat.sender import send_once
from desk.app import create_app
from estate.messaging.models import ChannelAccount, OutboundMessage
from estate.residents.codes import issue_binding_code
from estate.tickets.assignment import dispatch_ticket
from estate.tickets.models import Attachment, Ticket
from tests.support.dialogs import world_with_catalogue


def png_bytes() -> bytes:
    """A real 1×1 PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
        + chunk(b"IEND", b"")
    )


@pytest.fixture
async def client(ctx):
    app = create_app(ctx)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        yield c


async def _session(client) -> str:
    r = await client.post("/chat/api/session")
    assert r.status_code == 200 and r.cookies.get("desk_chat") == r.json()["session"]
    return r.json()["session"]


async def test_whole_journey_over_the_api(ctx, client):
    world = await world_with_catalogue(ctx, ctx.clock.now())
    async with ctx.sessions() as s, s.begin():
        code = await issue_binding_code(
            s, clock=ctx.clock, unit_id=world.unit.id, secret=ctx.settings.secret_key
        )
    session = await _session(client)
    h = {"X-Chat-Session": session, "Accept-Language": "en-US,en;q=0.8"}
    first = (await client.post("/chat/api/send", json={"command": "start"}, headers=h)).json()["replies"]
    assert first[0]["text"].startswith("Hello, this is the Star City customer service centre")
    assert {"label": "Bind my home", "payload": "menu:bind"} in first[0]["choices"]
    await client.post("/chat/api/send", json={"choice": "menu:bind"}, headers=h)
    bound = (await client.post("/chat/api/send", json={"text": code}, headers=h)).json()["replies"]
    assert bound[0]["text"] == "Thank you, Zhang San! This chat is now bound to your home 1-101."
    for body in (
        {"choice": "menu:repair"},
        {"choice": "cat:plumbing"},
        {"choice": "loc:home"},
        {"text": "Tap drips"},
    ):
        r = await client.post("/chat/api/send", json=body, headers=h)
        assert r.status_code == 200
    r = await client.post("/chat/api/send", files={"photo": ("tap.png", png_bytes(), "image/png")}, headers=h)
    assert r.json()["replies"][0]["text"].startswith("Photo 1 received")
    for body in ({"choice": "nav:done"}, {"choice": "win:asap"}):
        await client.post("/chat/api/send", json=body, headers=h)
    done = (await client.post("/chat/api/send", json={"choice": "nav:yes"}, headers=h)).json()["replies"]
    assert "BX-20261122-0001" in done[0]["text"]
    last_id = done[-1]["id"]

    async with ctx.sessions() as s, s.begin():
        ticket = (await s.execute(select(Ticket))).scalar_one()
        await dispatch_ticket(
            s,
            clock=ctx.clock,
            ticket_id=ticket.id,
            staff_id=world.staff["agent"].id,
            department="engineering",
        )
        photo = (await s.execute(select(Attachment))).scalar_one()
    assert photo.ticket_id == ticket.id and photo.content_type == "image/png"
    assert (ctx.settings.data_dir / photo.path).read_bytes() == png_bytes()
    assert await send_once(ctx, ctx.clock) == 1
    assert await send_once(ctx, ctx.clock) == 0  # delivered once
    pushed = (await client.get(f"/chat/api/poll?after={last_id}", headers=h)).json()["messages"]
    assert [m["text"] for m in pushed] == [
        "Your request BX-20261122-0001 has been passed to Engineering. They will contact you shortly."
    ]
    async with ctx.sessions() as s:
        assert (await s.execute(select(OutboundMessage.status))).scalar_one() == "sent"


async def test_bad_requests_are_refused_politely(ctx, client):
    world = await world_with_catalogue(ctx, ctx.clock.now())
    r = await client.post("/chat/api/send", json={"text": "hi"})
    assert r.status_code == 401 and r.json()["error"] == "no_session"
    session = await _session(client)
    h = {"X-Chat-Session": session}
    for bad in (b"{not json", b"[]", b'{"text": ""}', b'{"text": 5}'):
        r = await client.post(
            "/chat/api/send", content=bad, headers={**h, "Content-Type": "application/json"}
        )
        assert r.status_code == 400 and r.json()["message"]
    r = await client.post("/chat/api/send", json={"text": "x" * 2001}, headers=h)
    assert r.status_code == 413
    async with ctx.sessions() as s, s.begin():  # only a bound chat's photos are looked at
        account = (
            await s.execute(select(ChannelAccount).where(ChannelAccount.external_id == session))
        ).scalar_one()
        account.resident_id = world.resident.id
    r = await client.post(
        "/chat/api/send", files={"photo": ("evil.png", b"MZ\x90\x00" * 10, "image/png")}, headers=h
    )
    assert r.status_code == 415 and r.json()["error"] == "not_a_photo"
    r = await client.post(
        "/chat/api/send",
        files={"photo": ("big.png", png_bytes() + b"\0" * (11 * 1024 * 1024), "image/png")},
        headers=h,
    )
    assert r.status_code == 413 and r.json()["error"] == "photo_too_large"


async def test_the_page_is_served_in_the_browser_language(client):
    r = await client.get("/chat", headers={"Accept-Language": "zh-TW"})
    assert r.status_code == 200 and 'lang="zh-TW"' in r.text and "傳送" in r.text
    assert (await client.get("/chat/static/chat.js")).status_code == 200
    assert (await client.get("/")).headers["location"] == "/chat"
