"""Binding hardening (issue 11, items 6 and 7): limits per client address and overall, non-codes are not
guesses, and a code raced by many accounts binds exactly one of them."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from sqlalchemy import func, select

from desk.app import create_app
from estate.core.context import Context
from estate.core.db import make_sessionmaker
from estate.messaging.accounts import get_or_create_account
from estate.messaging.models import ChannelAccount
from estate.residents.binding import bind_with_code
from estate.residents.codes import issue_binding_code
from estate.residents.models import BindingAttempt, BindingCode
from tests.support.dialogs import Chat, tr, world_with_catalogue
from tests.support.factories import make_world

BUSY = (
    "Too many binding attempts have been made recently. For residents' security, please try again "
    "later or visit the front desk."
)
NOT_A_CODE = "That does not look like a binding code: it has 8 letters and digits. Please type it again."


@pytest.fixture
async def client(ctx):
    app = create_app(ctx)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        yield c


async def _guess_in_a_new_session(client, code: str, guesses: int = 1) -> list[str]:
    r = await client.post("/chat/api/session")
    h = {"X-Chat-Session": r.json()["session"], "Accept-Language": "en"}
    await client.post("/chat/api/send", json={"choice": "menu:bind"}, headers=h)
    texts = []
    for _ in range(guesses):
        r = await client.post("/chat/api/send", json={"text": code}, headers=h)
        texts.append(r.json()["replies"][0]["text"])
    return texts


async def test_a_new_web_chat_session_per_few_guesses_does_not_escape_the_limit(ctx, client):
    world = await world_with_catalogue(ctx, ctx.clock.now())
    async with ctx.sessions() as s, s.begin():
        code = await issue_binding_code(
            s, clock=ctx.clock, unit_id=world.unit.id, secret=ctx.settings.secret_key
        )
    limit = ctx.settings.binding_max_attempts_per_address
    per_session = ctx.settings.binding_max_attempts - 1  # always under the per-account limit
    answers: list[str] = []
    while len(answers) < limit:
        answers += await _guess_in_a_new_session(client, "WRONG234", per_session)
    assert all(a.startswith("Sorry, that code is not right") for a in answers[:limit])
    # From the same address, a fresh session is refused, even with the right code.
    refused = await _guess_in_a_new_session(client, code)
    assert refused == [tr("en", BUSY)]
    async with ctx.sessions() as s:
        bound = (
            await s.execute(
                select(func.count())
                .select_from(ChannelAccount)
                .where(ChannelAccount.channel == "webchat", ChannelAccount.resident_id.is_not(None))
            )
        ).scalar_one()
        stored = (await s.execute(select(BindingCode))).scalar_one()
    assert bound == 1 and stored.used_at is None  # only the world's own account; the code is still unused
    ctx.clock.advance(minutes=ctx.settings.binding_window_minutes + 1)
    assert (await _guess_in_a_new_session(client, code))[0].startswith("Thank you, Zhang San!")


@pytest.mark.parametrize("locale", ["zh_CN", "zh_TW", "en"])
async def test_too_many_guesses_overall_lock_everybody_out_politely(ctx, locale):
    ctx.settings = ctx.settings.model_copy(update={"binding_max_attempts_global": 6})
    await world_with_catalogue(ctx, ctx.clock.now())
    for n in range(6):  # six different chats on a channel without addresses (Telegram, WeChat)
        chat = Chat(ctx, f"guesser-{n}", locale_hint=locale)
        await chat.tap("menu:bind")
        assert (await chat.text("WRONG234"))[0].text.startswith(
            tr(
                locale,
                "Sorry, that code is not right. Please check it and try again ({n} attempts left).",
                n=4,
            )
        )
    late = Chat(ctx, "guesser-late", locale_hint=locale)
    await late.tap("menu:bind")
    replies = await late.text("WRONG234")
    assert replies[0].text == tr(locale, BUSY)
    async with ctx.sessions() as s:
        assert (await s.execute(select(func.count()).select_from(BindingAttempt))).scalar_one() == 6


async def test_text_that_is_not_a_code_uses_up_no_attempt(ctx):
    world = await world_with_catalogue(ctx, ctx.clock.now())
    chat = Chat(ctx, "chatty", locale_hint="en")
    await chat.tap("menu:bind")
    for text in ("hello", "I want to bind my flat", "你好，请问怎么绑定", "1-101", "AB", "ABCD23456789"):
        replies = await chat.text(text)
        assert replies[0].text == NOT_A_CODE
    async with ctx.sessions() as s, s.begin():
        assert (await s.execute(select(func.count()).select_from(BindingAttempt))).scalar_one() == 0
        code = await issue_binding_code(
            s, clock=ctx.clock, unit_id=world.unit.id, secret=ctx.settings.secret_key
        )
    spaced = f"{code[:4].lower()}-{code[4:]}"
    assert (await chat.text(spaced))[0].text.startswith("Thank you, Zhang San!")


async def test_one_code_redeemed_by_twelve_accounts_at_once_binds_exactly_one(pg_engine, clock, settings):
    ctx = Context(settings=settings, engine=pg_engine, sessions=make_sessionmaker(pg_engine), clock=clock)
    async with ctx.sessions() as s, s.begin():
        world = await make_world(s, at=clock.now())
        code = await issue_binding_code(s, clock=clock, unit_id=world.unit.id, secret=settings.secret_key)
        ids = [
            (await get_or_create_account(s, clock=clock, channel="telegram", external_id=f"tg-{n}")).id
            for n in range(12)
        ]
    ready = asyncio.Barrier(len(ids))

    async def redeem(account_id: int):
        async with ctx.sessions() as s, s.begin():
            await s.execute(select(1))  # each redeemer holds its own connection before the race starts
            await ready.wait()  # all twelve hold an open transaction, then all redeem together
            return await bind_with_code(
                s, clock=clock, account_id=account_id, code=code, secret=settings.secret_key
            )

    results = await asyncio.gather(*(redeem(i) for i in ids))
    winners = [i for i, r in zip(ids, results, strict=True) if r.ok]
    assert len(winners) == 1
    assert sorted(r.reason for r in results) == ["ok"] + ["used"] * 11
    async with ctx.sessions() as s:
        bound = (
            await s.execute(select(ChannelAccount.id).where(ChannelAccount.resident_id == world.resident.id))
        ).scalars()
        stored = (await s.execute(select(BindingCode))).scalar_one()
    assert set(bound) == {world.account.id, winners[0]}
    assert stored.used_by_account_id == winners[0]
