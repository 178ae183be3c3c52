"""A resident asks for a person: the live chat is recorded, an agent claims and answers, and closing hands
the chat back to the bot; outside office hours the resident is told when a person will answer."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from dialogs.flows.human import LIVE_ENDED, LIVE_WAITING, PASSED_ON
from dialogs.routing import NOT_UNDERSTOOD
from dialogs.types import Event
from dialogs.understand import INTENT_LABELS
from estate.activity.models import ConsoleEvent
from estate.core.errors import Conflict
from estate.livechat import chats
from estate.livechat.convert import to_ticket
from estate.livechat.models import LiveChat, LiveMessage, LiveStatus
from estate.messaging.models import Conversation, OutboundMessage
from estate.staff.models import Staff
from estate.tickets.messages import ForbiddenPhraseError
from estate.tickets.models import Ticket
from tests.support.dialogs import bound_chat, payloads, texts, tr, world_with_catalogue

BEIJING = ZoneInfo("Asia/Shanghai")


@pytest.fixture
async def world(ctx):
    return await world_with_catalogue(ctx, ctx.clock.now())


async def _one(ctx, model, *where):
    async with ctx.sessions() as s:
        return (await s.execute(select(model).where(*where))).scalars().all()


async def _staff(ctx, world, role: str) -> Staff:
    async with ctx.sessions() as s:
        staff = await s.get(Staff, world.staff[role].id)
        assert staff is not None
        return staff


async def _outbox_texts(ctx) -> list[str]:
    return [m.text for m in await _one(ctx, OutboundMessage, OutboundMessage.kind == "live")]


@pytest.mark.parametrize("locale", ["zh_CN", "zh_TW", "en"])
async def test_asking_for_a_person_opens_a_live_chat_the_agent_answers_and_closes(ctx, world, locale):
    chat = await bound_chat(ctx, world, locale=locale)
    said = {"zh_CN": "转人工", "zh_TW": "轉人工", "en": "talk to a person"}[locale]
    replies = await chat.text(said)
    assert tr(locale, LIVE_WAITING, phone=world.estate.phone) in texts(replies)
    [live] = await _one(ctx, LiveChat)
    assert (
        live.status == LiveStatus.WAITING and live.resident_id == world.resident.id and not live.after_hours
    )
    assert "live_waiting" in [e.kind for e in await _one(ctx, ConsoleEvent)]

    first = await chat.text("卫生间的水压很低，洗澡都不行")
    assert texts(first) == tr(locale, PASSED_ON)  # acknowledged once, then the bot stays quiet
    assert await chat.text("从昨天开始的") == []
    lines = [m.text for m in await _one(ctx, LiveMessage, LiveMessage.direction == "in")]
    assert lines == [said, "卫生间的水压很低，洗澡都不行", "从昨天开始的"]  # the request itself too

    agent, other = await _staff(ctx, world, "agent"), await _staff(ctx, world, "agent2")
    async with ctx.sessions() as s, s.begin():
        await chats.claim(s, clock=ctx.clock, chat_id=live.id, staff=agent)
    with pytest.raises(Conflict):
        async with ctx.sessions() as s, s.begin():
            await chats.claim(s, clock=ctx.clock, chat_id=live.id, staff=other)
    with pytest.raises(ForbiddenPhraseError):
        async with ctx.sessions() as s, s.begin():
            await chats.reply(s, clock=ctx.clock, chat_id=live.id, staff=agent, text="不知道，急什么")
    async with ctx.sessions() as s, s.begin():
        await chats.reply(s, clock=ctx.clock, chat_id=live.id, staff=agent, text="请问是几号楼？")
    sent = await _outbox_texts(ctx)
    assert any(agent.display_name in t for t in sent) and any("请问是几号楼？" in t for t in sent)
    assert not any("急什么" in t for t in sent)

    async with ctx.sessions() as s, s.begin():
        ticket = await to_ticket(
            s,
            clock=ctx.clock,
            chat_id=live.id,
            staff=agent,
            kind="repair",
            category_code="plumbing",
            rules=ctx.rules,
        )
    [row] = await _one(ctx, Ticket, Ticket.id == ticket.id)
    assert row.source == "live_chat" and "水压很低" in row.description and "从昨天开始的" in row.description
    assert any(row.ref in t for t in await _outbox_texts(ctx))

    async with ctx.sessions() as s, s.begin():
        await chats.close(s, clock=ctx.clock, chat_id=live.id, staff=agent)
    [conv] = await _one(ctx, Conversation)
    assert (conv.flow, conv.step) == ("menu", "start")
    assert any(tr(locale, chats.CLOSED_BY_STAFF) == t for t in await _outbox_texts(ctx))
    # The bot answers again: words are understood instead of passed on.
    after = await chat.text("我要报修")
    assert after and texts(after) != tr(locale, PASSED_ON)
    assert len(await _one(ctx, LiveMessage, LiveMessage.direction == "in")) == 3


async def test_outside_office_hours_the_resident_is_told_when_and_the_bot_keeps_helping(ctx, world):
    ctx.clock.set(datetime(2026, 11, 22, 22, 30, tzinfo=BEIJING))
    chat = await bound_chat(ctx, world, locale="zh_CN")
    replies = await chat.text("人工客服")
    assert "08:00" in texts(replies) and "menu:repair" in payloads(replies)
    [live] = await _one(ctx, LiveChat)
    assert live.after_hours and live.status == LiveStatus.WAITING
    # the bot keeps helping: a repair request goes to the repair flow, not to the waiting chat
    await chat.text("卧室的门锁坏了，想报修")
    [conv] = await _one(ctx, Conversation)
    assert conv.flow == "repair"
    # in the morning an agent claims it: from then on the resident's words go to the agent
    ctx.clock.set(datetime(2026, 11, 23, 8, 5, tzinfo=BEIJING))
    async with ctx.sessions() as s, s.begin():
        await chats.claim(s, clock=ctx.clock, chat_id=live.id, staff=await _staff(ctx, world, "agent"))
    assert await chat.text("好的，谢谢") == []
    assert [m.text for m in await _one(ctx, LiveMessage, LiveMessage.direction == "in")][-1] == "好的，谢谢"


async def test_an_emergency_in_a_live_chat_is_still_recorded_at_once(ctx, world):
    chat = await bound_chat(ctx, world, locale="zh_CN")
    await chat.text("转人工")
    replies = await chat.text("厨房煤气味很重，好像泄漏了")
    urgent = await _one(ctx, Ticket, Ticket.urgency == "urgent")
    assert len(urgent) == 1 and urgent[0].ref in texts(replies)
    assert "煤气" in [m.text for m in await _one(ctx, LiveMessage, LiveMessage.direction == "in")][-1]
    [conv] = await _one(ctx, Conversation)
    assert conv.flow == "human"  # still waiting for the person
    assert await chat.text("我已经打开窗户了") == []  # and what follows goes to the agent
    assert [m.text for m in await _one(ctx, LiveMessage, LiveMessage.direction == "in")][
        -1
    ] == "我已经打开窗户了"


async def test_the_resident_can_end_the_live_chat_and_the_menu_and_not_understood_offer_a_person(ctx, world):
    chat = await bound_chat(ctx, world, locale="en")
    menu = await chat.command("start")
    assert "intent:human" in payloads(menu)
    await chat.tap("menu:lang")  # a step that takes only its choices
    puzzled = await chat.text("zzzz qqqq")
    assert tr("en", NOT_UNDERSTOOD) in texts(puzzled) and "intent:human" in payloads(puzzled)
    [label] = [c.label for r in puzzled for c in r.choices if c.payload == "intent:human"]
    assert label == tr("en", INTENT_LABELS["human"])
    entered = await chat.tap("intent:human")
    assert "live:end" in payloads(entered)
    [offer] = [r.offer for r in entered if any(c.payload == "live:end" for c in r.choices)]
    await chat.text("Is anyone there?")
    await chat.text("Hello?")
    # The button shown at the start still ends the chat, however many messages came after it.
    ended = await chat.send(Event(kind="choice", payload="live:end", offer=offer, locale_hint="en"))
    assert tr("en", LIVE_ENDED) in texts(ended)
    [live] = await _one(ctx, LiveChat)
    assert live.status == LiveStatus.CLOSED and live.closed_by_id is None
