"""Who may do what (issue #14): major complaints, dispatching a claimed ticket, urgent and estate-wide notices,
the bell's links per role, and the ticket page's form controls all labelled."""

from __future__ import annotations

import re

import httpx
import pytest
from sqlalchemy import func, select

from desk.app import create_app
from estate.core.clock import SystemClock
from estate.core.context import Context
from estate.messaging.models import Notice
from estate.staff.models import AuditLog
from estate.tickets.assignment import claim_ticket, dispatch_ticket
from estate.tickets.models import Escalation, Ticket
from estate.tickets.progress import resolve_ticket
from tests.browser.test_browser_console import sign_in as browser_sign_in
from tests.support.console import ROLES, console_world, live_world, sign_in
from tests.support.factories import make_ticket
from tests.support.live import serve_in_thread


@pytest.fixture
async def world(ctx):
    return await console_world(ctx)


def client(ctx) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(ctx)), base_url="http://t")


async def signed_in(c: httpx.AsyncClient, username: str) -> str:
    csrf = await sign_in(c, username)
    c.cookies.set("desk_console_lang", "en")
    return csrf


# ------------------------------------------------------------------------------------------ major complaints


async def test_an_agent_marks_a_complaint_major_and_it_goes_to_the_supervisor_at_once(ctx, world):
    ticket = await make_ticket(ctx, world, "保安态度恶劣", kind="complaint", category_code="security")
    async with client(ctx) as c:
        csrf = await signed_in(c, "agent")
        page = (await c.get(f"/console/tickets/{ticket.id}")).text
        assert f'action="/console/tickets/{ticket.id}/major"' in page
        r = await c.post(f"/console/tickets/{ticket.id}/major", data={"csrf": csrf})
        assert r.status_code == 303
        page = (await c.get(f"/console/tickets/{ticket.id}")).text
        assert "Major complaint" in page  # the badge
        assert "Customer service supervisor" in page and "major complaint" in page  # the escalation, in words
        assert f'action="/console/tickets/{ticket.id}/major"' not in page  # marked once
    async with ctx.sessions() as s:
        assert (await s.get(Ticket, ticket.id)).major is True
        esc = (await s.execute(select(Escalation).where(Escalation.ticket_id == ticket.id))).scalar_one()
        assert (esc.level, esc.reason, esc.to_role) == (1, "major", "supervisor")
        audited = await s.execute(select(AuditLog).where(AuditLog.action == "ticket.major"))
        assert audited.scalar_one().target_id == ticket.ref
    async with client(ctx) as boss:
        await signed_in(boss, "supervisor")
        assert "1 escalated to me" in (await boss.get("/console/bell")).text


async def test_a_repair_cannot_be_marked_major(ctx, world):
    ticket = await make_ticket(ctx, world)
    async with client(ctx) as c:
        csrf = await signed_in(c, "agent")
        assert "/major" not in (await c.get(f"/console/tickets/{ticket.id}")).text
        r = await c.post(f"/console/tickets/{ticket.id}/major", data={"csrf": csrf})
        assert r.status_code == 409 and "Only a complaint can be marked as major." in r.text
    async with ctx.sessions() as s:
        assert (await s.get(Ticket, ticket.id)).major is False


# ------------------------------------------------------------------------------------- dispatching a claim


async def test_a_claimed_ticket_is_dispatched_by_its_claimer_or_a_supervisor_only(ctx, world):
    first, second = await make_ticket(ctx, world), await make_ticket(ctx, world)
    async with ctx.sessions() as s, s.begin():
        for t in (first, second):
            await claim_ticket(s, clock=ctx.clock, ticket_id=t.id, staff_id=world.staff["agent"].id)
    form = {"department": "engineering", "technician": str(world.staff["plumber"].id)}
    async with client(ctx) as other:
        csrf = await signed_in(other, "agent2")
        page = (await other.get(f"/console/tickets/{first.id}")).text
        assert f'action="/console/tickets/{first.id}/dispatch"' not in page
        r = await other.post(f"/console/tickets/{first.id}/dispatch", data={"csrf": csrf, **form})
        assert r.status_code == 409
        assert "Agent claimed this ticket: only they or a supervisor can dispatch it." in r.text
    async with ctx.sessions() as s:
        assert (await s.get(Ticket, first.id)).status == "claimed"
    async with client(ctx) as claimer:
        csrf = await signed_in(claimer, "agent")
        page = (await claimer.get(f"/console/tickets/{first.id}")).text
        assert f'action="/console/tickets/{first.id}/dispatch"' in page
        r = await claimer.post(f"/console/tickets/{first.id}/dispatch", data={"csrf": csrf, **form})
        assert r.status_code == 303
    async with client(ctx) as boss:
        csrf = await signed_in(boss, "supervisor")
        r = await boss.post(f"/console/tickets/{second.id}/dispatch", data={"csrf": csrf, **form})
        assert r.status_code == 303
    async with ctx.sessions() as s:
        assert {(await s.get(Ticket, t.id)).status for t in (first, second)} == {"dispatched"}


# ---------------------------------------------------------------------------------------------- notices


async def test_agents_send_only_ordinary_notices_to_a_building_or_the_arrears(ctx, world):
    notice = {"title": "停水通知", "body": "明天 9:00-12:00 停水", "building": str(world.building.id)}
    async with client(ctx) as c:
        csrf = await signed_in(c, "agent")
        page = (await c.get("/console/notices")).text
        assert 'name="urgent"' not in page and 'value="estate"' not in page
        urgent = await c.post(
            "/console/notices", data={"csrf": csrf, **notice, "target": "building", "urgent": "1"}
        )
        assert urgent.status_code == 403
        assert "Only a supervisor or above can send an urgent notice" in urgent.text
        estate_wide = await c.post("/console/notices", data={"csrf": csrf, **notice, "target": "estate"})
        assert estate_wide.status_code == 403
        assert "Only a supervisor or above can send a notice to the whole estate" in estate_wide.text
        ok = await c.post("/console/notices", data={"csrf": csrf, **notice, "target": "building"})
        assert ok.status_code == 303
    async with ctx.sessions() as s:
        rows = list((await s.execute(select(Notice))).scalars())
        assert [(n.target, n.urgent) for n in rows] == [("building", False)]
    async with client(ctx) as boss:
        csrf = await signed_in(boss, "supervisor")
        assert 'name="urgent"' in (await boss.get("/console/notices")).text
        r = await boss.post(
            "/console/notices", data={"csrf": csrf, **notice, "target": "estate", "urgent": "1"}
        )
        assert r.status_code == 303
    async with ctx.sessions() as s:
        assert (await s.execute(select(func.count()).select_from(Notice))).scalar_one() == 2


# ------------------------------------------------------------------------------------------------- the bell


async def test_the_bell_links_each_role_only_to_pages_it_can_open(ctx, world):
    await make_ticket(ctx, world)  # a new ticket
    late, done = await make_ticket(ctx, world, "水管漏水"), await make_ticket(ctx, world, "灯不亮")
    async with ctx.sessions() as s, s.begin():
        agent, plumber = world.staff["agent"].id, world.staff["plumber"].id
        await dispatch_ticket(
            s,
            clock=ctx.clock,
            ticket_id=late.id,
            staff_id=agent,
            department="engineering",
            technician_id=plumber,
        )
        await resolve_ticket(s, clock=ctx.clock, ticket_id=done.id, staff_id=agent, result="Bulb changed")
    ctx.clock.advance(days=3)  # the callback is overdue, the repair escalated
    for role in ROLES:
        username = "plumber" if role == "technician" else role
        async with client(ctx) as c:
            await signed_in(c, username)
            bell = (await c.get("/console/bell")).text
            links = re.findall(r'href="(/console/[^"#]*)', bell)
            for link in links:
                assert (await c.get(link)).status_code == 200, (role, link)
            if role in ("cashier",):
                assert links == []
            if role == "technician":
                assert links == ["/console/tickets?status=dispatched"]


# ------------------------------------------------------------------------------ the ticket page's labels


def test_the_ticket_page_has_no_critical_accessibility_problem(browser, tmp_path):
    from axe_playwright_python.sync_playwright import Axe

    async def complaint(ctx: Context, world) -> int:
        return (await make_ticket(ctx, world, "噪音扰民", kind="complaint", category_code="security")).id

    settings, ticket_id = live_world(tmp_path, complaint)
    app = create_app(Context.from_settings(settings, clock=SystemClock()))
    with serve_in_thread(app) as base:
        for width in (1366, 390):
            context = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN")
            page = context.new_page()
            browser_sign_in(page, base, "agent")
            for path in (f"/console/tickets/{ticket_id}", "/console/callbacks"):
                page.goto(base + path)
                violations = Axe().run(page).response["violations"]
                critical = [
                    (v["id"], [n["target"] for n in v["nodes"]])
                    for v in violations
                    if v["impact"] == "critical"
                ]
                assert critical == [], (width, path)
            context.close()
