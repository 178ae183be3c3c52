"""The front desk registers a phone call, a visit or a patrol as a ticket (issue #14): the caller looked up by
phone, unit or name, the source kept, deadlines like a chat ticket, the resident told, the staff member audited."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import select

from estate.messaging.models import OutboundMessage
from estate.staff.models import AuditLog
from estate.tickets.models import Ticket
from tests.support.console import console_client, console_world, sign_in

EN = {"accept-language": "en"}


@pytest.fixture
async def world(ctx):
    return await console_world(ctx)


def client_for(ctx) -> httpx.AsyncClient:
    return console_client(ctx, **EN)


async def test_a_phone_call_becomes_a_ticket_for_the_caller(ctx, world):
    async with client_for(ctx) as c:
        csrf = await sign_in(c, "agent")
        for who in ("+86 138-0013-8000", "1-101", "Zhang"):
            page = (await c.get("/console/tickets/new", params={"who": who})).text
            assert f'name="resident" value="{world.resident.id}"' in page, who
        form = {
            "csrf": csrf,
            "who": "13800138000",
            "source": "phone",
            "resident": str(world.resident.id),
            "what": "repair:water_leak",
            "urgency": "urgent",
            "description": "  卫生间天花板漏水  ",
        }
        r = await c.post("/console/tickets/new", data=form)
        assert r.status_code == 303
        page = (await c.get(r.headers["location"])).text
    async with ctx.sessions() as s:
        ticket = (await s.execute(select(Ticket))).scalar_one()
        told = (await s.execute(select(OutboundMessage))).scalars().all()
        audit = (await s.execute(select(AuditLog).where(AuditLog.action == "ticket.create"))).scalar_one()
    assert r.headers["location"] == f"/console/tickets/{ticket.id}"
    assert ticket.ref in page and "Phone call" in page  # the ticket page says how it came in
    assert (ticket.source, ticket.kind, ticket.category, ticket.urgency) == (
        "phone",
        "repair",
        "water_leak",
        "urgent",
    )
    assert (ticket.resident_id, ticket.unit_id, ticket.description) == (
        world.resident.id,
        world.unit.id,
        "卫生间天花板漏水",
    )
    assert ticket.dispatch_due == ctx.clock.now() + ctx.rules.urgent_dispatch
    assert [m.channel_account_id for m in told] == [world.account.id]
    assert ticket.ref in told[0].text and "已登记" in told[0].text  # in the resident's language
    assert audit.staff_id == world.staff["agent"].id


async def test_a_patrol_finding_needs_no_caller_and_a_bad_form_says_why(ctx, world):
    async with client_for(ctx) as c:
        csrf = await sign_in(c, "agent")
        base = {"csrf": csrf, "source": "patrol", "what": "repair:public_facility", "place": "B2 car park"}
        r = await c.post("/console/tickets/new", data=base | {"description": " "})
        assert r.status_code == 422 and "Please describe the request." in r.text
        assert 'value="B2 car park"' in r.text  # what was typed is kept
        r = await c.post("/console/tickets/new", data=base | {"description": "Light out", "unit": "9-999"})
        assert r.status_code == 422 and "There is no unit with that number." in r.text
        r = await c.post("/console/tickets/new", data=base | {"description": "Light out"})
        assert r.status_code == 303
    async with ctx.sessions() as s:
        ticket = (await s.execute(select(Ticket))).scalar_one()
        told = (await s.execute(select(OutboundMessage))).scalars().all()
    assert (ticket.source, ticket.resident_id, ticket.location_text) == ("patrol", None, "B2 car park")
    assert told == []


async def test_only_staff_of_the_service_centre_register(ctx, world):
    async with client_for(ctx) as c:
        await sign_in(c, "technician")
        assert (await c.get("/console/tickets/new")).status_code == 403
