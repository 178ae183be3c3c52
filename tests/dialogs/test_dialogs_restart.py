"""A half-finished report survives the process: a new engine and session pick the conversation up."""

from __future__ import annotations

import re

from sqlalchemy import select

from estate.core.context import Context
from estate.core.db import make_engine, make_sessionmaker
from estate.tickets.models import Ticket
from tests.support.dialogs import Chat, bound_chat, world_with_catalogue


async def test_restart_in_the_middle_of_a_repair_report(ctx, settings, clock, tmp_path):
    world = await world_with_catalogue(ctx, clock.now())
    chat = await bound_chat(ctx, world, locale="en")
    await chat.tap("menu:repair")
    await chat.tap("cat:door_window")
    await chat.tap("loc:home")
    await chat.text("Balcony door does not close")
    url = ctx.engine.url.render_as_string(hide_password=False)
    await ctx.engine.dispose()  # the process goes away: nothing of it is kept but the database

    engine = make_engine(url)
    fresh = Context(settings=settings, engine=engine, sessions=make_sessionmaker(engine), clock=clock)
    again = Chat(fresh, chat.external_id, locale_hint="en")
    replies = await again.tap("nav:skip")
    assert "win:asap" in [c.payload for c in replies[0].choices]
    await again.tap("win:evening")
    replies = await again.tap("nav:yes")
    ref = re.search(r"BX-\d{8}-\d{4}", replies[0].text).group(0)
    async with fresh.sessions() as s:
        ticket = (await s.execute(select(Ticket).where(Ticket.ref == ref))).scalar_one()
    await engine.dispose()
    assert (ticket.category, ticket.description) == ("door_window", "Balcony door does not close")
