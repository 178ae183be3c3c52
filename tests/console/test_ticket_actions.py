"""The ticket page and the status machine agree: in every status, the page offers exactly the actions the
ticket services accept (for a role that may take them all), and each role sees the part its role allows."""

from __future__ import annotations

import re

import httpx
import pytest
from sqlalchemy import select

from console.auth import ROUTE_ROLES
from desk.app import create_app
from estate.core.errors import DomainError
from estate.tickets.assignment import claim_ticket, dispatch_ticket
from estate.tickets.callbacks import record_callback
from estate.tickets.models import CallbackTask, Ticket, TicketStatus
from estate.tickets.progress import close_ticket, reopen_ticket, resolve_ticket, start_work
from estate.tickets.reclassify import reclassify_ticket
from estate.tickets.transitions import LEADS, TRANSITIONS, allowed_actions
from tests.support.console import console_world, sign_in
from tests.support.factories import make_ticket

S = TicketStatus
PAGE_ACTIONS = ("claim", "dispatch", "reclassify", "start", "resolve", "reopen", "close")
STEPS = {  # how a ticket reaches each status through the services
    S.NEW: (),
    S.CLAIMED: ("claim",),
    S.DISPATCHED: ("dispatch",),
    S.IN_PROGRESS: ("dispatch", "start"),
    S.RESOLVED: ("dispatch", "start", "resolve"),
    S.CALLBACK_DONE: ("dispatch", "start", "resolve", "callback"),
    S.CLOSED: ("dispatch", "start", "resolve", "close"),
}


@pytest.fixture
async def world(ctx):
    return await console_world(ctx)


async def act(s, ctx, world, ticket_id: int, action: str) -> None:
    """Take one action through its service, as the console's forms do."""
    clock, agent, supervisor = ctx.clock, world.staff["agent"].id, world.staff["supervisor"].id
    if action == "claim":
        await claim_ticket(s, clock=clock, ticket_id=ticket_id, staff_id=agent)
    elif action == "dispatch":
        tech = world.staff["plumber"].id
        await dispatch_ticket(
            s, clock=clock, ticket_id=ticket_id, staff_id=agent, department="engineering", technician_id=tech
        )
    elif action == "reclassify":
        await reclassify_ticket(
            s, clock=clock, ticket_id=ticket_id, staff_id=agent, kind="complaint", category_code="security"
        )
    elif action == "start":
        await start_work(s, clock=clock, ticket_id=ticket_id, staff_id=world.staff["plumber"].id)
    elif action == "resolve":
        await resolve_ticket(s, clock=clock, ticket_id=ticket_id, staff_id=agent, result="Fixed")
    elif action == "reopen":
        await reopen_ticket(s, clock=clock, ticket_id=ticket_id, staff_id=supervisor, reason="Still drips")
    elif action == "close":
        await close_ticket(s, clock=clock, ticket_id=ticket_id, staff_id=supervisor)
    elif action == "callback":
        task = (await s.execute(select(CallbackTask).where(CallbackTask.ticket_id == ticket_id))).scalar_one()
        await record_callback(
            s,
            clock=clock,
            callback_id=task.id,
            staff_id=agent,
            result_text="Happy",
            overall=5,
            speed=5,
            attitude=5,
        )
    else:
        raise AssertionError(action)


async def ticket_in(ctx, world, status: str) -> Ticket:
    ticket = await make_ticket(ctx, world)
    async with ctx.sessions() as s, s.begin():
        for step in STEPS[status]:
            await act(s, ctx, world, ticket.id, step)
    async with ctx.sessions() as s:
        ticket = await s.get(Ticket, ticket.id)
    assert ticket is not None and ticket.status == status
    return ticket


async def accepted(ctx, world, status: str) -> set[str]:
    """The page's actions the services accept for a ticket in `status` (a fresh ticket for each)."""
    ok = set()
    for action in PAGE_ACTIONS:
        ticket = await ticket_in(ctx, world, status)
        try:
            async with ctx.sessions() as s, s.begin():
                await act(s, ctx, world, ticket.id, action)
        except DomainError:
            continue
        ok.add(action)
    return ok


FORM = re.compile(r'action="/console/tickets/\d+/(\w+)"')


async def test_the_page_offers_exactly_what_the_services_accept(ctx, world):
    viewers = sorted(ROUTE_ROLES["ticket"])
    expected = {status: await accepted(ctx, world, status) for status in S}
    # The table says the same as the services.
    for status, ok in expected.items():
        probe = Ticket(status=status)
        assert set(allowed_actions(probe)) & set(PAGE_ACTIONS) == ok, status
    assert expected[S.NEW] == {"claim", "dispatch", "reclassify", "resolve"}
    assert expected[S.CLOSED] == {"reopen"}
    app = create_app(ctx)
    tickets = {status: await ticket_in(ctx, world, status) for status in S}
    for role in viewers:
        username = "plumber" if role == "technician" else role
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
            await sign_in(c, username)
            for status, ticket in tickets.items():
                page = await c.get(f"/console/tickets/{ticket.id}")
                if role == "technician" and ticket.technician_id is None:
                    assert page.status_code == 404  # not his work: he does not see it at all
                    continue
                assert page.status_code == 200, (role, status)
                offered = set(FORM.findall(page.text)) - {"reply", "note"}
                may = {a for a in PAGE_ACTIONS if role in ROUTE_ROLES[f"ticket.{a}"]}
                if status == S.CLOSED and role not in LEADS:
                    may.discard("reopen")  # a closed ticket is reopened by a supervisor or above only
                assert offered == expected[status] & may, (role, status)
    assert all(a in TRANSITIONS for a in PAGE_ACTIONS)


async def test_reopening_needs_a_reason_and_an_empty_one_changes_nothing(ctx, world):
    ticket = await ticket_in(ctx, world, S.CLOSED)
    app = create_app(ctx)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        csrf = await sign_in(c, "supervisor")
        c.cookies.set("desk_console_lang", "en")
        refused = await c.post(f"/console/tickets/{ticket.id}/reopen", data={"csrf": csrf, "reason": "  "})
        assert refused.status_code == 400
        assert "Please say why the ticket is reopened" in refused.text
        async with ctx.sessions() as s:
            assert (await s.get(Ticket, ticket.id)).status == S.CLOSED
        done = await c.post(
            f"/console/tickets/{ticket.id}/reopen", data={"csrf": csrf, "reason": "Still drips"}
        )
        assert done.status_code == 303
    async with ctx.sessions() as s:
        assert (await s.get(Ticket, ticket.id)).status != S.CLOSED


async def test_only_a_supervisor_or_above_reopens_a_closed_ticket(ctx, world):
    ticket = await ticket_in(ctx, world, S.CLOSED)
    app = create_app(ctx)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        csrf = await sign_in(c, "agent")
        c.cookies.set("desk_console_lang", "zh_CN")
        page = await c.get(f"/console/tickets/{ticket.id}")
        assert f"/console/tickets/{ticket.id}/reopen" not in page.text
        refused = await c.post(
            f"/console/tickets/{ticket.id}/reopen", data={"csrf": csrf, "reason": "Still drips"}
        )
        assert refused.status_code == 409
        assert "已关闭的工单只能由客服主管及以上人员处理" in refused.text
    async with ctx.sessions() as s:
        assert (await s.get(Ticket, ticket.id)).status == S.CLOSED
