"""Console part 1: sign-in, every page, the role matrix, CSRF, XSS, claims, forbidden phrases."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import func, select

from console.auth import ROUTE_ROLES
from desk.app import create_app
from estate.messaging.models import OutboundMessage
from estate.staff.models import Staff
from estate.tickets.assignment import dispatch_ticket
from estate.tickets.models import Ticket
from estate.tickets.progress import resolve_ticket
from tests.support.console import PASSWORD, ROLES, console_world, post_login, sign_in
from tests.support.factories import make_ticket


@pytest.fixture
async def world(ctx):
    return await console_world(ctx)


@pytest.fixture
def app(ctx):
    return create_app(ctx)


def client_for(app) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t")


async def test_sign_in_out_and_the_login_limit(app, world):
    async with client_for(app) as c:
        assert (await c.get("/console/tickets")).headers["location"] == "/console/login"
        bad = await post_login(c, "agent", "nope")
        assert bad.status_code == 401 and "用户名或密码错误" in bad.text
        csrf = await sign_in(c, "agent")
        assert (await c.get("/console/tickets")).status_code == 200
        cookie = c.cookies.get("desk_staff")
        assert cookie and "agent" not in cookie
        await c.post("/console/logout", data={"csrf": csrf})
        assert (await c.get("/console/tickets")).status_code == 303
    async with client_for(app) as c:
        for _ in range(5):
            await post_login(c, "supervisor", "wrong")
        locked = await post_login(c, "supervisor", PASSWORD)
        assert locked.status_code == 429


async def test_every_page_renders(ctx, app, world):
    t = await make_ticket(ctx, world)
    bulb = await make_ticket(ctx, world, "Bulb")
    async with ctx.sessions() as s, s.begin():
        await resolve_ticket(
            s, clock=ctx.clock, ticket_id=bulb.id, staff_id=world.staff["agent"].id, result="Replaced"
        )
    async with client_for(app) as c:
        await sign_in(c, "admin")
        for path, marker in [
            ("/console/tickets", t.ref),
            (f"/console/tickets/{t.id}", "Tap drips"),
            ("/console/callbacks", "Replaced"),
            ("/console/audit", "ticket.resolve"),
            ("/console/staff", "plumber"),
            ("/console/password", "修改我的密码"),
            ("/console/bell", '<b class="hot">1</b>'),
            ("/console/tickets?fragment=true", t.ref),
            ("/console/tickets?status=all&sort=oldest", t.ref),
        ]:
            r = await c.get(path)
            assert r.status_code == 200 and marker in r.text, path
        assert (await c.get("/console/lang/en")).status_code == 303
        assert "Sign out" in (await c.get("/console/tickets")).text


def matrix(ticket_id: int, callback_id: int) -> list[tuple[str, str, str, dict]]:
    """(route name, method, path, form) for every route of the console."""
    return [
        ("home", "GET", "/console/", {}),
        ("password", "GET", "/console/password", {}),
        ("tickets", "GET", "/console/tickets", {}),
        ("ticket", "GET", f"/console/tickets/{ticket_id}", {}),
        ("ticket.note", "POST", f"/console/tickets/{ticket_id}/note", {"text": "n"}),
        ("ticket.reply", "POST", f"/console/tickets/{ticket_id}/reply", {"text": "您好"}),
        ("ticket.start", "POST", f"/console/tickets/{ticket_id}/start", {}),
        ("ticket.resolve", "POST", f"/console/tickets/{ticket_id}/resolve", {"result": "ok"}),
        ("ticket.reopen", "POST", f"/console/tickets/{ticket_id}/reopen", {"reason": "r"}),
        ("ticket.close", "POST", f"/console/tickets/{ticket_id}/close", {}),
        ("ticket.dispatch", "POST", f"/console/tickets/{ticket_id}/dispatch", {"department": "engineering"}),
        ("ticket.claim", "POST", f"/console/tickets/{ticket_id}/claim", {}),
        ("callbacks", "GET", "/console/callbacks", {}),
        (
            "callbacks",
            "POST",
            f"/console/callbacks/{callback_id}",
            {"overall": "5", "speed": "5", "attitude": "5", "result": "x"},
        ),
        ("bell", "GET", "/console/bell", {}),
        ("audit", "GET", "/console/audit", {}),
        ("staff", "GET", "/console/staff", {}),
        (
            "staff",
            "POST",
            "/console/staff",
            {"username": "x", "display_name": "x", "role": "agent", "password": "short"},
        ),
    ]


@pytest.mark.parametrize("role", ROLES)
async def test_role_matrix(ctx, app, world, role):
    ticket = await make_ticket(ctx, world)
    done = await make_ticket(ctx, world, "Done one")
    async with ctx.sessions() as s, s.begin():
        await dispatch_ticket(
            s,
            clock=ctx.clock,
            ticket_id=ticket.id,
            staff_id=world.staff["agent"].id,
            department="engineering",
            technician_id=world.staff["technician"].id,
        )  # the technician's own ticket
        await resolve_ticket(
            s, clock=ctx.clock, ticket_id=done.id, staff_id=world.staff["agent"].id, result="ok"
        )
        from estate.tickets.models import CallbackTask

        callback_id = (await s.execute(select(CallbackTask.id))).scalar_one()
    async with client_for(app) as c:
        csrf = await sign_in(c, role)
        for route, method, path, form in matrix(ticket.id, callback_id):
            r = await (c.get(path) if method == "GET" else c.post(path, data={**form, "csrf": csrf}))
            if role in ROUTE_ROLES[route]:
                assert r.status_code != 403, (role, method, path)
            else:
                assert r.status_code == 403, (role, method, path, r.status_code)


async def test_post_without_csrf_token_is_refused(ctx, app, world):
    ticket = await make_ticket(ctx, world)
    async with client_for(app) as c:
        await sign_in(c, "agent")
        r = await c.post(f"/console/tickets/{ticket.id}/claim")
        assert r.status_code == 403
        r = await c.post(f"/console/tickets/{ticket.id}/claim", data={"csrf": "forged"})
        assert r.status_code == 403
    async with ctx.sessions() as s:
        assert (await s.get(Ticket, ticket.id)).status == "new"


async def test_ticket_text_is_shown_as_text_not_run(ctx, app, world):
    ticket = await make_ticket(ctx, world, '<script>alert("x")</script><img src=x onerror=alert(1)>')
    async with client_for(app) as c:
        await sign_in(c, "agent")
        for path in (f"/console/tickets/{ticket.id}", "/console/tickets"):
            html = (await c.get(path)).text
            assert "<script>alert" not in html and "<img src=x" not in html
            assert "&lt;script&gt;alert(" in html


async def test_claim_loser_is_told_who_won(ctx, app, world):
    ticket = await make_ticket(ctx, world)
    async with client_for(app) as first, client_for(app) as second:
        csrf1 = await sign_in(first, "agent")
        csrf2 = await sign_in(second, "agent2")
        assert (
            await first.post(f"/console/tickets/{ticket.id}/claim", data={"csrf": csrf1})
        ).status_code == 303
        lost = await second.post(f"/console/tickets/{ticket.id}/claim", data={"csrf": csrf2})
    assert lost.status_code == 409 and "该工单已被 Agent 先认领" in lost.text, lost.text[
        lost.text.find("<main>") :
    ][:1500]


async def test_forbidden_phrase_is_refused_highlighted_with_an_alternative(ctx, app, world):
    ticket = await make_ticket(ctx, world)
    async with client_for(app) as c:
        csrf = await sign_in(c, "agent")
        r = await c.post(
            f"/console/tickets/{ticket.id}/reply", data={"csrf": csrf, "text": "急什么，师傅马上到"}
        )
        assert r.status_code == 422
        assert "<mark>急什么</mark>" in r.text and "请您不要着急" in r.text
        ok = await c.post(
            f"/console/tickets/{ticket.id}/reply", data={"csrf": csrf, "text": "请稍等！师傅马上到。"}
        )
        assert ok.status_code == 303
    async with ctx.sessions() as s:
        texts = (await s.execute(select(OutboundMessage.text))).scalars().all()
    assert texts == [f"【{ticket.ref}】请稍等！师傅马上到。"]


async def test_technicians_see_only_their_own_work(ctx, app, world):
    mine = await make_ticket(ctx, world, "Mine")
    other = await make_ticket(ctx, world, "Not mine")
    async with ctx.sessions() as s, s.begin():
        await dispatch_ticket(
            s,
            clock=ctx.clock,
            ticket_id=mine.id,
            staff_id=world.staff["agent"].id,
            department="engineering",
            technician_id=world.staff["technician"].id,
        )
        await dispatch_ticket(
            s,
            clock=ctx.clock,
            ticket_id=other.id,
            staff_id=world.staff["agent"].id,
            department="engineering",
            technician_id=world.staff["plumber"].id,
        )
    async with client_for(app) as c:
        csrf = await sign_in(c, "technician")
        queue = (await c.get("/console/tickets")).text
        assert mine.ref in queue and other.ref not in queue
        assert (await c.get(f"/console/tickets/{other.id}")).status_code == 404
        assert (
            await c.post(f"/console/tickets/{other.id}/resolve", data={"csrf": csrf, "result": "x"})
        ).status_code == 404
        assert (
            await c.post(f"/console/tickets/{mine.id}/resolve", data={"csrf": csrf, "result": "Fixed"})
        ).status_code == 303


async def test_admin_adds_and_deactivates_staff(ctx, app, world):
    async with client_for(app) as c:
        csrf = await sign_in(c, "admin")
        r = await c.post(
            "/console/staff",
            data={
                "csrf": csrf,
                "username": "newbie",
                "display_name": "New",
                "role": "agent",
                "department": "",
                "password": "longenough1",
            },
        )
        assert r.status_code == 303
        async with ctx.sessions() as s:
            newbie = (await s.execute(select(Staff).where(Staff.username == "newbie"))).scalar_one()
        await c.post(f"/console/staff/{newbie.id}/active", data={"csrf": csrf, "active": "0"})
    async with client_for(app) as c:
        r = await post_login(c, "newbie", "longenough1")
        assert r.status_code == 401
    async with ctx.sessions() as s:
        assert (
            await s.execute(select(func.count()).select_from(Staff).where(Staff.active.is_(False)))
        ).scalar_one() == 1


async def test_next_page_links_walk_the_queue_and_a_mangled_cursor_is_ignored(ctx, app, world):
    refs = [(await make_ticket(ctx, world, f"T{i}")).ref for i in range(3)]
    import console.queue as desk_queue

    desk_queue.PAGE_SIZE, saved = 2, desk_queue.PAGE_SIZE
    try:
        async with client_for(app) as c:
            await sign_in(c, "agent")
            first = (await c.get("/console/tickets?sort=newest")).text
            assert refs[2] in first and refs[1] in first and refs[0] not in first
            import re

            link = re.search(r'rel="next" href="([^"]+)"', first).group(1).replace("&amp;", "&")
            second = (await c.get(link)).text
            assert refs[0] in second and refs[2] not in second
            assert (await c.get("/console/tickets?page=garbage_x")).status_code == 200
    finally:
        desk_queue.PAGE_SIZE = saved
