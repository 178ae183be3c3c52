"""The service rules: one value built from the settings, used by the deadlines and jobs, shown to managers."""

from __future__ import annotations

from datetime import datetime, timedelta

import httpx
import pytest
from sqlalchemy import select

from desk.app import create_app
from estate.core.context import Context
from estate.core.rules import DEFAULT_RULES, ServiceRules
from estate.core.settings import SettingsError, load_settings
from estate.jobs import run_job
from estate.messaging.models import OutboundMessage
from estate.tickets.create import create_ticket
from estate.tickets.models import Escalation, Ticket
from estate.tickets.progress import resolve_ticket
from tests.conftest import SHANGHAI
from tests.support.console import console_world, sign_in
from tests.support.dialogs import Chat


def test_the_default_settings_give_the_default_rules(settings):
    assert ServiceRules.from_settings(settings) == DEFAULT_RULES
    assert DEFAULT_RULES.repair_dispatch == timedelta(minutes=60)
    assert DEFAULT_RULES.urgent_dispatch == timedelta(minutes=15)


def test_a_bad_rule_setting_stops_start_up_naming_it(monkeypatch):
    monkeypatch.setenv("DESK_URGENT_DISPATCH_MINUTES", "0")
    with pytest.raises(SettingsError, match="DESK_URGENT_DISPATCH_MINUTES"):
        load_settings(secret_key="s" * 40)


async def _escalations(ctx: Context) -> list[tuple[int, int, str]]:
    async with ctx.sessions() as s:
        rows = await s.execute(select(Escalation.ticket_id, Escalation.level, Escalation.reason))
        return sorted(tuple(r) for r in rows)


async def test_a_setting_moves_the_dispatch_deadline_and_its_escalation(monkeypatch, settings, ctx):
    monkeypatch.setenv("DESK_REPAIR_DISPATCH_MINUTES", "90")
    monkeypatch.setenv("DESK_REPAIR_RESOLVE_GRACE_HOURS", "2")
    ctx.settings = load_settings(**settings.model_dump(include={"database_url", "data_dir", "secret_key"}))
    assert ctx.rules.repair_dispatch_minutes == 90 and ctx.rules.repair_resolve_grace_hours == 2
    world = await console_world(ctx)
    start = ctx.clock.now()
    async with ctx.sessions() as s, s.begin():
        ticket = await create_ticket(
            s,
            clock=ctx.clock,
            estate_id=world.estate.id,
            kind="repair",
            category_code="plumbing",
            description="Drain blocked",
            resident_id=world.resident.id,
            rules=ctx.rules_for(world.estate),
        )
    assert ticket.dispatch_due == start + timedelta(minutes=90)
    await run_job(ctx, "sla_scan", start + timedelta(minutes=61))  # the default hour is no longer the rule
    assert await _escalations(ctx) == []
    await run_job(ctx, "sla_scan", start + timedelta(minutes=91))
    assert await _escalations(ctx) == [(ticket.id, 1, "dispatch_breach")]
    await run_job(ctx, "sla_scan", start + timedelta(minutes=90 + 121))  # two hours past it: the deputy GM
    assert await _escalations(ctx) == [(ticket.id, 1, "dispatch_breach"), (ticket.id, 2, "resolve_breach")]


async def test_an_urgent_dispatch_setting_reaches_a_ticket_reported_in_the_chat(monkeypatch, settings, ctx):
    monkeypatch.setenv("DESK_URGENT_DISPATCH_MINUTES", "20")
    ctx.settings = load_settings(**settings.model_dump(include={"database_url", "data_dir", "secret_key"}))
    await console_world(ctx)
    await Chat(ctx, "rules-chat").text("楼道里煤气味好大")
    async with ctx.sessions() as s:
        ticket = (await s.execute(select(Ticket))).scalar_one()
    assert ticket.urgency == "urgent" and ticket.dispatch_due == ctx.clock.now() + timedelta(minutes=20)


async def test_callback_hours_and_quiet_hours_follow_the_rules_in_the_estates_zone(ctx):
    # The installation's default zone is London, the estate is in Shanghai: its residents' night counts.
    ctx.settings = ctx.settings.model_copy(update={"timezone": "Europe/London", "callback_hours": 2})
    world = await console_world(ctx)
    async with ctx.sessions() as s, s.begin():
        ticket = await create_ticket(
            s,
            clock=ctx.clock,
            estate_id=world.estate.id,
            kind="repair",
            category_code="plumbing",
            description="Tap",
            resident_id=world.resident.id,
            rules=ctx.rules,
        )
        await resolve_ticket(
            s,
            clock=ctx.clock,
            ticket_id=ticket.id,
            staff_id=world.staff["agent"].id,
            result="Fixed",
            rules=ctx.rules,
        )
    assert "0 survey(s)" in await run_job(
        ctx, "callbacks_due", datetime(2026, 11, 22, 11, 59, tzinfo=SHANGHAI)
    )
    assert "1 survey(s)" in await run_job(
        ctx, "callbacks_due", datetime(2026, 11, 22, 22, 30, tzinfo=SHANGHAI)
    )
    async with ctx.sessions() as s:
        survey = (
            await s.execute(select(OutboundMessage).where(OutboundMessage.kind == "survey"))
        ).scalar_one()
    assert survey.not_before == datetime(2026, 11, 23, 8, 0, tzinfo=SHANGHAI)


async def test_the_rules_page_lists_the_rules_in_force_for_managers_only(ctx):
    ctx.settings = ctx.settings.model_copy(update={"repair_dispatch_minutes": 45, "callback_hours": 12})
    await console_world(ctx)
    app = create_app(ctx)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        await sign_in(c, "manager")
        await c.get("/console/lang/en")
        page = (await c.get("/console/rules")).text
        assert "Repair passed to the department" in page and "within 45 minutes" in page
        assert "12 hours after the request is resolved" in page
        assert "within 15 minutes" in page  # urgent repairs keep the default
        assert "repair_dispatch_minutes" not in page  # labels, not setting names
        await c.get("/console/lang/zh_CN")
        assert "报修转至相关部门" in (await c.get("/console/rules")).text
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        await sign_in(c, "agent")
        assert (await c.get("/console/rules")).status_code == 403
