"""Scripted conversations for every flow, in every locale, with wrong input at every step."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from dialogs.engine import NEEDS_BINDING
from dialogs.routing import CANCELLED, NOT_UNDERSTOOD
from dialogs.types import Event
from estate.billing.bills import generate_monthly_bills
from estate.bookings.models import Booking
from estate.residents.models import Resident
from estate.tickets.models import Attachment, Ticket
from estate.tickets.progress import resolve_ticket
from tests.support.dialogs import Chat, bound_chat, first_payload, payloads, texts, tr, world_with_catalogue

LOCALES = ["zh_CN", "zh_TW", "en"]
REF = re.compile(r"\b(BX|TS|ZX|JY|FW)-\d{8}-\d{4}\b")


async def wrong(chat: Chat, locale: str | None) -> None:
    """A tap on a button that means nothing here, and gibberish: both get the polite fallback, nothing moves."""
    for attempt in (chat.tap("bogus:42"), chat.send(Event(kind="contact", locale_hint=chat.locale_hint))):
        replies = await attempt
        assert replies[0].text == tr(locale, NOT_UNDERSTOOD)
        assert len(replies) >= 2  # the step's question is asked again


@pytest.fixture
async def world(ctx):
    return await world_with_catalogue(ctx, ctx.clock.now())


@pytest.mark.parametrize("locale", LOCALES)
async def test_greeting_in_the_standard_phrase_and_unbound_limits(ctx, world, locale):
    chat = Chat(ctx, "stranger", locale_hint=locale)
    replies = await chat.command("start")
    assert replies[0].text.startswith(
        tr(
            locale,
            "Hello, this is the {estate} customer service centre. How may I help you?",
            estate="Star City",
        )
    )
    assert payloads(replies) == ["menu:bind", "intent:human", "menu:contact", "menu:lang"]
    replies = await chat.tap("menu:repair")
    assert replies[0].text == tr(locale, NEEDS_BINDING)
    replies = await chat.tap("menu:contact")
    assert "0731-88886666" in replies[0].text


@pytest.mark.parametrize("locale", LOCALES)
async def test_binding_counts_wrong_codes_and_locks(ctx, world, locale):
    chat = Chat(ctx, "guesser", locale_hint=locale)
    await chat.command("start")
    await chat.tap("menu:bind")
    replies = await chat.text("AAAA2222")
    assert replies[0].text == tr(
        locale, "Sorry, that code is not right. Please check it and try again ({n} attempts left).", n=4
    )
    for _ in range(3):
        await chat.text("AAAA2222")
    replies = await chat.text("AAAA2222")
    assert replies[0].text.startswith(
        tr(locale, "Sorry, that code is not right. Please check it and try again ({n} attempts left).", n=0)
    )
    replies = await chat.tap("menu:bind")
    replies = await chat.text("BBBB3333")
    assert replies[0].text == tr(
        locale,
        "Too many wrong attempts. For your security, please try again in {minutes} minutes "
        "or visit the front desk.",
        minutes=60,
    )
    assert (await chat.account()).resident_id is None


@pytest.mark.parametrize("locale", LOCALES)
async def test_bind_with_a_code_then_unbind(ctx, world, locale):
    chat = await bound_chat(ctx, world, locale=locale)
    assert tr(
        locale,
        "Thank you, {name}! This chat is now bound to your home {unit}.",
        name="Zhang San",
        unit="1-101",
    ) in texts(chat.transcript)
    assert "menu:repair" in payloads(chat.transcript[-1:])
    await chat.tap("menu:unbind")
    replies = await chat.tap("nav:yes")
    assert replies[0].text == tr(locale, "This chat is no longer bound to your home.")
    assert (await chat.account()).resident_id is None


@pytest.mark.parametrize("locale", LOCALES)
async def test_report_a_repair_with_photos(ctx, world, locale):
    chat = await bound_chat(ctx, world, locale=locale)
    await chat.tap("menu:repair")
    await wrong(chat, locale)
    await chat.tap("cat:plumbing")
    await wrong(chat, locale)
    await chat.tap("loc:home")
    await wrong(chat, locale)
    await chat.text("Kitchen sink drains slowly")
    await wrong(chat, locale)
    await chat.photo()
    replies = await chat.photo()
    assert replies[0].text == tr(locale, "Photo {n} received. Send another, or tap Done.", n=2)
    await chat.tap("nav:done")
    await wrong(chat, locale)
    replies = await chat.tap("win:morning")
    summary = replies[0].text
    assert tr(locale, "Photos: {n}", n=2) in summary and tr(locale, "Urgent: no") in summary
    await wrong(chat, locale)
    replies = await chat.tap("nav:yes")
    ref = REF.search(replies[0].text).group(0)
    assert ref.startswith("BX-")
    async with ctx.sessions() as s:
        ticket = (await s.execute(select(Ticket).where(Ticket.ref == ref))).scalar_one()
        photos = (
            await s.execute(
                select(func.count()).select_from(Attachment).where(Attachment.ticket_id == ticket.id)
            )
        ).scalar_one()
    assert (ticket.category, ticket.unit_id, ticket.urgency, photos) == (
        "plumbing",
        world.unit.id,
        "normal",
        2,
    )
    assert ticket.preferred_window == tr(locale, "This morning (9:00–12:00)")
    deadline = (ticket.dispatch_due).astimezone(ctx.settings.tz).strftime("%Y-%m-%d %H:%M")
    assert deadline in replies[0].text


@pytest.mark.parametrize(
    ("locale", "text", "category"),
    [
        ("zh_CN", "卫生间的水龙头一直滴水，不急", "plumbing"),
        ("zh_TW", "廚房水龍頭關不緊，有空再來修", "plumbing"),
        ("en", "The bedroom ceiling light does not work", "electrical"),
    ],
)
async def test_free_text_at_the_menu_starts_a_repair_with_its_words(ctx, world, locale, text, category):
    chat = await bound_chat(ctx, world, locale=locale)
    replies = await chat.text(text)
    assert replies[0].text == tr(locale, "Where is the problem?")
    assert "loc:home" in payloads(replies)
    await chat.tap("loc:common")
    await chat.text("3号楼一楼" if locale != "en" else "Building 3 lobby")
    await chat.tap("nav:skip")
    await chat.tap("win:asap")
    replies = await chat.tap("nav:yes")
    async with ctx.sessions() as s:
        ticket = (await s.execute(select(Ticket))).scalar_one()
    assert (ticket.category, ticket.urgency, ticket.unit_id, ticket.description) == (
        category,
        "normal",
        None,
        text,
    )
    assert ticket.dispatch_due - ticket.created_at == timedelta(minutes=60)
    assert ticket.ref in replies[0].text


@pytest.mark.parametrize(
    ("locale", "text", "category"),
    [
        ("zh_CN", "我要投诉楼下广场舞太吵", "noise"),
        ("en", "I want to complain about the noise from the square dancing", "noise"),
        ("zh_TW", "啲保安好串，態度好差", "service_attitude"),
    ],
)
async def test_a_complaint_in_free_text_keeps_its_words_and_category(ctx, world, locale, text, category):
    chat = await bound_chat(ctx, world, locale=locale)
    replies = await chat.text(text)
    assert replies[0].text == tr(
        locale, 'You wrote: "{text}". Type more details to replace it, or tap Skip to keep it.', text=text
    )
    await chat.tap("nav:skip")
    await chat.tap("nav:skip")
    await chat.tap("nav:yes")
    async with ctx.sessions() as s:
        ticket = (await s.execute(select(Ticket))).scalar_one()
    assert (ticket.kind, ticket.category, ticket.description) == ("complaint", category, text)


@pytest.mark.parametrize(
    ("locale", "text", "expect"),
    [
        ("zh_CN", "物业费", "fees"),
        ("zh_TW", "我的欠費", "fees"),
        ("en", "how much property fee do I owe", "fees"),
        ("en", "hello there", "menu"),
    ],
)
async def test_free_text_routing(ctx, world, locale, text, expect):
    chat = await bound_chat(ctx, world, locale=locale)
    replies = await chat.text(text)
    if expect == "fees":
        assert replies[0].text.startswith(tr(locale, "Fees of {unit}", unit="1-101"))
    else:
        assert replies[0].text.startswith(
            tr(
                locale,
                "Hello, this is the {estate} customer service centre. How may I help you?",
                estate="Star City",
            )
        )
        assert "menu:repair" in payloads(replies)


@pytest.mark.parametrize("locale", LOCALES)
async def test_file_a_complaint_with_the_seed_promise_and_same_day_deadline(ctx, world, locale):
    chat = await bound_chat(ctx, world, locale=locale)
    await chat.tap("menu:complaint")
    await wrong(chat, locale)
    await chat.tap("cat:sanitation")
    await wrong(chat, locale)
    await chat.text("Rubbish bins not emptied for two days")
    await chat.tap("nav:skip")
    await wrong(chat, locale)
    replies = await chat.tap("nav:yes")
    text = replies[0].text
    assert REF.search(text).group(0).startswith("TS-")
    assert (
        tr(
            locale,
            "We will deal with the problem you reported right away and reply to you as soon as possible.",
        )
        in text
    )
    assert "2026-11-23 00:00" in text  # before the end of the local day


@pytest.mark.parametrize("locale", LOCALES)
async def test_book_a_paid_service_then_cancel_it(ctx, world, locale):
    chat = await bound_chat(ctx, world, locale=locale)
    replies = await chat.tap("menu:booking")
    assert "¥120.00" in texts([]) + " ".join(c.label for r in replies for c in r.choices)
    await wrong(chat, locale)
    replies = await chat.tap(first_payload(replies, "svc:"))
    await wrong(chat, locale)
    tomorrow = (ctx.clock.now().astimezone(ctx.settings.tz) + timedelta(days=1)).date().isoformat()
    replies = await chat.tap(f"day:{tomorrow}")
    assert tr(locale, "{time} ({n} left)", time="09:00", n=2) in [c.label for c in replies[0].choices]
    await wrong(chat, locale)
    await chat.tap(first_payload(replies, "slot:"))
    await wrong(chat, locale)
    replies = await chat.tap("nav:skip")
    assert "¥120.00" in replies[0].text
    await wrong(chat, locale)
    replies = await chat.tap("nav:yes")
    ref = REF.search(replies[0].text).group(0)
    await chat.tap("menu:booking")
    replies = await chat.tap("bk:mine")
    assert ref in replies[0].text
    await chat.tap(first_payload(replies, "bkc:"))
    replies = await chat.tap("nav:yes")
    assert replies[0].text == tr(locale, "Your booking {ref} has been cancelled.", ref=ref)
    async with ctx.sessions() as s:
        assert (await s.execute(select(Booking.status))).scalar_one() == "cancelled"


async def test_a_full_day_is_said_so(ctx, world):
    chat = await bound_chat(ctx, world)
    replies = await chat.tap("menu:booking")
    await chat.tap(first_payload(replies, "svc:"))
    far = (ctx.clock.now() + timedelta(days=5)).astimezone(ctx.settings.tz).date().isoformat()
    replies = await chat.tap(f"day:{far}")
    assert replies[0].text == tr(
        None, "Sorry, there is no free time left on that day. Please choose another day."
    )


@pytest.mark.parametrize("locale", LOCALES)
async def test_check_fees(ctx, world, locale):
    async with ctx.sessions() as s, s.begin():
        await generate_monthly_bills(s, clock=ctx.clock, estate_id=world.estate.id, period="2026-10")
        await generate_monthly_bills(s, clock=ctx.clock, estate_id=world.estate.id, period="2026-11")
    chat = await bound_chat(ctx, world, locale=locale)
    replies = await chat.tap("menu:fees")
    text = replies[0].text
    assert tr(locale, "Outstanding, {total} in all:", total="¥327.46") in text
    assert "2026-10: ¥163.73 " + tr(locale, "({days} days overdue)", days=38) in text
    assert tr(locale, "Prepaid balance: {amount}", amount="¥0.00") in text
    assert "Management fee: ¥163.73" in text


@pytest.mark.parametrize("locale", LOCALES)
async def test_my_tickets_message_and_urge(ctx, world, locale):
    chat = await bound_chat(ctx, world, locale=locale)
    await chat.text("the lift is broken" if locale == "en" else "电梯坏了")
    await chat.tap("loc:common")
    await chat.text("Building 1")
    await chat.tap("nav:skip")
    await chat.tap("win:asap")
    await chat.tap("nav:yes")
    replies = await chat.tap("menu:tickets")
    await wrong(chat, locale)
    replies = await chat.tap(first_payload(replies, "tk:"))
    assert tr(locale, "Received") in replies[0].text
    replies = await chat.tap("tka:urge")
    ref = REF.search(replies[0].text).group(0)
    replies = await chat.tap("tka:urge")
    assert replies[0].text == tr(
        locale, "You urged this request a short while ago. Please try again in {minutes} minutes.", minutes=30
    )
    await chat.tap("tka:msg")
    replies = await chat.text("Please call before coming")
    assert replies[0].text == tr(
        locale, "Thank you, it has been added to {ref}. Our staff will see it.", ref=ref
    )


@pytest.mark.parametrize("locale", LOCALES)
async def test_answer_the_survey_and_a_low_rating_reopens(ctx, world, locale):
    chat = await bound_chat(ctx, world, locale=locale)
    await chat.tap("menu:feedback")
    await chat.tap("fb:inquiry")
    await chat.text("When is the water tank cleaned?")
    async with ctx.sessions() as s, s.begin():
        ticket = (await s.execute(select(Ticket))).scalar_one()
        await resolve_ticket(
            s, clock=ctx.clock, ticket_id=ticket.id, staff_id=world.staff["agent"].id, result="Next Saturday."
        )
    replies = await chat.tap(f"survey:{ticket.id}:overall:2")
    assert replies[0].text == tr(
        locale,
        "How satisfied are you with how quickly we dealt with it? (1 = very dissatisfied, 5 = very satisfied)",
    )
    await wrong(chat, locale)
    await chat.text("3")
    await chat.tap("rate:4")
    await wrong(chat, locale)
    replies = await chat.text("Too slow")
    assert replies[0].text == tr(
        locale,
        "We are sorry we did not meet your expectations. A supervisor will look into it and contact you.",
    )
    again = await chat.tap(f"survey:{ticket.id}:overall:5")
    await chat.tap("rate:5")
    await chat.tap("rate:5")
    again = await chat.tap("nav:skip")
    assert again[0].text == tr(locale, "Thank you, this survey has already been answered.")
    async with ctx.sessions() as s:
        ticket = await s.get(Ticket, ticket.id)
    assert ticket.status == "new" and ticket.reopen_count == 1 and ticket.kind == "inquiry"


@pytest.mark.parametrize("locale", LOCALES)
async def test_language_switch_is_remembered_for_the_resident(ctx, world, locale):
    chat = await bound_chat(ctx, world)
    await chat.command("lang")
    await wrong(chat, None)
    replies = await chat.tap(f"lang:{locale}")
    assert replies[0].text == tr(locale, "The language is now English.")
    assert replies[1].text.startswith(
        tr(
            locale,
            "Hello, this is the {estate} customer service centre. How may I help you?",
            estate="Star City",
        )
    )
    async with ctx.sessions() as s:
        assert (await s.get(Resident, world.resident.id)).locale == locale


async def test_back_and_cancel(ctx, world):
    chat = await bound_chat(ctx, world, locale="en")
    await chat.tap("menu:repair")
    await chat.tap("cat:electrical")
    replies = await chat.tap("nav:back")
    assert "cat:plumbing" in payloads(replies)
    await chat.tap("cat:electrical")
    await chat.tap("loc:home")
    replies = await chat.tap("nav:cancel")
    assert replies[0].text == tr("en", CANCELLED)
    async with ctx.sessions() as s:
        assert (await s.execute(select(func.count()).select_from(Ticket))).scalar_one() == 0


async def test_idle_conversation_expires_politely_and_confirmed_work_stays(ctx, world):
    chat = await bound_chat(ctx, world, locale="en")
    await chat.tap("menu:feedback")
    await chat.tap("fb:suggestion")
    await chat.text("More benches in the garden")
    await chat.tap("menu:repair")
    await chat.tap("cat:electrical")
    ctx.clock.advance(hours=25)
    replies = await chat.tap("loc:home")
    assert replies[0].text.startswith("Our previous conversation was idle for a day")
    assert "menu:repair" in payloads(replies)
    async with ctx.sessions() as s:
        kinds = (await s.execute(select(Ticket.kind))).scalars().all()
    assert kinds == ["suggestion"]
