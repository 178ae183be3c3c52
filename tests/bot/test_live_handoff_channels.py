"""The hand-off to a person on Telegram and WeChat: a resident asks for a person in their own words, an
agent claims and answers (the domain functions the console calls), the agent's words reach the resident
through the channel's sender, what the resident writes meanwhile (a photo too) goes to the agent, and
closing hands the chat back to the bot. Outside office hours the resident is told when a person answers.

Telegram: the real aiogram client against the fake Bot API server. WeChat: the real /wechat endpoint with
signed XML, and the customer-service message API of the fake WeChat server.
"""

from __future__ import annotations

import asyncio
import time
from datetime import datetime

import pytest
from sqlalchemy import select

import bot.telegram as telegram
from bot.wechat import sender as wechat_sender
from bot.wechat.render import LINE
from bot.wechat.xml import parse
from dialogs.flows.human import AFTER_HOURS, LIVE_ENDED, LIVE_WAITING, PASSED_ON
from estate.livechat import chats
from estate.livechat.models import LiveChat, LiveMessage, LiveStatus
from estate.residents.codes import issue_binding_code
from estate.staff.models import Staff
from estate.tickets.models import Attachment
from tests.bot import test_bot_telegram, test_bot_wechat
from tests.bot.test_bot_telegram import Conversation
from tests.bot.test_bot_webchat import png_bytes
from tests.bot.test_bot_wechat import OPENID, _client, signed_query, text_xml
from tests.conftest import SHANGHAI
from tests.support.dialogs import tr, world_with_catalogue
from tests.support.fake_telegram import FakeTelegram
from tests.support.fake_wechat import FakeWeChat

UID = 515151
ZH = "zh_CN"
END_LABEL = "End the chat with staff"
CUSTOM = "/cgi-bin/message/custom/send"
# Fixtures of the channels' own tests: the fake Bot API and its settings, the fake WeChat API (by another name).
fake, tg_ctx = test_bot_telegram.fake, test_bot_telegram.tg_ctx
wechat_api = test_bot_wechat.fake
WHERE = "Where is the problem?"  # the repair flow's question after "我要报修"
REPAIR_ASKED = "What needs repairing? Choose a category, or describe the problem in a few words."


# ------------------------------------------------------------------ the agent's side, as the console does it


async def _the_live_chat(ctx) -> LiveChat:
    async with ctx.sessions() as s:
        return (await s.execute(select(LiveChat))).scalar_one()


async def _agent(ctx) -> Staff:
    async with ctx.sessions() as s:
        return (await s.execute(select(Staff).where(Staff.username == "agent"))).scalar_one()


async def claim_and_reply(ctx, live_id: int, words: str) -> Staff:
    agent = await _agent(ctx)
    async with ctx.sessions() as s, s.begin():
        await chats.claim(s, clock=ctx.clock, chat_id=live_id, staff=agent)
    async with ctx.sessions() as s, s.begin():
        await chats.reply(s, clock=ctx.clock, chat_id=live_id, staff=agent, text=words)
    return agent


async def close_chat(ctx, live_id: int) -> None:
    async with ctx.sessions() as s, s.begin():
        await chats.close(s, clock=ctx.clock, chat_id=live_id, staff=await _agent(ctx))


async def lines_in(ctx) -> list[LiveMessage]:
    """What the resident said in live chats, oldest first."""
    async with ctx.sessions() as s:
        found = await s.execute(
            select(LiveMessage).where(LiveMessage.direction == "in").order_by(LiveMessage.id)
        )
        return list(found.scalars())


async def wait_for_lines(ctx, count: int, within: float = 30) -> list[LiveMessage]:
    """The resident's live lines once there are `count` of them (the Telegram poller works on its own)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        lines = await lines_in(ctx)
        if len(lines) >= count:
            return lines
        await asyncio.sleep(0.02)
    raise AssertionError(f"the live chat never had {count} lines from the resident")


async def stored_photo(ctx, line: LiveMessage) -> bytes:
    """The bytes of the photo a live line links to (and it is the resident's chat's photo)."""
    async with ctx.sessions() as s:
        photo = await s.get(Attachment, line.attachment_id)
        assert photo is not None and photo.channel_account_id is not None
        return (ctx.settings.data_dir / photo.path).read_bytes()


async def bind_code(ctx, unit_id: int) -> str:
    async with ctx.sessions() as s, s.begin():
        return await issue_binding_code(s, clock=ctx.clock, unit_id=unit_id, secret=ctx.settings.secret_key)


# ------------------------------------------------------------------ Telegram


@pytest.fixture
async def telegram_resident(tg_ctx, fake):
    """A Telegram chat bound to the world's resident, with the poller running."""
    ctx = tg_ctx
    world = await world_with_catalogue(ctx, ctx.clock.now())
    code = await bind_code(ctx, world.unit.id)
    tasks = await telegram.start(ctx)
    chat = Conversation(fake, UID)
    try:
        fake.send_text(UID, code)
        await chat.expect("1-101")
        yield chat
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


def _texts_to(server: FakeTelegram, since: int) -> list[str]:
    return [c["params"]["text"] for c in server.sent(UID)[since:]]


async def test_telegram_hand_off_agent_answers_photo_reaches_the_agent_and_closing_hands_back(
    ctx, fake, telegram_resident
):
    chat = telegram_resident
    before = len(fake.sent(UID))
    fake.send_text(UID, "人工客服")
    waiting = await chat.expect(tr(ZH, LIVE_WAITING, phone="0731-88886666"))
    [[button]] = waiting["params"]["reply_markup"]["inline_keyboard"]
    assert (button["text"], button["callback_data"]) == (tr(ZH, END_LABEL), "live:end")
    live = await _the_live_chat(ctx)
    assert live.status == LiveStatus.WAITING and not live.after_hours

    agent = await claim_and_reply(ctx, live.id, "您好，请问是几号楼？")
    assert await telegram.send_once(ctx, ctx.clock) == 2
    greeting, answer = _texts_to(fake, before + 1)
    assert agent.display_name in greeting
    assert agent.display_name in answer and "您好，请问是几号楼？" in answer
    chat.seen = len(fake.calls)

    fake.send_text(UID, "3栋2单元，门禁卡刷不开")
    await wait_for_lines(ctx, 2)  # one at a time: the poller handles updates concurrently
    fake.send_photo(UID, png_bytes())
    lines = await wait_for_lines(ctx, 3)
    assert [line.text for line in lines[:2]] == ["人工客服", "3栋2单元，门禁卡刷不开"]
    assert lines[2].attachment_id is not None and await stored_photo(ctx, lines[2]) == png_bytes()
    assert {line.live_chat_id for line in lines} == {live.id}

    await close_chat(ctx, live.id)
    assert await telegram.send_once(ctx, ctx.clock) == 1
    await chat.expect(tr(ZH, chats.CLOSED_BY_STAFF))
    fake.send_text(UID, "我要报修")
    await asyncio.sleep(3)
    print("SENT", _texts_to(fake, before))
    menu = await chat.expect(tr(ZH, WHERE))
    assert menu["params"]["reply_markup"]["inline_keyboard"]
    assert len(await lines_in(ctx)) == 3  # the bot answered: nothing more went to the closed chat
    # Everything the resident was sent, in order: no menu or "passed on" while the person answered.
    assert _texts_to(fake, before) == [
        waiting["params"]["text"],
        greeting,
        answer,
        tr(ZH, chats.CLOSED_BY_STAFF),
        menu["params"]["text"],
    ]


# ------------------------------------------------------------------ WeChat


@pytest.fixture
async def wechat(ctx, wechat_api):
    """The /wechat endpoint (plaintext mode) of an app whose world has its resident to bind."""
    async for client in _client(ctx, wechat_api, None):
        yield client


class WeChatResident:
    """The resident writing to the Official Account: each message signed, answered passively."""

    def __init__(self, ctx, client) -> None:
        self.ctx, self.client, self.n = ctx, client, 7000

    async def say(self, text: str) -> str:
        return await self._post(text_xml(text, msg_id=self._id()))

    async def picture(self, media_id: str) -> str:
        return await self._post(text_xml("", kind="image", msg_id=self._id(), MediaId=media_id))

    def _id(self) -> str:
        self.n += 1
        return str(self.n)

    async def _post(self, body: bytes) -> str:
        ts = int(self.ctx.clock.now().timestamp())
        r = await self.client.post(
            "/wechat", params=signed_query(ts), content=body, headers={"Content-Type": "text/xml"}
        )
        assert r.status_code == 200
        return "" if r.text == "success" else parse(r.content)["Content"]


async def bound_wechat(ctx, client) -> WeChatResident:
    resident = WeChatResident(ctx, client)
    assert "1-101" in await resident.say(await bind_code(ctx, unit_id=1))  # the world's unit 1-101
    return resident


def _numbered(label: str, n: int = 1) -> str:
    return tr(ZH, LINE, n=n, label=tr(ZH, label))


def _custom_texts(server: FakeWeChat) -> list[str]:
    return [c["body"]["text"]["content"] for c in server.sent(CUSTOM) if c["body"]["touser"] == OPENID]


async def test_wechat_hand_off_with_numbered_lines_and_the_agent_answering_through_the_customer_service_api(
    ctx, wechat, wechat_api
):
    resident = await bound_wechat(ctx, wechat)
    waiting = await resident.say("人工客服")
    assert tr(ZH, LIVE_WAITING, phone="0731-88886666") in waiting and _numbered(END_LABEL) in waiting
    live = await _the_live_chat(ctx)
    assert live.status == LiveStatus.WAITING

    agent = await claim_and_reply(ctx, live.id, "您好，请问是几号楼？")
    assert await wechat_sender.send_once(ctx, ctx.clock) == 2
    greeting, answer = _custom_texts(wechat_api)
    assert agent.display_name in greeting
    assert agent.display_name in answer and "您好，请问是几号楼？" in answer

    # "1" answers the agent's question: the numbered line shown before the agent spoke no longer counts
    assert await resident.say("1") == ""
    wechat_api.media["pic1"] = png_bytes()
    assert await resident.picture("pic1") == ""
    lines = await lines_in(ctx)
    assert [line.text for line in lines[:2]] == ["人工客服", "1"]
    assert lines[2].attachment_id is not None and await stored_photo(ctx, lines[2]) == png_bytes()
    assert (await _the_live_chat(ctx)).status == LiveStatus.ACTIVE

    await close_chat(ctx, live.id)
    assert await wechat_sender.send_once(ctx, ctx.clock) == 1
    assert _custom_texts(wechat_api)[-1] == tr(ZH, chats.CLOSED_BY_STAFF)
    menu = await resident.say("我要报修")
    assert tr(ZH, WHERE) in menu and "\n" + tr(ZH, LINE, n=1, label="") in menu
    assert len(await lines_in(ctx)) == 3


async def test_wechat_resident_ends_the_chat_by_replying_with_the_number_shown(ctx, wechat):
    resident = await bound_wechat(ctx, wechat)
    await resident.say("转人工")
    passed_on = await resident.say("停车场的灯坏了好几盏")
    assert tr(ZH, PASSED_ON) in passed_on and _numbered(END_LABEL) in passed_on
    ended = await resident.say("1")
    assert tr(ZH, LIVE_ENDED) in ended
    live = await _the_live_chat(ctx)
    assert live.status == LiveStatus.CLOSED and live.closed_by_id is None
    assert [line.text for line in await lines_in(ctx)] == ["转人工", "停车场的灯坏了好几盏"]


async def test_outside_office_hours_wechat_says_when_a_person_answers_and_shows_the_menu(ctx, wechat):
    resident = await bound_wechat(ctx, wechat)
    ctx.clock.set(datetime(2026, 11, 22, 22, 30, tzinfo=SHANGHAI))
    answer = await resident.say("人工客服")
    told = tr(ZH, AFTER_HOURS, open="08", close="20", when="08:00", phone="0731-88886666")
    assert told in answer
    assert _numbered("Report a repair") in answer  # the menu, as numbered lines
    live = await _the_live_chat(ctx)
    assert live.after_hours and live.status == LiveStatus.WAITING
    # the bot keeps helping: the menu's first line is a choice the resident can reply with
    assert tr(ZH, REPAIR_ASKED) in await resident.say("1")
