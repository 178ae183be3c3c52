"""Callbacks after resolution and satisfaction surveys; a low rating reopens for the supervisor."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from estate.core.errors import InvalidTransition, ValidationFailed
from estate.tickets.callbacks import due_callbacks, record_callback
from estate.tickets.create import create_ticket
from estate.tickets.models import Escalation
from estate.tickets.progress import resolve_ticket
from estate.tickets.satisfaction import satisfaction_rate
from estate.tickets.surveys import record_survey
from tests.support.factories import make_world


async def _resolved(s, clock, world, text="Tap fixed"):
    t = await create_ticket(
        s,
        clock=clock,
        estate_id=world.estate.id,
        kind="repair",
        category_code="plumbing",
        description="Tap",
        resident_id=world.resident.id,
    )
    await resolve_ticket(s, clock=clock, ticket_id=t.id, staff_id=world.staff["agent"].id, result=text)
    return t


async def test_callback_is_due_24_hours_after_resolution(sessions, clock):
    async with sessions() as s, s.begin():
        world = await make_world(s, at=clock.now())
        t = await _resolved(s, clock, world)
        assert await due_callbacks(s, now=clock.now() + timedelta(hours=23)) == []
        due = await due_callbacks(s, now=clock.now() + timedelta(hours=24))
    assert [tk.id for _, tk in due] == [t.id]


async def test_good_survey_marks_callback_done(sessions, clock):
    async with sessions() as s, s.begin():
        world = await make_world(s, at=clock.now())
        t = await _resolved(s, clock, world)
        await record_survey(
            s, clock=clock, ticket_id=t.id, resident_id=world.resident.id, overall=5, speed=4, attitude=5
        )
        assert t.status == "callback_done"
        with pytest.raises(InvalidTransition):
            await record_survey(
                s, clock=clock, ticket_id=t.id, resident_id=world.resident.id, overall=5, speed=5, attitude=5
            )


async def test_low_rating_reopens_the_ticket_for_the_supervisor(sessions, clock):
    async with sessions() as s, s.begin():
        world = await make_world(s, at=clock.now())
        t = await _resolved(s, clock, world)
        ((callback, _),) = await due_callbacks(s, now=clock.now(), include_future=True)
        await record_callback(
            s,
            clock=clock,
            callback_id=callback.id,
            staff_id=world.staff["agent"].id,
            result_text="Resident unhappy: still leaking",
            overall=4,
            speed=2,
            attitude=4,
        )
        esc = (await s.execute(select(Escalation).where(Escalation.ticket_id == t.id))).scalar_one()
    assert t.status == "new" and t.assignee_id is None and t.reopen_count == 1
    assert (esc.level, esc.reason, esc.to_role) == (1, "low_rating", "supervisor")


async def test_ratings_must_be_1_to_5(sessions, clock):
    async with sessions() as s, s.begin():
        world = await make_world(s, at=clock.now())
        t = await _resolved(s, clock, world)
        with pytest.raises(ValidationFailed):
            await record_survey(
                s, clock=clock, ticket_id=t.id, resident_id=None, overall=6, speed=5, attitude=5
            )


async def test_satisfaction_rate_against_the_95_percent_target(sessions, clock):
    start = clock.now()
    async with sessions() as s, s.begin():
        world = await make_world(s, at=clock.now())
        for overall in (5, 5, 4, 3):
            t = await _resolved(s, clock, world)
            await record_survey(
                s, clock=clock, ticket_id=t.id, resident_id=None, overall=overall, speed=5, attitude=5
            )
        sat = await satisfaction_rate(
            s, estate_id=world.estate.id, since=start, until=start + timedelta(days=1)
        )
    assert (sat.answered, sat.satisfied, sat.rate, sat.met) == (4, 3, 0.75, False)
