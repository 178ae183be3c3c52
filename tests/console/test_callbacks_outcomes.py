"""Callbacks (回访) as the front desk makes them: who to call and the number to tap, the outcome of the call
(reached, unreachable, refused), ratings that must be chosen, and the supervisor told after three tries."""

from __future__ import annotations

import re

import httpx
import pytest
from sqlalchemy import func, select

from desk.app import create_app
from estate.core.clock import SystemClock
from estate.core.context import Context
from estate.tickets.models import CallbackTask, Escalation, Survey, Ticket
from estate.tickets.progress import resolve_ticket
from tests.browser.test_browser_console import sign_in as browser_sign_in
from tests.support.console import console_world, live_world, sign_in
from tests.support.factories import make_ticket
from tests.support.live import serve_in_thread


async def resolved_ticket(ctx, world) -> tuple[Ticket, CallbackTask]:
    """A repair of the world's resident (Zhang San, 13800138000), resolved: its callback waits."""
    ticket = await make_ticket(ctx, world)
    async with ctx.sessions() as s, s.begin():
        await resolve_ticket(
            s, clock=ctx.clock, ticket_id=ticket.id, staff_id=world.staff["agent"].id, result="Washer changed"
        )
        task = (await s.execute(select(CallbackTask).where(CallbackTask.ticket_id == ticket.id))).scalar_one()
    return ticket, task


@pytest.fixture
async def world(ctx):
    return await console_world(ctx)


@pytest.fixture
async def agent(ctx, world):
    """A client signed in as the agent, reading English; yields (client, csrf)."""
    app = create_app(ctx)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        csrf = await sign_in(c, "agent")
        c.cookies.set("desk_console_lang", "en")
        yield c, csrf


async def counts(ctx, task_id: int) -> tuple[int, str]:
    async with ctx.sessions() as s:
        surveys = (await s.execute(select(func.count()).select_from(Survey))).scalar_one()
        task = await s.get(CallbackTask, task_id)
        return surveys, task.status


async def test_the_page_names_the_resident_with_a_number_to_tap_and_no_rating_chosen(ctx, world, agent):
    await resolved_ticket(ctx, world)
    c, _ = agent
    page = (await c.get("/console/callbacks")).text
    assert "Zhang San" in page
    assert 'href="tel:13800138000"' in page
    for words in ("Reached", "Not reachable", "Refused the callback"):
        assert words in page
    # the three ratings start at "—": nothing is chosen for the resident
    assert len(re.findall(r'<option value="" selected>—</option>', page)) == 3
    assert "selected" not in re.sub(r'<option value="" selected>', "", page)


async def test_saving_a_reached_call_without_ratings_is_refused_and_records_nothing(ctx, world, agent):
    ticket, task = await resolved_ticket(ctx, world)
    c, csrf = agent
    r = await c.post(f"/console/callbacks/{task.id}", data={"csrf": csrf, "outcome": "reached"})
    assert r.status_code == 422
    assert "three ratings (1 to 5) before saving a reached call" in r.text
    assert await counts(ctx, task.id) == (0, "pending")
    r = await c.post(f"/console/callbacks/{task.id}", data={"csrf": csrf})  # no outcome either
    assert r.status_code == 422 and "Please choose how the call went" in r.text
    assert await counts(ctx, task.id) == (0, "pending")


async def test_a_reached_call_records_the_ratings_the_resident_gave(ctx, world, agent):
    ticket, task = await resolved_ticket(ctx, world)
    c, csrf = agent
    data = {"csrf": csrf, "outcome": "reached", "overall": "4", "speed": "3", "attitude": "5", "result": "OK"}
    r = await c.post(f"/console/callbacks/{task.id}", data=data)
    assert r.status_code == 303
    async with ctx.sessions() as s:
        survey = (await s.execute(select(Survey))).scalar_one()
        assert (survey.overall, survey.speed, survey.attitude, survey.source) == (4, 3, 5, "staff")
        assert (await s.get(Ticket, ticket.id)).status == "callback_done"


async def test_three_unreachable_calls_tell_the_supervisor_and_record_no_rating(ctx, world, agent):
    ticket, task = await resolved_ticket(ctx, world)
    c, csrf = agent
    for attempt in (1, 2):
        r = await c.post(f"/console/callbacks/{task.id}", data={"csrf": csrf, "outcome": "unreachable"})
        assert r.status_code == 303
        assert await counts(ctx, task.id) == (0, "pending")
        assert f"Tried {attempt} of 3 times" in (await c.get("/console/callbacks")).text
    r = await c.post(f"/console/callbacks/{task.id}", data={"csrf": csrf, "outcome": "unreachable"})
    assert r.status_code == 303
    assert await counts(ctx, task.id) == (0, "unreachable")
    async with ctx.sessions() as s:
        esc = (await s.execute(select(Escalation).where(Escalation.ticket_id == ticket.id))).scalar_one()
        assert (esc.level, esc.reason, esc.to_role) == (1, "callback_unreachable", "supervisor")
    app = create_app(ctx)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as boss:
        await sign_in(boss, "supervisor")
        boss.cookies.set("desk_console_lang", "en")
        bell = (await boss.get("/console/bell")).text
        assert "1 residents not reached" in bell and 'href="/console/callbacks#unreachable"' in bell
        listed = (await boss.get("/console/callbacks")).text
        assert ticket.ref in listed.split('id="unreachable"')[1]
        ticket_page = (await boss.get(f"/console/tickets/{ticket.id}")).text
        assert "the resident could not be reached" in ticket_page


async def test_a_refused_callback_ends_the_round_without_a_rating(ctx, world, agent):
    ticket, task = await resolved_ticket(ctx, world)
    c, csrf = agent
    data = {"csrf": csrf, "outcome": "refused", "result": "Busy, does not want to rate"}
    r = await c.post(f"/console/callbacks/{task.id}", data=data)
    assert r.status_code == 303
    assert await counts(ctx, task.id) == (0, "refused")
    async with ctx.sessions() as s:
        assert (await s.get(Ticket, ticket.id)).status == "callback_done"
    assert ticket.ref not in (await c.get("/console/callbacks")).text


def test_the_callbacks_page_fits_a_390_px_phone(browser, tmp_path):
    async def waiting_callback(ctx: Context, world) -> str:
        ticket, _ = await resolved_ticket(ctx, world)
        return ticket.ref

    settings, ref = live_world(tmp_path, waiting_callback)
    app = create_app(Context.from_settings(settings, clock=SystemClock()))
    with serve_in_thread(app) as base:
        context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
        page = context.new_page()
        browser_sign_in(page, base, "agent")
        page.goto(f"{base}/console/callbacks")
        page.get_by_role("link", name=ref).wait_for()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.get_by_label("接通", exact=True).first.check()
        page.get_by_role("button", name="保存").first.click()  # one click on 保存 records nothing
        page.get_by_text("请选择住户给出的三项评分").wait_for()
        context.close()
