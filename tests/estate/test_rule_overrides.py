"""Per-estate service rules: an estate's own values (`Estate.rule_overrides`) checked where they are set,
applied by `Context.rules_for(estate)` to that estate only, and marked on the console's rules page."""

from __future__ import annotations

import logging
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select

from desk.app import create_app
from estate.core.context import Context
from estate.core.rules import ServiceRules, set_rule_overrides
from estate.jobs import run_job
from estate.residents.models import Estate
from estate.tickets.create import create_ticket
from estate.tickets.models import Escalation
from tests.support.console import console_world, sign_in


async def _second_estate(ctx: Context) -> Estate:
    async with ctx.sessions() as s, s.begin():
        other = Estate(code="YY", name="Moon Garden", timezone="Asia/Shanghai", bill_due_day=15)
        s.add(other)
    return other


async def _repair_dispatch_due(ctx: Context, estate: Estate) -> timedelta:
    """How long after it is made a new repair in `estate` is due to be dispatched."""
    async with ctx.sessions() as s, s.begin():
        ticket = await create_ticket(
            s,
            clock=ctx.clock,
            estate_id=estate.id,
            kind="repair",
            category_code="plumbing",
            description="Drain blocked",
            rules=ctx.rules_for(estate),
        )
    assert ticket.dispatch_due is not None
    return ticket.dispatch_due - ctx.clock.now()


async def test_an_override_moves_one_estates_deadline_and_leaves_the_others_alone(ctx):
    world = await console_world(ctx)
    other = await _second_estate(ctx)
    async with ctx.sessions() as s, s.begin():
        estate = await s.get(Estate, world.estate.id)
        set_rule_overrides(estate, {"repair_dispatch_minutes": 30})
    async with ctx.sessions() as s:
        estate = await s.get(Estate, world.estate.id)
        other = await s.get(Estate, other.id)
    assert estate.rule_overrides == {"repair_dispatch_minutes": 30}
    assert await _repair_dispatch_due(ctx, estate) == timedelta(minutes=30)
    assert await _repair_dispatch_due(ctx, other) == timedelta(minutes=60)
    assert ctx.rules_for(estate).urgent_dispatch_minutes == 15  # rules not overridden keep the settings'
    assert ctx.rules_for(other) == ctx.rules == ServiceRules.from_settings(ctx.settings)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"repair_dispatch_hours": 1}, "'repair_dispatch_hours' is not a service rule"),
        ({"repair_dispatch_minutes": 0}, "repair_dispatch_minutes: must be a whole number above 0"),
        ({"quiet_start": 24}, "quiet_start: must be an hour from 0 to 23"),
        ({"low_rating": "2"}, "low_rating: must be a whole number"),
    ],
)
def test_a_bad_override_is_refused_where_it_is_set_and_nothing_changes(overrides, message):
    estate = Estate(code="XC", name="Star City", rule_overrides={"callback_hours": 12})
    with pytest.raises(ValueError, match=message):
        set_rule_overrides(estate, {"callback_hours": 6, **overrides})
    assert estate.rule_overrides == {"callback_hours": 12}


def test_an_empty_override_restores_the_installations_rules(settings):
    estate = Estate(code="XC", name="Star City", rule_overrides={"callback_hours": 12})
    set_rule_overrides(estate, {})
    assert estate.rule_overrides is None
    assert ServiceRules.from_settings(settings, estate=estate) == ServiceRules.from_settings(settings)


def test_a_bad_stored_override_is_logged_and_ignored_when_read(settings, caplog):
    estate = Estate(code="XC", name="Star City", rule_overrides={"callback_hours": -1, "no_such_rule": 3})
    estate.rule_overrides = {**estate.rule_overrides, "near_breach_minutes": 10}
    with caplog.at_level(logging.WARNING, logger="desk.rules"):
        rules = ServiceRules.from_settings(settings, estate=estate)
    assert rules.near_breach_minutes == 10
    assert rules.callback_hours == settings.callback_hours
    assert "callback_hours" in caplog.text and "no_such_rule" in caplog.text and "XC" in caplog.text


async def test_the_rules_page_marks_the_estates_own_values(ctx):
    world = await console_world(ctx)
    await _second_estate(ctx)
    async with ctx.sessions() as s, s.begin():
        set_rule_overrides(await s.get(Estate, world.estate.id), {"repair_dispatch_minutes": 30})
    app = create_app(ctx)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        await sign_in(c, "manager")
        await c.get("/console/lang/en")
        page = (await c.get("/console/rules")).text
        star, moon = page.split("Moon Garden")
        assert "within 30 minutes" in star and page.count("set for this estate") == 1
        assert "within 60 minutes" in moon and "within 30 minutes" not in moon
        await c.get("/console/lang/zh_CN")
        assert "本小区单独设定" in (await c.get("/console/rules")).text


async def test_the_sla_scan_escalates_each_estate_by_its_own_grace(ctx):
    """A repair left unresolved past its dispatch deadline goes to the deputy GM after the estate's grace."""
    world = await console_world(ctx)
    other = await _second_estate(ctx)
    async with ctx.sessions() as s, s.begin():
        estate = await s.get(Estate, world.estate.id)
        set_rule_overrides(estate, {"repair_resolve_grace_hours": 2})
    tickets = {}
    async with ctx.sessions() as s, s.begin():
        for e in (await s.get(Estate, world.estate.id), await s.get(Estate, other.id)):
            ticket = await create_ticket(
                s,
                clock=ctx.clock,
                estate_id=e.id,
                kind="repair",
                category_code="plumbing",
                description="Drain blocked",
                rules=ctx.rules_for(e),
            )
            ticket.status = "dispatched"  # dispatched in time, never resolved
            ticket.dispatched_at = ctx.clock.now()
            tickets[e.code] = ticket.id
    ctx.clock.advance(timedelta(hours=4))  # past the 1-hour dispatch deadline plus 2 hours, not plus 24
    await run_job(ctx, "sla_scan")
    async with ctx.sessions() as s:
        deputy = set((await s.execute(select(Escalation.ticket_id).where(Escalation.level == 2))).scalars())
    assert deputy == {tickets[world.estate.code]}
