"""Callbacks (回访): the call to the resident after a ticket is resolved, due a set time later.

A call ends in one of three outcomes (`Outcome`): the resident was reached and gave three ratings (recorded
here, as a staff survey), could not be reached, or refused the callback (both in
`estate.tickets.callback_outcomes`). Ratings are never assumed: a reached call without all three is refused.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from estate.core.clock import Clock
from estate.core.errors import InvalidTransition, NotFound, ValidationFailed
from estate.core.rules import DEFAULT_RULES, ServiceRules
from estate.tickets.models import CallbackStatus, CallbackTask, Survey, Ticket
from estate.tickets.surveys import check_ratings, complete_callback
from estate.tickets.timeline import audit_ticket


class Outcome(StrEnum):
    """How a callback call went."""

    REACHED = "reached"
    UNREACHABLE = "unreachable"
    REFUSED = "refused"


# A callback's status once its round ended without ratings (besides CallbackStatus.PENDING and DONE).
REFUSED = "refused"  # the resident declined the callback
UNREACHABLE = "unreachable"  # not reached after MAX_ATTEMPTS calls: the supervisor was told
MAX_ATTEMPTS = 3


async def due_callbacks(
    session: AsyncSession,
    *,
    now: datetime,
    estate_id: int | None = None,
    overdue_only: bool = False,
    include_future: bool = False,
) -> list[tuple[CallbackTask, Ticket]]:
    """Pending callbacks due by `now` (or all pending with include_future), earliest first."""
    stmt = (
        select(CallbackTask, Ticket)
        .join(Ticket, Ticket.id == CallbackTask.ticket_id)
        .where(CallbackTask.status == CallbackStatus.PENDING)
        .order_by(CallbackTask.due_at)
    )
    if not include_future or overdue_only:
        stmt = stmt.where(CallbackTask.due_at < now if overdue_only else CallbackTask.due_at <= now)
    if estate_id is not None:
        stmt = stmt.where(Ticket.estate_id == estate_id)
    return [(c, t) for c, t in (await session.execute(stmt)).all()]


async def pending_callback(session: AsyncSession, callback_id: int) -> tuple[CallbackTask, Ticket]:
    """The callback and its ticket, if the callback still waits (NotFound or InvalidTransition otherwise)."""
    callback = await session.get(CallbackTask, callback_id)
    if callback is None:
        raise NotFound("callback_not_found")
    if callback.status != CallbackStatus.PENDING:
        raise InvalidTransition("callback_done_already")
    ticket = await session.get(Ticket, callback.ticket_id)
    assert ticket is not None
    return callback, ticket


async def record_callback(
    session: AsyncSession,
    *,
    clock: Clock,
    callback_id: int,
    staff_id: int,
    result_text: str,
    overall: int | None,
    speed: int | None,
    attitude: int | None,
    rules: ServiceRules = DEFAULT_RULES,
) -> Survey:
    """Staff reached the resident: record the call and the three ratings the resident gave (all required)."""
    if overall is None or speed is None or attitude is None:
        raise ValidationFailed("ratings_required")
    check_ratings(overall, speed, attitude)
    callback, ticket = await pending_callback(session, callback_id)
    callback.staff_id = staff_id
    callback.result_text = (result_text or "").strip() or None
    answers = {"overall": overall, "speed": speed, "attitude": attitude}
    survey = Survey(resident_id=ticket.resident_id, comment=callback.result_text, source="staff", **answers)
    await complete_callback(
        session, clock=clock, ticket=ticket, callback=callback, survey=survey, staff_id=staff_id, rules=rules
    )
    await audit_ticket(
        session, clock=clock, staff_id=staff_id, action="callback.record", ticket=ticket, detail=answers
    )
    return survey
