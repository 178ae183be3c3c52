"""Satisfaction surveys (overall, speed, attitude: 1–5) that complete a ticket's callback round.

The staff record the answers of a callback call (`estate.tickets.callbacks`), or the resident answers in chat.
A low rating reopens the ticket for the supervisor; otherwise the callback is done.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from estate.core.clock import Clock
from estate.core.errors import InvalidTransition, NotFound, ValidationFailed
from estate.core.rules import DEFAULT_RULES, ServiceRules
from estate.tickets.models import CallbackStatus, CallbackTask, Survey, Ticket
from estate.tickets.progress import reopen_ticket
from estate.tickets.timeline import record_event, transition
from estate.tickets.transitions import allowed_actions


def check_ratings(*ratings: int) -> None:
    """ValidationFailed unless every rating is a whole number from 1 to 5."""
    for r in ratings:
        if not isinstance(r, int) or not 1 <= r <= 5:
            raise ValidationFailed("bad_rating", rating=r)


def is_low_rating(survey: Survey, rules: ServiceRules = DEFAULT_RULES) -> bool:
    """True when one of the answers is at or below the rules' low rating (the ticket reopens)."""
    return min(survey.overall, survey.speed, survey.attitude) <= rules.low_rating


async def complete_callback(
    session: AsyncSession,
    *,
    clock: Clock,
    ticket: Ticket,
    callback: CallbackTask,
    survey: Survey,
    staff_id: int | None,
    rules: ServiceRules,
) -> Survey:
    """Close the callback round with the survey: a low rating reopens for the supervisor, else callback done."""
    now = clock.now()
    callback.status = CallbackStatus.DONE
    callback.done_at = now
    survey.ticket_id, survey.callback_id, survey.answered_at = ticket.id, callback.id, now
    session.add(survey)
    await session.flush()
    answers = {"overall": survey.overall, "speed": survey.speed, "attitude": survey.attitude}
    data = {**answers, "source": survey.source}
    await record_event(
        session,
        ticket,
        at=now,
        kind="survey",
        staff_id=staff_id,
        resident_id=survey.resident_id,
        text=survey.comment,
        data=data,
    )
    if is_low_rating(survey, rules):
        await reopen_ticket(
            session,
            clock=clock,
            ticket_id=ticket.id,
            reason="low_rating",
            staff_id=staff_id,
            resident_id=survey.resident_id,
            escalate_to_supervisor=True,
            rules=rules,
        )
    elif "callback_done" in allowed_actions(ticket):
        await transition(session, ticket, "callback_done", clock=clock)
    return survey


async def _pending_callback(session: AsyncSession, ticket_id: int) -> CallbackTask | None:
    stmt = (
        select(CallbackTask)
        .where(CallbackTask.ticket_id == ticket_id, CallbackTask.status == CallbackStatus.PENDING)
        .order_by(CallbackTask.round.desc())
    )
    return (await session.execute(stmt)).scalars().first()


async def record_survey(
    session: AsyncSession,
    *,
    clock: Clock,
    ticket_id: int,
    resident_id: int | None,
    overall: int,
    speed: int,
    attitude: int,
    comment: str | None = None,
    rules: ServiceRules = DEFAULT_RULES,
) -> Survey:
    """The resident's own answers from chat; completes the pending callback of the ticket."""
    check_ratings(overall, speed, attitude)
    ticket = await session.get(Ticket, ticket_id)
    if ticket is None:
        raise NotFound("ticket_not_found")
    callback = await _pending_callback(session, ticket_id)
    if callback is None:
        raise InvalidTransition("no_survey_pending")
    callback.result_text = "survey"
    comment = (comment or "").strip() or None
    survey = Survey(
        resident_id=resident_id,
        overall=overall,
        speed=speed,
        attitude=attitude,
        comment=comment,
        source="resident",
    )
    return await complete_callback(
        session, clock=clock, ticket=ticket, callback=callback, survey=survey, staff_id=None, rules=rules
    )
