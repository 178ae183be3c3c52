"""A resident's own requests in chat ("my requests"): each one's stage in words, what happens next and by when
in the estate's time, the technician, photos, the rating given, no internal lines, actions that stay; and the
bind prompt worded for the channel the resident uses. In every locale."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from dialogs.flows.binding import BIND_PROMPTS
from estate.core.rules import set_rule_overrides
from estate.residents.models import Estate
from estate.tickets.assignment import claim_ticket, dispatch_ticket
from estate.tickets.escalation import apply_escalations
from estate.tickets.messages import add_note
from estate.tickets.models import Attachment, Ticket
from estate.tickets.progress import resolve_ticket
from estate.tickets.surveys import record_survey
from tests.support.dialogs import Chat, bound_chat, payloads, texts, tr, world_with_catalogue
from tests.support.factories import World, make_staff, make_ticket, make_world

LOCALES = ["zh_CN", "zh_TW", "en"]
RATING = "Your rating: overall {overall}/5, speed {speed}/5, attitude {attitude}/5"
TOKYO = ZoneInfo("Asia/Tokyo")
NOTE = "Resident called three times, supervisor to ring back"


@pytest.fixture
async def world(ctx) -> World:
    return await world_with_catalogue(ctx, ctx.clock.now())


def my_chat(ctx, locale: str, channel: str = "webchat") -> Chat:
    """The chat of the world's resident (its account `ext-1` is bound already)."""
    return Chat(ctx, "ext-1", locale_hint=locale, channel=channel)


async def open_view(chat: Chat, ticket: Ticket) -> list:
    """The resident opens "my requests", then the ticket; returns the list's and the view's replies."""
    listing = await chat.tap("menu:tickets")
    return listing + await chat.tap(f"tk:{ticket.id}")


async def dispatched_to_technician(ctx, world: World, ticket: Ticket) -> None:
    """Customer service takes the ticket up and passes it to the technician Li Gong."""
    async with ctx.sessions() as s, s.begin():
        tech = await make_staff(
            s, "li.gong", "technician", department="engineering", estate_id=world.estate.id
        )
        tech.display_name = "Li Gong"
        await claim_ticket(s, clock=ctx.clock, ticket_id=ticket.id, staff_id=world.staff["agent"].id)
        ctx.clock.advance(minutes=10)
        await dispatch_ticket(
            s,
            clock=ctx.clock,
            ticket_id=ticket.id,
            staff_id=world.staff["agent"].id,
            department="engineering",
            technician_id=tech.id,
        )


async def resolved(ctx, world: World, ticket: Ticket) -> None:
    ctx.clock.advance(hours=2)
    async with ctx.sessions() as s, s.begin():
        await resolve_ticket(
            s,
            clock=ctx.clock,
            ticket_id=ticket.id,
            staff_id=world.staff["agent"].id,
            result="Washer replaced.",
        )


@pytest.mark.parametrize("locale", LOCALES)
async def test_a_reopened_and_escalated_ticket_shows_as_reopened_without_internal_lines(ctx, world, locale):
    ticket = await make_ticket(ctx, world)
    await dispatched_to_technician(ctx, world, ticket)
    await resolved(ctx, world, ticket)
    ctx.clock.advance(hours=1)
    async with ctx.sessions() as s, s.begin():  # a low rating reopens it for the supervisor (an escalation)
        await record_survey(
            s,
            clock=ctx.clock,
            ticket_id=ticket.id,
            resident_id=world.resident.id,
            overall=1,
            speed=1,
            attitude=1,
        )
        await add_note(
            s, clock=ctx.clock, ticket_id=ticket.id, staff_id=world.staff["supervisor"].id, text=NOTE
        )
    chat = my_chat(ctx, locale)
    replies = await open_view(chat, ticket)  # a new round: deadlines counted again from the reopening
    due = tr(locale, "Next: we pass it to the responsible department by {due}.", due="11-22 14:10")
    assert due in replies[-1].text
    ctx.clock.advance(hours=26)
    for _ in range(3):  # the deadlines passed: more escalations (recorded once however often the scan runs)
        async with ctx.sessions() as s, s.begin():
            await apply_escalations(s, clock=ctx.clock)
    await chat.command("start")  # a day later: the idle conversation was closed, the resident starts again
    replies = await open_view(chat, ticket)
    reopened = tr(locale, "Reopened, being followed up")
    assert f"{ticket.ref} · {reopened}" in [c.label for c in replies[0].choices]
    view = replies[-1].text
    assert view.startswith(tr(locale, "{ref}: {status}", ref=ticket.ref, status=reopened))
    late = "We are sorry this is taking longer than planned ({due}). We are following it up and will keep you informed."
    assert tr(locale, late, due="11-22 14:10") in view
    assert tr(locale, "Escalated to a manager") not in view
    assert "escalat" not in view.lower() and NOTE not in view
    assert [line for line in view.splitlines() if line.endswith(tr(locale, "Reopened"))] == [
        "  · 11-22 13:10 " + tr(locale, "Reopened")
    ]  # one line in the timeline, once
    assert tr(locale, RATING, overall=1, speed=1, attitude=1) in view
    assert tr(locale, "Technician: {name}", name="Li Gong") not in view  # back with customer service


@pytest.mark.parametrize("locale", LOCALES)
async def test_the_technician_name_and_deadlines_in_the_estate_time(ctx, world, locale):
    async with ctx.sessions() as s, s.begin():
        (await s.get(Estate, world.estate.id)).timezone = "Asia/Tokyo"  # an hour ahead of Beijing
    ticket = await make_ticket(ctx, world)  # created 10:00 Beijing: to be dispatched within the hour
    chat = my_chat(ctx, locale)
    replies = await open_view(chat, ticket)
    assert f"{ticket.ref} · {tr(locale, 'Received')}" in [c.label for c in replies[0].choices]
    due = tr(locale, "Next: we pass it to the responsible department by {due}.", due="11-22 12:00")
    assert due in replies[-1].text
    ctx.clock.advance(hours=2)
    replies = await chat.tap("nav:back")
    replies = await chat.tap(f"tk:{ticket.id}")
    late = "We are sorry this is taking longer than planned ({due}). We are following it up and will keep you informed."
    assert tr(locale, late, due="11-22 12:00") in replies[-1].text
    await dispatched_to_technician(ctx, world, ticket)
    replies = await open_view(chat, ticket)
    waiting = tr(locale, "Waiting for the technician")
    assert f"{ticket.ref} · {waiting}" in [c.label for c in replies[0].choices]
    assert tr(locale, "Technician: {name}", name="Li Gong") in replies[-1].text
    async with ctx.sessions() as s:
        due = (
            await s.get(Ticket, ticket.id)
        ).resolve_due  # a repair's resolve deadline, where the rules give one
    expected = (
        tr(locale, "Next: it should be resolved by {due}.", due=f"{due.astimezone(TOKYO):%m-%d %H:%M}")
        if due
        else tr(locale, "Next: the staff in charge contact you to arrange a time.")
    )
    assert expected in replies[-1].text


@pytest.mark.parametrize("locale", LOCALES)
async def test_buttons_remain_after_urging_and_the_interval_comes_from_the_rules(ctx, world, locale):
    async with ctx.sessions() as s, s.begin():
        set_rule_overrides(await s.get(Estate, world.estate.id), {"urge_interval_minutes": 45})
    ticket = await make_ticket(ctx, world)
    chat = my_chat(ctx, locale)
    replies = await open_view(chat, ticket)
    assert payloads(replies[-1:]) == ["tka:msg", "tka:urge", "nav:back", "nav:menu"]
    replies = await chat.tap("tka:urge")
    assert replies[0].text == tr(
        locale, "We have reminded the staff handling {ref}. Thank you for your patience.", ref=ticket.ref
    )
    assert payloads(replies) == ["tka:msg", "nav:back", "nav:menu"]
    replies = await chat.tap("tka:urge")  # the old button, tapped again
    assert replies[0].text == tr(
        locale, "You urged this request a short while ago. Please try again in {minutes} minutes.", minutes=45
    )
    assert payloads(replies) == ["tka:msg", "nav:back", "nav:menu"]
    replies = await chat.tap("nav:back")
    assert f"tk:{ticket.id}" in payloads(replies)
    replies = await chat.tap(f"tk:{ticket.id}")
    assert tr(locale, "You can urge again after {time}.", time="11-22 10:45") in replies[-1].text
    assert tr(locale, "You urged") in replies[-1].text
    ctx.clock.advance(minutes=45)
    replies = await chat.tap("nav:back")
    replies = await chat.tap(f"tk:{ticket.id}")
    assert "tka:urge" in payloads(replies)


@pytest.mark.parametrize("locale", LOCALES)
async def test_rate_from_the_view_and_the_rating_shows_after(ctx, world, locale):
    ticket = await make_ticket(ctx, world)
    await dispatched_to_technician(ctx, world, ticket)
    await resolved(ctx, world, ticket)
    chat = my_chat(ctx, locale)
    replies = await open_view(chat, ticket)
    awaiting = tr(locale, "Resolved, awaiting your confirmation")
    assert f"{ticket.ref} · {awaiting}" in [c.label for c in replies[0].choices]
    assert "Washer replaced." in replies[-1].text
    assert payloads(replies[-1:]) == ["tka:msg", "tka:rate", "nav:back", "nav:menu"]
    replies = await chat.tap("tka:rate")
    assert f"survey:{ticket.id}:overall:5" in payloads(replies)
    await chat.tap(f"survey:{ticket.id}:overall:5")
    await chat.tap("rate:4")
    await chat.tap("rate:5")
    replies = await chat.tap("nav:skip")
    assert tr(locale, "Thank you for your feedback! It helps us serve you better.") in texts(replies)
    replies = await open_view(chat, ticket)
    assert f"{ticket.ref} · {tr(locale, 'Completed')}" in [c.label for c in replies[0].choices]
    assert tr(locale, RATING, overall=5, speed=4, attitude=5) in replies[-1].text
    assert "tka:rate" not in payloads(replies[-1:]) and "tka:urge" not in payloads(replies[-1:])


@pytest.mark.parametrize("locale", LOCALES)
async def test_photos_go_with_the_view_and_are_counted_where_the_channel_shows_none(ctx, locale):
    async with ctx.sessions() as s, s.begin():
        world = await make_world(s, at=ctx.clock.now(), channel="telegram")
    ticket = await make_ticket(ctx, world)
    telegram = Chat(ctx, "ext-1", locale_hint=locale, channel="telegram")
    web = await bound_chat(ctx, world, locale=locale, external_id="web-1")  # the same resident's web chat
    for chat in (telegram, web):
        await open_view(chat, ticket)
        await chat.tap("tka:msg")
        replies = await chat.photo()
        async with ctx.sessions() as s:
            rows = await s.execute(select(Attachment.id).where(Attachment.ticket_id == ticket.id))
            ids = list(rows.scalars())
        assert replies[-1].photos == ids
        counted = tr(locale, "Photos: {n}", n=len(ids)) in replies[-1].text
        assert counted == (chat is telegram)


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("channel", ["telegram", "wechat", "webchat"])
async def test_the_bind_prompt_fits_the_channel(ctx, world, locale, channel):
    chat = Chat(ctx, f"newcomer-{channel}", locale_hint=locale, channel=channel)
    await chat.command("start")
    replies = await chat.tap("menu:bind")
    prompt = replies[0]
    assert prompt.text == tr(locale, BIND_PROMPTS[channel])
    assert prompt.request_contact == (channel == "telegram")
    assert payloads([prompt]) == ["nav:cancel"]
    if channel == "telegram":
        assert "button" in tr("en", BIND_PROMPTS[channel])
    else:
        assert "Telegram" not in prompt.text and "button" not in tr("en", BIND_PROMPTS[channel])
