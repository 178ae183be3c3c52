"""Choices bound to the message that offered them, and clean drafts for each flow entered (issue #13 item 3)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from dialogs.engine import STALE
from dialogs.routing import NOT_UNDERSTOOD
from dialogs.types import Event, Reply
from estate.messaging.models import Conversation
from estate.tickets.models import Ticket
from tests.support.dialogs import Chat, bound_chat, first_payload, texts, tr, world_with_catalogue


@pytest.fixture
async def world(ctx):
    return await world_with_catalogue(ctx, ctx.clock.now())


def offer_of(replies: list[Reply], payload: str) -> int:
    """The offer of the reply that holds this choice."""
    offer = next(r.offer for r in replies if payload in [c.payload for c in r.choices])
    assert offer is not None
    return offer


async def tap(chat: Chat, payload: str, offer: int | None) -> list[Reply]:
    return await chat.send(Event(kind="choice", payload=payload, offer=offer, locale_hint=chat.locale_hint))


async def count_tickets(chat: Chat) -> int:
    async with chat.ctx.sessions() as s:
        return (await s.execute(select(func.count()).select_from(Ticket))).scalar_one()


async def draft(chat: Chat) -> dict:
    """The conversation's flow data without the engine's own keys."""
    account = await chat.account()
    async with chat.ctx.sessions() as s:
        conv = (
            await s.execute(select(Conversation).where(Conversation.channel_account_id == account.id))
        ).scalar_one()
    return {k: v for k, v in conv.data.items() if not k.startswith("_")}


async def repair_described(chat: Chat, words: str) -> None:
    """A repair in the resident's home, described, at the photo step."""
    await chat.tap("menu:repair")
    await chat.tap("cat:plumbing")
    await chat.tap("loc:home")
    await chat.text(words)


async def repair_at_confirm(chat: Chat) -> list[Reply]:
    await repair_described(chat, "Kitchen sink drains slowly")
    await chat.tap("nav:done")
    return await chat.tap("win:asap")


async def test_replies_with_choices_carry_the_conversation_version_and_others_none(ctx, world):
    chat = await bound_chat(ctx, world, locale="en")
    replies = await chat.tap("menu:contact")
    with_choices = [r for r in replies if r.choices]
    assert with_choices and all(r.offer is not None for r in with_choices)
    assert all(r.offer is None for r in replies if not r.choices)
    assert "offer" not in Reply("plain").as_dict()
    async with ctx.sessions() as s:
        version = (await s.execute(select(Conversation.version))).scalar_one()
    assert {r.offer for r in with_choices} == {version}


async def test_a_double_tap_on_confirm_files_one_request(ctx, world):
    chat = await bound_chat(ctx, world, locale="en")
    summary = await repair_at_confirm(chat)
    offer = offer_of(summary, "nav:yes")
    first = await tap(chat, "nav:yes", offer)
    assert "BX-" in first[0].text
    second = await tap(chat, "nav:yes", offer)
    assert second[0].text == tr("en", STALE)
    assert "BX-" not in texts(second)
    assert second[1].text.startswith("Hello, this is the Star City customer service centre")  # where we are
    assert await count_tickets(chat) == 1


async def test_a_stale_choice_shows_the_current_step_and_moves_nothing(ctx, world):
    chat = await bound_chat(ctx, world, locale="zh_CN")
    menu = await chat.tap("nav:menu")
    old = offer_of(menu, "menu:complaint")
    await tap(chat, "menu:repair", old)
    located = await chat.tap("cat:plumbing")
    replies = await tap(chat, "menu:complaint", old)  # the menu above, tapped again
    assert replies[0].text == tr("zh_CN", STALE)
    assert replies[1].text == located[-1].text  # "where is the problem?" again, with its choices
    assert [c.payload for c in replies[1].choices] == [c.payload for c in located[-1].choices]
    assert replies[1].offer is not None and replies[1].offer > old
    moved = await tap(chat, "loc:home", replies[1].offer)  # the choices just shown work
    assert moved[0].text == tr("zh_CN", "Please describe the problem.")


async def test_a_choice_without_an_offer_acts_as_before(ctx, world):
    chat = await bound_chat(ctx, world, locale="en")
    await chat.tap("menu:repair")
    replies = await chat.tap("cat:plumbing")
    assert replies[0].text == tr("en", "Where is the problem?")
    assert (await chat.tap("bogus:1"))[0].text == tr("en", NOT_UNDERSTOOD)


async def test_a_new_report_does_not_take_the_words_of_an_earlier_draft(ctx, world):
    chat = await bound_chat(ctx, world, locale="zh_CN")
    await repair_described(chat, "卫生间地漏有点慢")  # the words of a first draft
    replies = await chat.tap("menu:repair")  # the menu's button again: a new report
    await chat.tap(first_payload(replies, "cat:"))
    replies = await chat.tap("loc:home")
    assert replies[0].text == tr("zh_CN", "Please describe the problem.")  # asked, not taken from before
    await chat.text("阳台灯不亮")
    await chat.tap("nav:done")
    await chat.tap("win:asap")
    await chat.tap("nav:yes")
    async with ctx.sessions() as s:
        assert (await s.execute(select(Ticket.description))).scalars().all() == ["阳台灯不亮"]


async def test_another_flow_starts_without_the_draft_of_the_one_left(ctx, world):
    chat = await bound_chat(ctx, world, locale="en")
    await repair_described(chat, "Kitchen sink drains slowly")
    assert (await draft(chat))["description"] == "Kitchen sink drains slowly"
    await chat.tap("menu:complaint")
    assert await draft(chat) == {}
    await chat.tap("menu:booking")
    await chat.tap("nav:cancel")
    assert await draft(chat) == {}


async def test_words_that_start_a_flow_are_kept_for_it(ctx, world):
    chat = await bound_chat(ctx, world, locale="en")
    await chat.tap("menu:complaint")
    await chat.tap("nav:cancel")
    replies = await chat.text("The bedroom ceiling light does not work")
    assert replies[-1].text == tr("en", "Where is the problem?")
    assert (await draft(chat))["description"] == "The bedroom ceiling light does not work"
