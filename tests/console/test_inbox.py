"""The console's inbox of live chats (issue #13): who waits and for how long, one chat with its resident,
unit, open tickets and lines in words; claim (the loser sees who won), reply (forbidden phrases refused with
the polite alternatives), a ticket made of the chat's words, close (the bot answers again)."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select

from desk.app import create_app
from estate.activity.reads import LIVE, unread
from estate.livechat import chats
from estate.livechat.models import LiveChat, LiveMessage, LiveStatus
from estate.messaging.models import ChannelAccount, Conversation, OutboundMessage
from estate.tickets.models import Ticket
from tests.support.console import console_world, sign_in
from tests.support.factories import make_ticket

EN = {"Accept-Language": "en"}


@pytest.fixture
async def world(ctx):
    return await console_world(ctx)


def client_for(ctx) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_app(ctx)), base_url="http://t", headers=EN
    )


async def resident_asks(ctx, world, *words: str) -> int:
    """The world's resident asks for a person in the web chat and writes `words`; returns the live chat's id."""
    async with ctx.sessions() as s, s.begin():
        account = await s.get(ChannelAccount, world.account.id)
        chat, _ = await chats.open_chat(
            s, clock=ctx.clock, account=account, estate_id=world.estate.id, after_hours=False
        )
        for text in words:
            await chats.resident_says(s, clock=ctx.clock, chat=chat, text=text)
        return chat.id


async def one(ctx, model, *where):
    async with ctx.sessions() as s:
        return (await s.execute(select(model).where(*where))).scalars().all()


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


async def test_the_inbox_lists_waiting_chats_in_words_and_opening_one_marks_it_read(ctx, world):
    await make_ticket(ctx, world, "客厅灯不亮")
    chat_id = await resident_asks(ctx, world, "卫生间的水压很低")
    ctx.clock.advance(timedelta(minutes=7))
    async with client_for(ctx) as c:
        await sign_in(c, "agent")
        listing = await c.get("/console/inbox")
        assert listing.status_code == 200
        row = text_of(listing.text)
        assert "Zhang San" in row and "1-101" in row and "Web chat" in row and "webchat" not in row
        assert "卫生间的水压很低" in row and "waiting for 7 min" in row
        assert 'aria-label="New from the resident"' in listing.text  # the dot says what it means
        waiting = await c.get("/console/inbox/waiting")
        assert ">1<" in waiting.text
        page = await c.get(f"/console/inbox/{chat_id}")
        assert page.status_code == 200
        shown = text_of(page.text)
        assert "Zhang San" in shown and "1-101" in shown and "卫生间的水压很低" in shown
        [ticket] = await one(ctx, Ticket)
        assert f'href="/console/tickets/{ticket.id}"' in page.text  # the resident's open ticket
        again = await c.get("/console/inbox")
        assert 'aria-label="New from the resident"' not in again.text
    async with ctx.sessions() as s:
        agent = world.staff["agent"]
        left = await unread(s, staff_id=agent.id, subject=LIVE, activity={chat_id: ctx.clock.now()})
        assert left == set()


async def test_claim_reply_ticket_and_close_from_the_chat_page(ctx, world):
    chat_id = await resident_asks(ctx, world, "卫生间的水压很低", "从昨天开始的")
    async with client_for(ctx) as c:
        csrf = await sign_in(c, "agent")
        claimed = await c.post(f"/console/inbox/{chat_id}/claim", data={"csrf": csrf})
        assert claimed.status_code == 303
        refused = await c.post(
            f"/console/inbox/{chat_id}/reply", data={"csrf": csrf, "text": "不知道，急什么"}
        )
        assert refused.status_code == 422
        assert (
            "forbidden phrase" in refused.text and "<mark>" in refused.text and "Instead of" in refused.text
        )
        sent = await c.post(f"/console/inbox/{chat_id}/reply", data={"csrf": csrf, "text": "请问是几号楼？"})
        assert sent.status_code == 303
        made = await c.post(
            f"/console/inbox/{chat_id}/ticket", data={"csrf": csrf, "classification": "repair:plumbing"}
        )
        assert made.status_code == 303
        [ticket] = await one(ctx, Ticket)
        assert ticket.description == "卫生间的水压很低\n从昨天开始的" and ticket.source == "live_chat"
        page = await c.get(f"/console/inbox/{chat_id}")
        shown = text_of(page.text)
        assert f'href="/console/tickets/{ticket.id}"' in page.text and ticket.ref in shown
        assert "Agent took the conversation" in shown and "请问是几号楼？" in shown
        assert "Agent made a ticket of this conversation" in shown
        closed = await c.post(f"/console/inbox/{chat_id}/close", data={"csrf": csrf})
        assert closed.status_code == 303
        page = await c.get(f"/console/inbox/{chat_id}")
        assert "Agent ended the conversation" in text_of(page.text)
    [live] = await one(ctx, LiveChat)
    assert live.status == LiveStatus.CLOSED
    [conv] = await one(ctx, Conversation)
    assert conv.flow != "human"  # the bot answers again
    told = [m.text for m in await one(ctx, OutboundMessage, OutboundMessage.kind == "live")]
    assert any("请问是几号楼？" in t for t in told) and any(ticket.ref in t for t in told)
    assert [m.text for m in await one(ctx, LiveMessage, LiveMessage.direction == "out")] == ["请问是几号楼？"]


async def test_the_second_agent_to_claim_sees_who_won_and_may_not_answer(ctx, world):
    chat_id = await resident_asks(ctx, world, "有人吗")
    async with client_for(ctx) as first, client_for(ctx) as second:
        csrf1 = await sign_in(first, "agent")
        csrf2 = await sign_in(second, "agent2")
        page = await second.get(f"/console/inbox/{chat_id}")  # both had the page open
        assert 'id="claim"' in page.text
        assert (await first.post(f"/console/inbox/{chat_id}/claim", data={"csrf": csrf1})).status_code == 303
        lost = await second.post(f"/console/inbox/{chat_id}/claim", data={"csrf": csrf2})
        assert lost.status_code == 409 and "Agent claimed this conversation first." in text_of(lost.text)
        barred = await second.post(f"/console/inbox/{chat_id}/reply", data={"csrf": csrf2, "text": "您好"})
        assert barred.status_code == 409
        assert "Another colleague" in text_of(barred.text)
    assert await one(ctx, LiveMessage, LiveMessage.direction == "out") == []


async def test_roles_of_the_inbox_and_other_estates_chats(ctx, world):
    chat_id = await resident_asks(ctx, world, "有人吗")
    async with client_for(ctx) as c:
        await sign_in(c, "plumber")
        assert (await c.get("/console/inbox")).status_code == 403
        assert (await c.get(f"/console/inbox/{chat_id}")).status_code == 403
    async with client_for(ctx) as c:
        await sign_in(c, "supervisor")
        assert (await c.get(f"/console/inbox/{chat_id}")).status_code == 200
        missing = await c.get(f"/console/inbox/{chat_id + 100}")
        assert missing.status_code == 404 and "There is no such conversation." in text_of(missing.text)
