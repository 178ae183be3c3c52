"""Through the real channels: an emergency typed at the menu, in "my requests" or by an unbound chat is
recorded at once; "cancel" typed mid-flow is never saved; a doubtful message gets choices."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from sqlalchemy import select

import bot.telegram as telegram
from bot.webchat.sender import send_once
from desk.app import create_app
from estate.messaging.models import ChannelAccount
from estate.residents.codes import issue_binding_code
from estate.tickets.messages import add_staff_reply
from estate.tickets.models import Ticket
from tests.bot import test_bot_telegram
from tests.bot.test_bot_telegram import Conversation
from tests.support.dialogs import world_with_catalogue


@pytest.fixture
async def client(ctx):
    app = create_app(ctx)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        yield c


async def _chat(client, lang: str) -> dict:
    session = (await client.post("/chat/api/session")).json()["session"]
    return {"X-Chat-Session": session, "Accept-Language": lang}


async def _bound_chat(ctx, client, world, lang: str) -> dict:
    """A web chat session bound to the world's resident with a real binding code."""
    async with ctx.sessions() as s, s.begin():
        code = await issue_binding_code(
            s, clock=ctx.clock, unit_id=world.unit.id, secret=ctx.settings.secret_key
        )
    h = await _chat(client, lang)
    await _send(client, h, command="start")
    await _send(client, h, choice="menu:bind")
    await _send(client, h, text=code)
    return h


async def _send(client, headers, **body) -> list[dict]:
    r = await client.post("/chat/api/send", json=body, headers=headers)
    assert r.status_code == 200, r.text
    return r.json()["replies"]


async def _tickets(ctx) -> list[Ticket]:
    async with ctx.sessions() as s:
        return list((await s.execute(select(Ticket).order_by(Ticket.id))).scalars())


async def test_web_chat_an_unbound_visitor_reporting_smoke_alerts_the_staff(ctx, client):
    world = await world_with_catalogue(ctx, ctx.clock.now())
    h = await _chat(client, "zh-CN")
    await _send(client, h, command="start")
    replies = await _send(client, h, text="楼道里着火了，全是烟！！")
    [ticket] = await _tickets(ctx)
    assert ticket.urgency == "urgent" and ticket.resident_id is None
    assert (
        "119" in replies[0]["text"]
        and "0731-88886666" in replies[0]["text"]
        and ticket.ref in replies[0]["text"]
    )
    async with ctx.sessions() as s:
        account = await s.get(ChannelAccount, ticket.channel_account_id)
    assert account.channel == "webchat"
    # Staff answer the unverified alert from the console; the reply reaches that chat.
    async with ctx.sessions() as s, s.begin():
        await add_staff_reply(
            s,
            clock=ctx.clock,
            ticket_id=ticket.id,
            staff_id=world.staff["agent"].id,
            text="消防已通知，请从楼梯撤离",
        )
    assert await send_once(ctx, ctx.clock) == 1
    pushed = (await client.get("/chat/api/poll?after=0", headers=h)).json()["messages"]
    assert any("消防已通知，请从楼梯撤离" in m["text"] and ticket.ref in m["text"] for m in pushed)


async def test_web_chat_emergency_at_the_menu_and_in_my_requests(ctx, client):
    world = await world_with_catalogue(ctx, ctx.clock.now())
    h = await _bound_chat(ctx, client, world, "en-US")
    replies = await _send(client, h, text="strong smell of gas in my kitchen")
    [first] = await _tickets(ctx)
    assert (first.category, first.urgency, first.resident_id) == ("gas_smell", "urgent", world.resident.id)
    assert replies[0]["text"].startswith(f"We have recorded this as an urgent repair: {first.ref}.")
    await _send(client, h, choice="nav:done")
    await _send(client, h, choice="menu:tickets")
    ctx.clock.advance(hours=3)
    replies = await _send(client, h, text="water is pouring from the ceiling now!!")
    second = (await _tickets(ctx))[-1]
    assert second.id != first.id and (second.category, second.urgency) == ("water_leak", "urgent")
    assert second.ref in replies[0]["text"]


async def test_web_chat_cancel_mid_flow_and_a_doubtful_message(ctx, client):
    world = await world_with_catalogue(ctx, ctx.clock.now())
    h = await _bound_chat(ctx, client, world, "zh-TW")
    for body in ({"choice": "menu:repair"}, {"choice": "cat:plumbing"}, {"choice": "loc:home"}):
        await _send(client, h, **body)
    replies = await _send(client, h, text="取消")
    assert replies[0]["text"] == "已取消，未提交任何內容。"
    assert any(c["payload"] == "menu:repair" for r in replies for c in r["choices"])
    assert await _tickets(ctx) == []
    replies = await _send(client, h, text="嗯嗯那個")
    assert [c["payload"] for c in replies[0]["choices"]][-1] == "nav:menu"
    assert sum(c["payload"].startswith("intent:") for c in replies[0]["choices"]) >= 2


fake, tg_ctx = test_bot_telegram.fake, test_bot_telegram.tg_ctx  # the real aiogram client's fixtures


async def test_telegram_emergencies_are_recorded_on_the_first_message(tg_ctx, fake):
    ctx = tg_ctx
    world = await world_with_catalogue(ctx, ctx.clock.now())
    async with ctx.sessions() as s, s.begin():
        code = await issue_binding_code(
            s, clock=ctx.clock, unit_id=world.unit.id, secret=ctx.settings.secret_key
        )
    tasks = await telegram.start(ctx)
    stranger, resident = Conversation(fake, 5001), Conversation(fake, 5002)
    try:
        fake.send_text(5001, "有人被困在电梯里了，快来人")
        alert = await stranger.expect("0731-88886666")
        [ticket] = await _tickets(ctx)
        assert (ticket.category, ticket.urgency, ticket.resident_id) == ("lift_entrapment", "urgent", None)
        assert ticket.ref in alert["params"]["text"]

        fake.send_text(5002, "/start")
        await resident.expect("物业客服中心")
        fake.send_text(5002, code)
        await resident.expect("1-101")
        fake.tap(5002, "menu:tickets")
        await asyncio.sleep(0.05)
        fake.send_text(5002, "家里跳闸了推不上去，全屋停电")
        recorded = await resident.expect("紧急报修")
        second = (await _tickets(ctx))[-1]
        assert (second.category, second.urgency, second.resident_id) == (
            "power_cut",
            "urgent",
            world.resident.id,
        )
        assert second.ref in recorded["params"]["text"]
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
