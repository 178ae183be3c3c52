"""Free text everywhere: emergencies recorded on the first message, cancel and hand-off at any step,
"did you mean …?" when unsure, typed choices, and a half-finished report that survives binding."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from dialogs.engine import NEEDS_BINDING, NO_LONGER_BOUND
from dialogs.routing import CANCELLED, DID_YOU_MEAN
from estate.livechat.models import LiveChat, LiveMessage
from estate.messaging.models import ChannelAccount
from estate.residents.binding import unbind
from estate.residents.codes import issue_binding_code
from estate.tickets.models import Ticket, TicketEvent
from tests.support.dialogs import Chat, bound_chat, payloads, texts, tr, world_with_catalogue

LOCALES = ["zh_CN", "zh_TW", "en"]


@pytest.fixture
async def world(ctx):
    return await world_with_catalogue(ctx, ctx.clock.now())


async def tickets(ctx) -> list[Ticket]:
    async with ctx.sessions() as s:
        return list((await s.execute(select(Ticket).order_by(Ticket.id))).scalars())


@pytest.mark.parametrize(
    ("locale", "text", "category"),
    [
        ("zh_CN", "楼道里煤气味好大", "gas_smell"),
        ("zh_TW", "有人被困在電梯裡面！", "lift_entrapment"),
        ("en", "water is pouring through my kitchen ceiling!!", "water_leak"),
    ],
)
async def test_an_emergency_at_the_menu_is_a_ticket_on_the_first_message(ctx, world, locale, text, category):
    chat = await bound_chat(ctx, world, locale=locale)
    replies = await chat.text(text)
    [ticket] = await tickets(ctx)
    assert (ticket.kind, ticket.category, ticket.urgency, ticket.description) == (
        "repair",
        category,
        "urgent",
        text,
    )
    assert ticket.resident_id == world.resident.id and ticket.unit_id == world.unit.id
    deadline = ticket.dispatch_due.astimezone(ctx.settings.tz).strftime("%Y-%m-%d %H:%M")
    assert ticket.ref in replies[0].text and deadline in replies[0].text
    # What follows is added to the same ticket; a photo too; Done ends it without a second ticket.
    await chat.text("3栋2单元门口" if locale != "en" else "Building 3, unit 2 entrance")
    await chat.photo()
    replies = await chat.tap("nav:done")
    assert tr(
        locale, "Your urgent report {ref} stays with our staff until it is dealt with.", ref=ticket.ref
    ) in texts(replies)
    async with ctx.sessions() as s:
        events = (
            (await s.execute(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id))).scalars().all()
        )
    assert [e.kind for e in events] == ["created", "message_in", "message_in"]
    assert len(await tickets(ctx)) == 1


async def test_a_second_alarm_adds_to_the_first_ticket(ctx, world):
    chat = await bound_chat(ctx, world, locale="zh_CN")
    await chat.text("家里突然黑了，全屋停电")
    await chat.tap("nav:done")
    ctx.clock.advance(minutes=5)
    replies = await chat.text("还是没电啊！！停电了快来人")
    [ticket] = await tickets(ctx)
    assert ticket.category == "power_cut"
    assert tr(
        "zh_CN", "Added to your urgent report {ref}. Our staff can see it now.", ref=ticket.ref
    ) in texts(replies)


async def test_an_emergency_in_the_middle_of_my_requests_is_recorded(ctx, world):
    chat = await bound_chat(ctx, world, locale="zh_CN")
    await chat.tap("menu:complaint")
    await chat.tap("cat:sanitation")
    await chat.text("垃圾桶两天没人倒")
    await chat.tap("nav:skip")
    await chat.tap("nav:yes")
    await chat.tap("menu:tickets")
    replies = await chat.text("救命，卫生间水管爆了，水漫出来了")
    ts = await tickets(ctx)
    assert [(t.kind, t.urgency) for t in ts] == [("complaint", "normal"), ("repair", "urgent")]
    assert ts[1].ref in replies[0].text


@pytest.mark.parametrize("locale", LOCALES)
async def test_an_unbound_chat_reporting_an_emergency_alerts_the_staff(ctx, world, locale):
    chat = Chat(ctx, "stranger", locale_hint=locale)
    await chat.command("start")
    text = {
        "zh_CN": "着火了，楼道里全是烟",
        "zh_TW": "樓道好大瓦斯味",
        "en": "someone is trapped in the lift",
    }[locale]
    replies = await chat.text(text)
    [ticket] = await tickets(ctx)
    account = await chat.account()
    assert (ticket.urgency, ticket.resident_id, ticket.channel_account_id, ticket.description) == (
        "urgent",
        None,
        account.id,
        text,
    )
    assert "0731-88886666" in replies[0].text and ticket.ref in replies[0].text
    # No dispatch time is promised to someone the centre cannot identify yet.
    deadline = ticket.dispatch_due.astimezone(ctx.settings.tz).strftime("%H:%M")
    assert deadline not in texts(replies)
    await chat.text("5栋3单元" if locale != "en" else "Building 5 unit 3")
    async with ctx.sessions() as s:
        events = (
            (await s.execute(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id))).scalars().all()
        )
    assert [e.text for e in events][-1] in ("5栋3单元", "Building 5 unit 3")


@pytest.mark.parametrize(
    ("locale", "word"), [("zh_CN", "取消"), ("zh_CN", "算了不报了"), ("zh_TW", "唔使喇"), ("en", "cancel")]
)
async def test_cancel_typed_mid_flow_cancels_and_is_never_a_description(ctx, world, locale, word):
    chat = await bound_chat(ctx, world, locale=locale)
    await chat.tap("menu:repair")
    await chat.tap("cat:plumbing")
    await chat.tap("loc:home")
    replies = await chat.text(word)
    assert replies[0].text == tr(locale, CANCELLED)
    assert "menu:repair" in payloads(replies)
    assert await tickets(ctx) == []


async def test_a_doubtful_message_gets_choices_that_keep_the_words(ctx, world):
    chat = await bound_chat(ctx, world, locale="zh_CN")
    replies = await chat.text("那个东西又这样了")
    assert replies[0].text == tr("zh_CN", "Did you mean one of these?")
    offered = payloads(replies)
    assert 2 <= len([p for p in offered if p.startswith("intent:")]) <= 3 and "nav:menu" in offered
    replies = await chat.tap("intent:repair")
    assert replies[0].text == tr("zh_CN", "Where is the problem?")
    await chat.tap("loc:home")
    await chat.tap("nav:skip")
    await chat.tap("win:asap")
    await chat.tap("nav:yes")
    [ticket] = await tickets(ctx)
    assert ticket.description == "那个东西又这样了"


async def test_typed_words_pick_the_step_choice_they_name(ctx, world):
    chat = await bound_chat(ctx, world, locale="zh_CN")
    await chat.tap("menu:repair")
    await chat.tap("cat:door_window")
    replies = await chat.text("公共区域")
    assert replies[0].text == tr(
        "zh_CN", 'Please tell us exactly where, for example "Building 3, lift lobby on the ground floor".'
    )
    await chat.text("3栋大堂")
    await chat.text("单元门关不上")
    await chat.tap("nav:skip")
    await chat.text("尽快")
    replies = await chat.text("确认")
    [ticket] = await tickets(ctx)
    assert ticket.location_text == "3栋大堂" and ticket.ref in replies[0].text


async def test_an_unknown_word_at_a_choice_step_suggests_the_intent_it_names(ctx, world):
    chat = await bound_chat(ctx, world, locale="en")
    await chat.tap("menu:booking")
    replies = await chat.text("how much do I owe on my management fee")
    assert tr("en", DID_YOU_MEAN) in texts(replies)
    assert "intent:fees" in payloads(replies)


@pytest.mark.parametrize("locale", LOCALES)
async def test_a_report_started_before_binding_continues_after_it(ctx, world, locale):
    chat = Chat(ctx, "newcomer", locale_hint=locale)
    await chat.command("start")
    text = {"zh_CN": "卫生间马桶堵了", "zh_TW": "廁所馬桶塞住了", "en": "my toilet is blocked"}[locale]
    replies = await chat.text(text)
    assert replies[0].text == tr(locale, NEEDS_BINDING)
    async with ctx.sessions() as s, s.begin():
        code = await issue_binding_code(
            s, clock=ctx.clock, unit_id=world.unit.id, secret=ctx.settings.secret_key
        )
    replies = await chat.text(code)
    assert replies[-1].text == tr(locale, "Where is the problem?")
    await chat.tap("loc:home")
    await chat.tap("nav:skip")
    await chat.tap("win:asap")
    await chat.tap("nav:yes")
    [ticket] = await tickets(ctx)
    assert (ticket.description, ticket.category, ticket.resident_id) == (text, "plumbing", world.resident.id)


async def test_a_chat_unbound_while_reading_a_ticket_sees_nothing_more_of_it(ctx, world):
    chat = await bound_chat(ctx, world, locale="en")
    await chat.tap("menu:complaint")
    await chat.tap("cat:noise")
    await chat.text("Loud music every night from 2-301")
    await chat.tap("nav:skip")
    await chat.tap("nav:yes")
    await chat.tap("menu:tickets")
    [ticket] = await tickets(ctx)
    replies = await chat.tap(f"tk:{ticket.id}")
    assert ticket.ref in replies[0].text
    account = await chat.account()
    async with ctx.sessions() as s, s.begin():
        await unbind(s, clock=ctx.clock, account_id=account.id)
    replies = await chat.tap("tka:msg")
    assert replies[0].text == tr("en", NO_LONGER_BOUND)
    assert ticket.ref not in texts(replies) and "Loud music" not in texts(replies)
    assert payloads(replies)[0] == "menu:bind"


@pytest.mark.parametrize(
    ("locale", "text"), [("zh_CN", "转人工"), ("zh_TW", "我要搵真人"), ("en", "talk to a person")]
)
async def test_asking_for_a_person_passes_the_message_to_staff(ctx, world, locale, text):
    chat = await bound_chat(ctx, world, locale=locale)
    replies = await chat.text(text)
    assert "0731-88886666" in replies[0].text
    replies = await chat.text(
        "我家门禁卡丢了，想补办" if locale != "en" else "I lost my access card, how do I get a new one"
    )
    # The words go to the live chat the request opened (for an agent in the console), not to a bot flow.
    async with ctx.sessions() as s:
        live = (await s.execute(select(LiveChat))).scalar_one()
        lines = (
            (await s.execute(select(LiveMessage.text).where(LiveMessage.live_chat_id == live.id)))
            .scalars()
            .all()
        )
        assert (await s.get(ChannelAccount, live.channel_account_id)).external_id == chat.external_id
    assert lines[-1].startswith("我家门禁卡丢了" if locale != "en" else "I lost my access card")
    assert await tickets(ctx) == []


async def test_a_progress_question_in_the_middle_of_a_report_shows_my_requests(ctx, world):
    chat = await bound_chat(ctx, world, locale="zh_CN")
    await chat.tap("menu:complaint")
    await chat.tap("cat:noise")
    await chat.text("楼上每晚十二点后还在拖椅子")
    await chat.tap("nav:skip")
    await chat.tap("nav:yes")
    [ticket] = await tickets(ctx)
    await chat.tap("menu:booking")
    replies = await chat.text("我上次投诉楼上噪音的事处理得怎么样了，有进度吗")
    assert replies[0].text == tr("zh_CN", "Your requests — choose one to see its progress:")
    assert f"tk:{ticket.id}" in payloads(replies)
