"""The queue page (issue #14): search, SLA-first order with badges in words, numbered pages that refresh in
place, unread markers, a department's pool for its technicians, saved filters, bulk claim for the leads."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select

from estate.tickets.assignment import dispatch_ticket
from estate.tickets.messages import add_resident_message
from estate.tickets.models import Ticket
from tests.support.console import console_client, console_world, sign_in
from tests.support.factories import make_ticket

EN = {"accept-language": "en"}


@pytest.fixture
async def world(ctx):
    return await console_world(ctx)


def client_for(ctx) -> httpx.AsyncClient:
    return console_client(ctx, **EN)


def refs_in(html: str) -> list[str]:
    return re.findall(r'href="/console/tickets/\d+">([^<]+)</a>', html)


async def test_search_box_finds_a_chinese_word_and_the_callers_phone(ctx, world):
    leak = await make_ticket(ctx, world, "卫生间天花板漏水严重")
    other = await make_ticket(ctx, world, "Tap drips")
    async with client_for(ctx) as c:
        await sign_in(c, "agent")
        page = (await c.get("/console/tickets", params={"q": "漏水"})).text
        assert refs_in(page) == [leak.ref]
        assert 'value="漏水"' in page  # the box keeps the words
        assert set(refs_in((await c.get("/console/tickets", params={"q": "138 0013 8000"})).text)) == {
            leak.ref,
            other.ref,
        }
        assert refs_in((await c.get("/console/tickets", params={"q": other.ref})).text) == [other.ref]
        assert "No tickets match." in (await c.get("/console/tickets", params={"q": "电梯困人"})).text


async def test_overdue_urgent_work_is_on_top_with_its_time_in_words(ctx, world):
    start = ctx.clock.now()
    ctx.clock.set(start - timedelta(hours=2))
    late = await make_ticket(ctx, world, "Leak under the sink", category_code="water_leak", urgency="urgent")
    ctx.clock.set(start)
    for i in range(4):
        await make_ticket(ctx, world, f"Question {i}", kind="inquiry", category_code="general")
    fresh = await make_ticket(ctx, world, "Tap drips")
    async with client_for(ctx) as c:
        await sign_in(c, "agent")
        page = (await c.get("/console/tickets")).text
    assert refs_in(page)[:2] == [late.ref, fresh.ref]
    assert "1 h overdue" in page  # due 15 minutes after it came in, 1 h 45 min ago
    assert "1 h left" in page  # the tap: due an hour after it came in
    assert "24 h left" in page  # the inquiries


async def test_the_refresh_keeps_the_page_being_read(ctx, world, monkeypatch):
    import console.queue as desk_queue

    tickets = [await make_ticket(ctx, world, f"T{i}") for i in range(3)]
    monkeypatch.setattr(desk_queue, "PAGE_SIZE", 2)
    async with client_for(ctx) as c:
        await sign_in(c, "agent")
        second = (await c.get("/console/tickets", params={"page": "2", "q": "T"})).text
        refresh = re.search(r'hx-get="([^"]+)"', second.split('id="rows"')[1]).group(1).replace("&amp;", "&")
        assert "page=2" in refresh and "q=T" in refresh
        rows = (await c.get(refresh)).text
    assert refs_in(rows) == [tickets[2].ref]
    assert "<html" not in rows  # a fragment: only the rows
    assert 'rel="prev"' in second


async def test_resident_activity_shows_an_unread_dot_until_the_ticket_is_opened(ctx, world):
    ticket = await make_ticket(ctx, world, "Tap drips")
    async with ctx.sessions() as s, s.begin():
        await add_resident_message(
            s, clock=ctx.clock, ticket_id=ticket.id, resident_id=world.resident.id, text="Still dripping"
        )
    async with client_for(ctx) as c:
        await sign_in(c, "agent")
        assert 'aria-label="New from the resident"' in (await c.get("/console/tickets")).text
        await c.get(f"/console/tickets/{ticket.id}")
        assert "New from the resident" not in (await c.get("/console/tickets")).text
    async with client_for(ctx) as c:
        await sign_in(c, "agent2")  # read marks are each staff member's own
        assert 'aria-label="New from the resident"' in (await c.get("/console/tickets")).text


async def test_a_department_only_dispatch_reaches_that_departments_technicians(ctx, world):
    ticket = await make_ticket(ctx, world, "Tap drips")
    async with ctx.sessions() as s, s.begin():
        await dispatch_ticket(
            s,
            clock=ctx.clock,
            ticket_id=ticket.id,
            staff_id=world.staff["agent"].id,
            department="engineering",
        )
    async with client_for(ctx) as c:
        await sign_in(c, "plumber")  # engineering, not named on the ticket
        page = (await c.get("/console/tickets")).text
        assert (await c.get(f"/console/tickets/{ticket.id}")).status_code == 200
    assert refs_in(page) == [ticket.ref]
    assert "h left" in page  # a dispatched repair has its deadline too


async def test_saved_filters_come_back_for_the_same_staff_member(ctx, world):
    await make_ticket(ctx, world, "Tap drips")
    question = await make_ticket(
        ctx, world, "When is the pool open?", kind="inquiry", category_code="general"
    )
    async with client_for(ctx) as c:
        await sign_in(c, "agent")
        await c.get("/console/tickets", params={"kind": "inquiry", "save": "1"})
        assert refs_in((await c.get("/console/tickets")).text) == [question.ref]
        assert len(refs_in((await c.get("/console/tickets?reset=1&status=open")).text)) == 2
        assert len(refs_in((await c.get("/console/tickets")).text)) == 2


async def test_a_supervisor_claims_tickets_in_bulk_for_an_agent(ctx, world):
    tickets = [await make_ticket(ctx, world, f"T{i}") for i in range(3)]
    agent2 = world.staff["agent2"]
    async with client_for(ctx) as c:
        csrf = await sign_in(c, "agent")
        assert 'name="ids"' not in (await c.get("/console/tickets")).text
        r = await c.post("/console/tickets/bulk", data={"csrf": csrf, "ids": [tickets[0].id]})
        assert r.status_code == 403
    async with client_for(ctx) as c:
        csrf = await sign_in(c, "supervisor")
        assert 'name="ids"' in (await c.get("/console/tickets")).text
        data = {"csrf": csrf, "ids": [tickets[0].id, tickets[1].id], "assignee": str(agent2.id)}
        r = await c.post("/console/tickets/bulk", data=data)
        assert r.status_code == 303
    async with ctx.sessions() as s:
        held = dict((await s.execute(select(Ticket.id, Ticket.assignee_id))).all())
    assert held == {tickets[0].id: agent2.id, tickets[1].id: agent2.id, tickets[2].id: None}
