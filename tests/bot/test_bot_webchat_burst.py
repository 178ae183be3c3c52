"""A burst at the web chat: sends and polls of many sessions at once are all answered, and the history
holds both sides of every message (the polls take turns with the writers on SQLite)."""

from __future__ import annotations

import asyncio

import httpx
from sqlalchemy import func, select

from desk.app import create_app
from estate.messaging.models import WebChatMessage
from tests.support.dialogs import world_with_catalogue


async def test_concurrent_sends_and_polls_are_all_answered_and_kept(ctx):
    await world_with_catalogue(ctx, ctx.clock.now())
    app = create_app(ctx)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        tokens = [(await client.post("/chat/api/session")).json()["session"] for _ in range(6)]
        client.cookies.clear()

        async def send(token: str, text: str) -> int:
            r = await client.post("/chat/api/send", json={"text": text}, headers={"X-Chat-Session": token})
            assert r.json()["replies"]
            return r.status_code

        async def poll(token: str) -> int:
            return (await client.get("/chat/api/poll", headers={"X-Chat-Session": token})).status_code

        jobs = [send(t, text) for t in tokens for text in ("你好", "谢谢")] + [poll(t) for t in tokens]
        statuses = await asyncio.gather(*jobs)
        assert set(statuses) == {200}
        replies = [
            m
            for t in tokens
            for m in (await client.get("/chat/api/poll", headers={"X-Chat-Session": t})).json()["messages"]
        ]
    async with ctx.sessions() as s:
        incoming = await s.scalar(select(func.count()).where(WebChatMessage.direction == "in"))
        outgoing = await s.scalar(select(func.count()).where(WebChatMessage.direction == "out"))
    assert incoming == 12 and outgoing >= 12
    assert len(replies) == incoming + outgoing
